//! A Lambda@Edge case: the edge-samples/lambda/cases format. The handler is invoked with the
//! event; the payload (or error) is compared with `expected`, and a payload must also be one
//! CloudFront accepts for the event's trigger.
//!
//! `expected` is one of `{"result": …}` (exactly), `{"result_contains": …}` (partial),
//! `{"error": {"errorType", "errorMessage"}}` (the handler fails: 503 at the edge), or
//! `{"validation": "message"}` (CloudFront refuses the payload with this 502 message).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use edgesim_lambda::{LambdaError, LambdaFunction, LambdaOptions};
use edgesim_model::lambda::{parse_event, validate_output, LambdaValidationOptions};
use serde_json::{json, Value};
use tokio::sync::OnceCell;

use crate::case::Case;
use crate::matching::{check_assertion, contains, diff};
use crate::{CaseRun, SuiteError};

type Slot = Arc<OnceCell<Result<Arc<LambdaFunction>, String>>>;

/// Started handlers, shared by the cases that name the same one (a warm worker each).
#[derive(Default)]
pub struct Handlers(Mutex<HashMap<(String, String, PathBuf), Slot>>);

impl Handlers {
    async fn get(
        &self,
        runtime: &str,
        handler: &str,
        base: &Path,
    ) -> Result<Arc<LambdaFunction>, String> {
        let key = (runtime.to_owned(), handler.to_owned(), base.to_owned());
        let slot = self
            .0
            .lock()
            .expect("not poisoned")
            .entry(key)
            .or_default()
            .clone();
        slot.get_or_init(|| async {
            let mut options = LambdaOptions::new(runtime, handler);
            options.base_dir = base.to_owned();
            options.pool_size = 1;
            LambdaFunction::start(options)
                .await
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .await
        .clone()
    }
}

/// The directory the handler path (`dir/file.export`) starts from: the case's directory or
/// the nearest parent where `dir` exists.
fn base_dir(case: &Case, handler: &str) -> Result<PathBuf, SuiteError> {
    let start = case.file.parent().unwrap_or(Path::new(".")).to_owned();
    let Some((dir, _)) = handler.rsplit_once('/') else {
        return Ok(start);
    };
    let mut cur = Some(start.as_path());
    while let Some(d) = cur {
        if d.join(dir).is_dir() {
            return Ok(d.to_owned());
        }
        cur = d.parent();
    }
    Err(case.error(format!(
        "handler {handler}: no directory {dir} here or in a parent directory"
    )))
}

pub async fn run(case: &Case, handlers: &Handlers, update: bool) -> Result<CaseRun, SuiteError> {
    let runtime = case.str("runtime")?;
    let handler = case.str("handler")?;
    let event = case.event()?;
    let trigger = parse_event(&event)
        .map_err(|e| case.error(format!("event: {e}")))?
        .ok_or_else(|| case.error("event: no Records[0].cf.config.eventType"))?;
    let base = base_dir(case, handler)?;
    let function = handlers
        .get(runtime, handler, &base)
        .await
        .map_err(|e| case.error(e))?;
    let invocation = function.invoke_ref(&event).await;
    let verdict = |payload: Option<&Value>| {
        validate_output(
            trigger,
            &event,
            payload,
            &LambdaValidationOptions::default(),
        )
    };
    let mut failures = Vec::new();
    let mut doc = json!({"logs": invocation.logs});
    let expected = case.json.get("expected").cloned().unwrap_or(Value::Null);
    let mut actual_expected = Value::Null;
    match &invocation.outcome {
        Ok(payload) => {
            let validation = verdict(payload.as_ref()).err().map(|e| e.message());
            let payload = payload.clone().unwrap_or(Value::Null);
            doc["result"] = payload.clone();
            if let Some(want) = expected.get("result") {
                if &payload != want {
                    failures.push("result differs:".to_owned());
                    failures.extend(diff(want, &payload));
                }
            }
            if let Some(want) = expected.get("result_contains") {
                if !contains(&payload, want) {
                    failures.push("result does not contain the expected fields:".to_owned());
                    failures.extend(diff(want, &crate::matching::project(&payload, want)));
                }
            }
            match (
                expected.get("validation").and_then(Value::as_str),
                &validation,
            ) {
                (Some(want), Some(got)) if want != got => failures.push(format!(
                    "validation: expected {want:?}, CloudFront says {got:?}"
                )),
                (Some(want), None) => failures.push(format!(
                    "validation: expected {want:?}, but CloudFront accepts the payload"
                )),
                (None, Some(got)) if expected.is_object() => {
                    failures.push(format!("CloudFront refuses the payload (502): {got}"))
                }
                _ => {}
            }
            if expected.get("error").is_some() {
                failures.push(format!(
                    "expected the handler to fail, it returned {payload}"
                ));
            }
            actual_expected = match &validation {
                Some(message) => json!({"validation": message}),
                None if expected.get("result_contains").is_some() => {
                    json!({"result_contains": payload})
                }
                None => json!({"result": payload}),
            };
        }
        Err(LambdaError::Handler {
            error_type,
            error_message,
            ..
        }) => {
            doc["error"] = json!({"errorType": error_type, "errorMessage": error_message});
            match expected.get("error") {
                Some(want) => {
                    let type_ok =
                        want.get("errorType").and_then(Value::as_str) == Some(error_type.as_str());
                    let message_ok = want
                        .get("errorMessage")
                        .is_none_or(|m| m.as_str() == Some(error_message.as_str()));
                    if !(type_ok && message_ok) {
                        failures.push(format!(
                            "error: expected {want}, got {error_type}: {error_message}"
                        ));
                    }
                }
                None if expected.is_object() => {
                    failures.push(format!("the handler failed: {error_type}: {error_message}"))
                }
                None => {}
            }
            actual_expected = json!({"error": doc["error"]});
        }
        Err(other) => {
            doc["error"] = json!({"errorType": "edgesim", "errorMessage": other.to_string()});
            failures.push(format!("the invocation failed: {other}"));
        }
    }
    for a in case
        .json
        .get("assert")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Err(why) = check_assertion(&doc, a).map_err(|e| case.error(e))? {
            failures.push(why);
        }
    }
    if !failures.is_empty() && !invocation.logs.is_empty() {
        failures.push(format!("logs: {:?}", invocation.logs));
    }
    let updated = (update && !failures.is_empty() && !actual_expected.is_null()).then(|| {
        let mut json = case.json.clone();
        json["expected"] = actual_expected;
        json
    });
    Ok(CaseRun { failures, updated })
}
