//! Running one CloudFront Function for one request: on a supervised function thread
//! (edgesim-functions' `threads`: a run stuck where the engine cannot stop it is answered 503
//! and never holds a server worker), log its `console.log` lines, and normalise + validate what
//! it returned with the edge's full checks. Failures come back as [`EdgeFailure`]s.

use std::sync::Arc;

use edgesim_functions::{CloudFrontFunction, FunctionThreads, InvokeInput, OriginChange};
use edgesim_model::{validate, EdgeFailure, EventType, Normalized, ValidationOptions};
use serde_json::Value;

/// What one run produced.
pub struct TriggerRun {
    pub output: Result<Normalized, EdgeFailure>,
    pub origin_changes: Vec<OriginChange>,
    pub compute_utilization: u8,
}

/// Invokes `function` on `event` and checks its result for `event_type`.
pub async fn run(
    function: &CloudFrontFunction,
    event_type: EventType,
    event: &Arc<Value>,
    input: InvokeInput,
    request_id: &str,
    validation: &ValidationOptions,
) -> TriggerRun {
    let name = function.name();
    if tracing::enabled!(tracing::Level::DEBUG) {
        tracing::debug!(target: "edgesim::function", function = name, request_id, event_type = event_type.as_str(), "event in: {event}");
    }
    let invocation = FunctionThreads::global()
        .invoke(function, event.clone(), input)
        .await;
    crate::dashboard::record_hook(|| crate::dashboard::HookTrace {
        trigger: event_type.as_str(),
        function: name.to_owned(),
        kind: "CloudFront Functions",
        event_in: Value::clone(event),
        event_out: invocation.outcome.as_ref().ok().cloned(),
        error: invocation.outcome.as_ref().err().map(|e| e.to_string()),
        logs: invocation.logs.clone(),
    });
    for line in &invocation.logs {
        tracing::info!(target: "edgesim::function", function = name, request_id, "{line}");
    }
    let output = match invocation.outcome {
        Err(error) => {
            tracing::warn!(target: "edgesim::function", function = name, request_id, "{error}");
            Err(error.edge_failure())
        }
        Ok(returned) => {
            if tracing::enabled!(tracing::Level::DEBUG) {
                tracing::debug!(target: "edgesim::function", function = name, request_id, "returned: {returned}");
            }
            match validate(event_type, event, &returned, validation) {
                Ok(validated) => {
                    for warning in &validated.warnings {
                        tracing::warn!(target: "edgesim::function", function = name, request_id, "{warning}");
                    }
                    Ok(validated.output)
                }
                Err(error) => {
                    tracing::warn!(target: "edgesim::function", function = name, request_id, "{} ({})", error.message(), error.detail());
                    Err(EdgeFailure::from(error))
                }
            }
        }
    };
    TriggerRun {
        output,
        origin_changes: invocation.origin_changes,
        compute_utilization: invocation.compute_utilization,
    }
}

/// A conversion failure after validation passed: still the function's output at fault, so
/// it is a validation error (502) with CloudFront's message prefix.
pub fn conversion_failure(error: impl std::fmt::Display) -> EdgeFailure {
    EdgeFailure::FunctionValidation(format!(
        "{}{error}",
        edgesim_model::validate::INVALID_VALUE_PREFIX
    ))
}
