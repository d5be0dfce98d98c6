//! Function slots: what a behavior runs on each of CloudFront's four events. A viewer event
//! holds a CloudFront Function or a Lambda@Edge function ([`Hook`]); an origin event only a
//! Lambda@Edge function. Each phase file owns its whole event, both kinds.
//!
//! Here also what every Lambda@Edge event shares: invoking the function and checking its
//! result. A failed invocation is CloudFront's 503 (`LambdaExecutionError`,
//! `LambdaLimitExceeded`); a result CloudFront refuses is its 502 (`LambdaValidationError`).
//! The CloudFront Function counterpart is [`crate::trigger`].

use std::sync::Arc;

use bytes::Bytes;
use edgesim_functions::CloudFrontFunction;
use edgesim_lambda::LambdaFunction;
use edgesim_model::cff_http::BodyChange;
use edgesim_model::lambda::event::body_exposed_limit;
use edgesim_model::lambda::validate::FAILED_VALIDATION_PREFIX;
use edgesim_model::lambda::{
    response_parts, validate_output, EventConfig, LambdaOutput, LambdaValidationOptions, Trigger,
};
use edgesim_model::EdgeFailure;
use http::header::CONTENT_LENGTH;
use http::Response;
use http_body_util::BodyExt;
use serde_json::Value;

use crate::body::{full, Body, Prefixed};
use crate::settings::Settings;

/// The function on a viewer event.
#[derive(Debug, Clone)]
pub enum Hook {
    /// A CloudFront Function, run inline on this worker thread.
    Function(CloudFrontFunction),
    /// A Lambda@Edge function in its Node or Python worker.
    Lambda(Arc<LambdaHook>),
}

/// The functions of one behavior, one per event (CloudFront allows one of each).
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    pub viewer_request: Option<Hook>,
    pub origin_request: Option<Arc<LambdaHook>>,
    pub origin_response: Option<Arc<LambdaHook>>,
    pub viewer_response: Option<Hook>,
}

/// One Lambda@Edge association: the started function and its settings.
#[derive(Debug)]
pub struct LambdaHook {
    pub trigger: Trigger,
    pub function: LambdaFunction,
    /// IncludeBody: the request body is in the event (request triggers).
    pub include_body: bool,
}

impl LambdaHook {
    /// Invokes the function on `event` and checks its result: a failed invocation is a 503, a
    /// refused result a 502.
    pub async fn run(&self, event: &Value, request_id: &str) -> Result<LambdaOutput, EdgeFailure> {
        let name = self.function.function_name();
        let trigger = self.trigger.as_str();
        if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug!(target: "edgesim::lambda", function = name, request_id, trigger, "event in: {event}");
        }
        let invocation = self.function.invoke_ref(event).await;
        crate::dashboard::record_hook(|| crate::dashboard::HookTrace {
            trigger,
            function: name.to_owned(),
            kind: "Lambda@Edge",
            event_in: event.clone(),
            event_out: invocation
                .outcome
                .as_ref()
                .ok()
                .map(|p| p.clone().unwrap_or(Value::Null)),
            error: invocation.outcome.as_ref().err().map(|e| e.to_string()),
            logs: invocation.logs.clone(),
        });
        for line in &invocation.logs {
            tracing::info!(target: "edgesim::lambda", function = name, request_id, "{line}");
        }
        let payload = match invocation.outcome {
            Err(error) => {
                tracing::warn!(target: "edgesim::lambda", function = name, request_id, trigger, "{error}");
                return Err(error.edge_failure());
            }
            Ok(payload) => payload,
        };
        if tracing::enabled!(tracing::Level::DEBUG) {
            // JSON, as the function wrote it (`null` when it returned nothing).
            let returned = payload
                .as_ref()
                .map_or_else(|| "null".to_owned(), Value::to_string);
            tracing::debug!(target: "edgesim::lambda", function = name, request_id, "returned: {returned}");
        }
        match validate_output(
            self.trigger,
            event,
            payload.as_ref(),
            &LambdaValidationOptions::default(),
        ) {
            Ok(verdict) => {
                for warning in &verdict.warnings {
                    tracing::warn!(target: "edgesim::lambda", function = name, request_id, "{warning}");
                }
                Ok(verdict.output)
            }
            Err(error) => {
                tracing::warn!(target: "edgesim::lambda", function = name, request_id, trigger, rule = error.rule, "{error}");
                Err(EdgeFailure::from(error))
            }
        }
    }
}

/// `cf.config` of the Lambda@Edge events of one request.
pub fn event_config(settings: &Settings, request_id: &str) -> EventConfig {
    EventConfig {
        distribution_domain_name: settings.domain_name.clone(),
        distribution_id: settings.distribution_id.clone(),
        request_id: request_id.to_owned(),
    }
}

/// A validated Lambda@Edge result that still cannot be turned into HTTP: the function's fault,
/// a 502.
pub fn lambda_conversion_failure(error: impl std::fmt::Display) -> EdgeFailure {
    EdgeFailure::LambdaValidation(format!("{FAILED_VALIDATION_PREFIX}{error}"))
}

/// Reads what an IncludeBody trigger exposes of the request body: up to one byte more than its
/// limit (so that `inputTruncated` is known), never the whole upload. Returns those bytes and
/// the full body, replayed from them and then streamed from the viewer: unless the function
/// replaces it, the origin gets the whole original body (docs/cloudfront/lambda-workers.md).
pub async fn read_body(trigger: Trigger, body: Body) -> Result<(Bytes, Body), EdgeFailure> {
    let want = body_exposed_limit(trigger) + 1;
    let mut body = body;
    let mut chunks = Vec::new();
    let mut read = 0;
    while read < want {
        match body.frame().await {
            None => break,
            Some(Err(e)) => {
                tracing::warn!("viewer request body failed: {e}");
                return Err(EdgeFailure::Internal);
            }
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    read += data.len();
                    chunks.push(data);
                }
            }
        }
    }
    let exposed = match chunks.as_slice() {
        [one] => one.clone(),
        many => Bytes::from(many.concat()),
    };
    Ok((exposed, Prefixed::body(chunks, body)))
}

/// The response a request trigger generated, or a response trigger returned, as HTTP. `body`
/// is what [`BodyChange::Keep`] keeps.
pub fn response_from(object: &Value, body: Body) -> Result<Response<Body>, EdgeFailure> {
    let parts = response_parts(object).map_err(lambda_conversion_failure)?;
    let mut headers = parts.headers;
    let body = match parts.body {
        BodyChange::Keep => body,
        BodyChange::Replace(bytes) => {
            headers.remove(CONTENT_LENGTH);
            full(bytes)
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = parts.status;
    *response.headers_mut() = headers;
    Ok(response)
}
