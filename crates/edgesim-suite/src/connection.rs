//! A connection-function case (viewer mTLS): `"connection_function": "file.js"` run on a
//! connection event as `edgesim test-function --event-type connection` runs it; the
//! `ConnectionFunctionTestResult` is compared with `expected` (docs/testing.md).

use std::sync::Arc;

use edgesim_functions::connection::{self, check_event, compile_failure, report};
use edgesim_functions::{
    CloudFrontFunction, FunctionError, FunctionThreads, InvokeInput, KeyValueStore,
};
use serde_json::{json, Value};

use crate::case::Case;
use crate::matching::{check_assertion, diff, matches, project};
use crate::{CaseRun, SuiteError};

/// The fields compared, in the order they are reported.
const FIELDS: [&str; 3] = [
    "ConnectionFunctionOutput",
    "ConnectionFunctionErrorMessage",
    "ConnectionFunctionExecutionLogs",
];

/// Runs the function once, on a supervised function thread (a stuck run fails, see cff.rs).
async fn run_once(case: &Case) -> Result<Value, SuiteError> {
    let event = case.event()?;
    check_event(&event).map_err(|e| case.error(format!("event: {e}")))?;
    let mut options = connection::options(case.name.clone());
    if let Some(kvs) = case.json.get("kvs").and_then(Value::as_str) {
        let store = KeyValueStore::load(&case.path(kvs)?).map_err(|e| case.error(e.to_string()))?;
        options.kvs = Some(Arc::new(store));
    }
    let file = case.path(case.str("connection_function")?)?;
    let run = match CloudFrontFunction::from_file(&file, options) {
        Ok(f) => report(
            FunctionThreads::global()
                .invoke(&f, Arc::new(event), InvokeInput::default())
                .await,
        ),
        Err(e @ (FunctionError::Compile(_) | FunctionError::CodeTooLarge { .. })) => {
            compile_failure(&e)
        }
        Err(e) => return Err(case.error(format!("{}: {e}", file.display()))),
    };
    let output =
        serde_json::from_str(&run.result.connection_function_output).unwrap_or(Value::Null);
    Ok(json!({
        "ConnectionFunctionOutput": output,
        "ConnectionFunctionErrorMessage": run.result.connection_function_error_message,
        "ConnectionFunctionExecutionLogs": run.result.connection_function_execution_logs,
        "ComputeUtilization": run.result.compute_utilization,
    }))
}

pub async fn run(case: &Case, update: bool) -> Result<CaseRun, SuiteError> {
    let got = run_once(case).await?;
    let partial = case.json.get("match").and_then(Value::as_str) == Some("partial");
    let mut failures = Vec::new();
    if let Some(expected) = case.json.get("expected") {
        for field in FIELDS {
            let want = match expected.get(field) {
                Some(w) => w.clone(),
                None if partial => continue,
                None if field == "ConnectionFunctionErrorMessage" => Value::String(String::new()),
                None if field == "ConnectionFunctionExecutionLogs" => continue,
                None => Value::Null,
            };
            if !matches(&got[field], &want, partial) {
                failures.push(format!("{field} differs:"));
                let shown = if partial {
                    project(&got[field], &want)
                } else {
                    got[field].clone()
                };
                failures.extend(diff(&want, &shown));
            }
        }
    }
    for a in case
        .json
        .get("assert")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Err(why) = check_assertion(&got, a).map_err(|e| case.error(e))? {
            failures.push(why);
        }
    }
    let updated = (update && !failures.is_empty()).then(|| {
        let mut json = case.json.clone();
        let expected: serde_json::Map<String, Value> = FIELDS
            .iter()
            .map(|f| ((*f).to_owned(), got[*f].clone()))
            .collect();
        json["expected"] = Value::Object(expected);
        json
    });
    Ok(CaseRun { failures, updated })
}
