//! The viewer-response phase: the behavior's viewer-response function (a CloudFront Function
//! or Lambda@Edge) sees the response head about to leave (from cache or origin, never its
//! body) and may change status, headers and body. CloudFront skips it when the origin
//! answered with a status >= 400, for its own error pages, and after a viewer-request
//! generated response (docs/cloudfront/pipeline.md, "Phases").

use std::time::Instant;

use edgesim_functions::{CloudFrontFunction, InvokeInput};
use edgesim_model::cff_http::{apply_response, viewer_response_event, BodyChange};
use edgesim_model::lambda::{self as lambda_event, event::request_object, LambdaOutput, Trigger};
use edgesim_model::{EdgeFailure, EventType, Normalized};
use http::header::CONTENT_LENGTH;
use http::response::Parts;
use http::Response;
use serde_json::Value;

use crate::body::{full, Body};
use crate::context::RequestCtx;
use crate::hook::{self, Hook, LambdaHook};
use crate::observe::Phase;
use crate::settings::Settings;
use crate::trigger::{self, conversion_failure};
use crate::viewer_request::event_context;
use crate::viewer_rules;

/// Whether CloudFront runs viewer-response for a response with this origin status.
pub fn applies(status: http::StatusCode) -> bool {
    status.as_u16() < 400
}

/// Runs the behavior's viewer-response function, if any and if CloudFront would. `request` is
/// the request as forwarded (after viewer-request).
pub async fn run(
    settings: &Settings,
    ctx: &mut RequestCtx<'_>,
    request: &http::request::Parts,
    response: Response<Body>,
) -> Result<Response<Body>, EdgeFailure> {
    let behavior = ctx.behavior;
    let Some(hook) = &behavior.hooks.viewer_response else {
        return Ok(response);
    };
    if !applies(response.status()) {
        return Ok(response);
    }
    let started = Instant::now();
    let outcome = match hook {
        Hook::Function(function) => {
            let (head, body) = response.into_parts();
            let (outcome, utilization) =
                run_function(settings, ctx, function, request, head, body).await;
            ctx.log
                .function("viewer-response", function.name(), utilization);
            outcome.and_then(|(head, body)| {
                viewer_rules::check_function_headers(&head.headers).map_err(conversion_failure)?;
                Ok(Response::from_parts(head, body))
            })
        }
        Hook::Lambda(lambda) => run_lambda(settings, ctx, lambda, request, response)
            .await
            .and_then(|response| {
                viewer_rules::check_function_headers(response.headers())
                    .map_err(hook::lambda_conversion_failure)?;
                Ok(response)
            }),
    };
    ctx.log.add(Phase::ViewerResponse, started.elapsed());
    outcome
}

/// A CloudFront Function; the body is replaced only if the function set one. Returns the new
/// head and body, and the function's ComputeUtilization.
async fn run_function(
    settings: &Settings,
    ctx: &RequestCtx<'_>,
    function: &CloudFrontFunction,
    request: &http::request::Parts,
    mut head: Parts,
    body: Body,
) -> (Result<(Parts, Body), EdgeFailure>, u8) {
    let event_ctx = event_context(settings, &ctx.request_id);
    let event = std::sync::Arc::new(viewer_response_event(
        request,
        head.status,
        &head.headers,
        &ctx.viewer_ip,
        &event_ctx,
    ));
    // Viewer-response functions have no edge location (docs/cloudfront/pipeline.md, "Phases").
    let input = InvokeInput {
        raw_query: request.uri.query().map(str::to_owned),
        ..InvokeInput::default()
    };
    let run = trigger::run(
        function,
        EventType::ViewerResponse,
        &event,
        input,
        &ctx.request_id,
        &settings.validation,
    )
    .await;
    let outcome = run.output.and_then(|output| {
        let Normalized::Response(map) = output else {
            // `validate` refuses a request from viewer-response; keep the type system honest.
            return Err(EdgeFailure::from(
                edgesim_model::ValidationError::RequestFromViewerResponse,
            ));
        };
        let changed = apply_response(&Value::Object(map), event.get("response"))
            .map_err(conversion_failure)?;
        head.status = changed.status;
        head.headers = changed.headers;
        let body = match changed.body {
            BodyChange::Keep => body,
            BodyChange::Replace(bytes) => {
                // The new body's length is known; the origin's no longer applies.
                head.headers.remove(CONTENT_LENGTH);
                full(bytes)
            }
        };
        Ok((head, body))
    });
    (outcome, run.compute_utilization)
}

/// A Lambda@Edge function.
async fn run_lambda(
    settings: &Settings,
    ctx: &RequestCtx<'_>,
    hook: &LambdaHook,
    request: &http::request::Parts,
    response: Response<Body>,
) -> Result<Response<Body>, EdgeFailure> {
    let (head, body) = response.into_parts();
    let event = lambda_event::response_event(
        Trigger::ViewerResponse,
        &hook::event_config(settings, &ctx.request_id),
        &request_object(request, &ctx.viewer_ip),
        head.status,
        &head.headers,
    );
    match hook.run(&event, &ctx.request_id).await? {
        LambdaOutput::Response(object)
        | LambdaOutput::GeneratedResponse(object)
        | LambdaOutput::Request(object) => hook::response_from(&object, body),
    }
}
