//! A CloudFront Function case: the edge-samples golden format. The function runs on the event
//! as TestFunction would run it; the TestResult is compared with `expected`.

use std::sync::Arc;

use edgesim_functions::test_function::{
    compile_failure, test_input, test_invocation, TestOptions, EXECUTION_ERROR_MESSAGE,
};
use edgesim_functions::{
    CloudFrontFunction, FunctionError, FunctionOptions, FunctionThreads, KeyValueStore, Runtime,
};
use serde_json::{json, Value};

use crate::case::Case;
use crate::matching::{check_assertion, diff, matches, project};
use crate::{CaseRun, SuiteError};

/// CloudFront's execution-error sentence matches any engine error after it (the real message
/// adds the engine's words, edge-samples/README.md).
fn message_matches(expected: &str, actual: &str) -> bool {
    if expected == EXECUTION_ERROR_MESSAGE {
        actual.starts_with(EXECUTION_ERROR_MESSAGE)
    } else {
        expected == actual
    }
}

/// Runs the case's function once. On a supervised function thread (`FunctionThreads`), as
/// `serve` runs functions: a run stuck where the engine cannot interrupt it (a regular expression
/// that backtracks without end) is answered as failed after the hard time limit, so the case
/// fails with that message instead of hanging the suite.
async fn run_once(case: &Case, strict: bool) -> Result<Value, SuiteError> {
    let runtime: Runtime = case
        .str("runtime")?
        .parse()
        .map_err(|e: edgesim_functions::runtime::UnknownRuntime| case.error(e.to_string()))?;
    let event = case.event()?;
    let event =
        edgesim_model::parse_event(&event).map_err(|e| case.error(format!("event: {e}")))?;
    let mut options = FunctionOptions::new(case.name.clone(), runtime);
    if let Some(kvs) = case.json.get("kvs").and_then(Value::as_str) {
        let store = KeyValueStore::load(&case.path(kvs)?).map_err(|e| case.error(e.to_string()))?;
        options.kvs = Some(Arc::new(store));
    }
    let file = case.path(case.str("function")?)?;
    let run = match CloudFrontFunction::from_file(&file, options) {
        Ok(f) => {
            let input = test_input(&event);
            let event = Arc::new(event);
            let run = FunctionThreads::global()
                .invoke(&f, event.clone(), input)
                .await;
            test_invocation(&event, run, &TestOptions { strict })
        }
        Err(e @ (FunctionError::Compile(_) | FunctionError::CodeTooLarge { .. })) => {
            compile_failure(&e)
        }
        Err(e) => return Err(case.error(format!("{}: {e}", file.display()))),
    };
    let output = if run.result.function_output.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&run.result.function_output)
            .unwrap_or(Value::String(run.result.function_output.clone()))
    };
    Ok(json!({
        "FunctionOutput": output,
        "FunctionErrorMessage": run.result.function_error_message,
        "FunctionExecutionLogs": run.result.function_execution_logs,
        "ComputeUtilization": run.result.compute_utilization,
    }))
}

pub async fn run(case: &Case, update: bool) -> Result<CaseRun, SuiteError> {
    let got = run_once(
        case,
        case.json
            .get("strict")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    )
    .await?;
    let mut failures = Vec::new();
    let partial = case.json.get("match").and_then(Value::as_str) == Some("partial");
    if let Some(expected) = case.json.get("expected") {
        let want_output = expected
            .get("FunctionOutput")
            .cloned()
            .unwrap_or(Value::Null);
        if (expected.get("FunctionOutput").is_some() || !partial)
            && !matches(&got["FunctionOutput"], &want_output, partial)
        {
            failures.push("FunctionOutput differs:".to_owned());
            let shown = if partial {
                project(&got["FunctionOutput"], &want_output)
            } else {
                got["FunctionOutput"].clone()
            };
            failures.extend(diff(&want_output, &shown));
        }
        let got_message = got["FunctionErrorMessage"].as_str().unwrap_or_default();
        let want_message = expected.get("FunctionErrorMessage").and_then(Value::as_str);
        if let Some(want) = want_message.or((!partial).then_some("")) {
            if !message_matches(want, got_message) {
                failures.push(format!("FunctionErrorMessage: expected {want:?}"));
                failures.push(format!("                    got      {got_message:?}"));
            }
        }
        if let Some(logs) = expected.get("FunctionExecutionLogs") {
            if logs != &got["FunctionExecutionLogs"] {
                failures.push("FunctionExecutionLogs differ:".to_owned());
                failures.extend(diff(logs, &got["FunctionExecutionLogs"]));
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
    let mut strict_message = None;
    if let Some(want) = case
        .json
        .get("strict_expected_error")
        .and_then(Value::as_str)
    {
        let strict = run_once(case, true).await?;
        let got = strict["FunctionErrorMessage"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if got != want {
            failures.push(format!("strict_expected_error: expected {want:?}"));
            failures.push(format!("                       got      {got:?}"));
        }
        strict_message = Some(got);
    }
    let updated = (update && !failures.is_empty()).then(|| {
        let mut json = case.json.clone();
        let mut expected = serde_json::Map::new();
        if !got["FunctionOutput"].is_null() {
            expected.insert("FunctionOutput".into(), got["FunctionOutput"].clone());
        }
        expected.insert(
            "FunctionErrorMessage".into(),
            got["FunctionErrorMessage"].clone(),
        );
        expected.insert(
            "FunctionExecutionLogs".into(),
            got["FunctionExecutionLogs"].clone(),
        );
        json["expected"] = Value::Object(expected);
        if let Some(m) = strict_message {
            json["strict_expected_error"] = Value::String(m);
        }
        json
    });
    Ok(CaseRun { failures, updated })
}
