//! The viewer-response phase: the behavior's viewer-response function sees the response head
//! about to leave (from cache or origin, never its body) and may change status, headers and
//! body. CloudFront skips it when the origin answered with a status >= 400, for its own error
//! pages, and after a viewer-request generated response (cloudfront-functions.md §1).

use edgesim_functions::{CloudFrontFunction, InvokeInput};
use edgesim_model::cff_http::{apply_response, viewer_response_event, BodyChange};
use edgesim_model::{EdgeFailure, EventType, Normalized};
use http::header::CONTENT_LENGTH;
use http::response::Parts;
use serde_json::Value;

use crate::body::{full, Body};
use crate::distribution::Distribution;
use crate::trigger::{self, conversion_failure};
use crate::viewer_request::event_context;

/// Whether CloudFront runs viewer-response for a response with this origin status.
pub fn applies(status: http::StatusCode) -> bool {
    status.as_u16() < 400
}

/// Runs the function on the response head; the body is replaced only if the function set one.
/// Returns the new head and body, and the function's ComputeUtilization.
pub fn run(
    dist: &Distribution,
    function: &CloudFrontFunction,
    request: &http::request::Parts,
    mut head: Parts,
    body: Body,
    viewer_ip: &str,
    request_id: &str,
) -> (Result<(Parts, Body), EdgeFailure>, u8) {
    let ctx = event_context(&dist.settings, request_id);
    let event = viewer_response_event(request, head.status, &head.headers, viewer_ip, &ctx);
    // Viewer-response functions have no edge location (cloudfront-functions.md §8.1).
    let input = InvokeInput {
        raw_query: request.uri.query().map(str::to_owned),
        ..InvokeInput::default()
    };
    let run = trigger::run(
        function,
        EventType::ViewerResponse,
        &event,
        &input,
        request_id,
        &dist.validation,
    );
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
