//! TestFunction, offline: run a function on an event and report it as
//! `aws cloudfront test-function` does (cloudfront-functions.md §13).

use edgesim_model::validate::{validate, ValidationOptions};
use edgesim_model::EventType;
use serde::Serialize;
use serde_json::Value;

use crate::engine::{CloudFrontFunction, Invocation, InvokeInput};
use crate::error::FunctionError;
use crate::OriginChange;

/// The sentence CloudFront puts before every execution error (§13.3, §18).
pub const EXECUTION_ERROR_MESSAGE: &str =
    "The CloudFront function associated with the CloudFront distribution is invalid or could not run.";

/// `TestResult` as the AWS CLI prints it (without `FunctionSummary`, which describes a deployed
/// function and has no local meaning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TestResult {
    /// `"0"`–`"100"`: a string, as the API returns it.
    pub compute_utilization: String,
    pub function_execution_logs: Vec<String>,
    /// `""` on success.
    pub function_error_message: String,
    /// JSON text with a single `request` or `response` key; `""` when the function failed.
    pub function_output: String,
}

/// How strictly to check the returned object.
#[derive(Debug, Clone, Default)]
pub struct TestOptions {
    /// Also apply the edge's read-only header checks, which TestFunction skips (§13.4).
    pub strict: bool,
}

/// A TestFunction run plus what TestFunction does not show.
#[derive(Debug, Clone)]
pub struct TestRun {
    pub result: TestResult,
    /// Whether `FunctionErrorMessage` is set.
    pub failed: bool,
    /// Origin changes the function asked for; TestFunction ignores them (§8.2).
    pub origin_changes: Vec<OriginChange>,
    /// edgesim's explanation of a refused result when CloudFront's message does not say which
    /// header or field (e.g. ``request.headers: `x-real-ip` is a header functions may not set``).
    pub detail: Option<String>,
}

/// Runs `function` on `event` (already checked with `edgesim_model::parse_event`).
pub fn test_function(
    function: &CloudFrontFunction,
    event: &Value,
    options: &TestOptions,
) -> TestRun {
    let run = function.invoke(event, &test_input(event));
    test_invocation(event, run, options)
}

/// What a TestFunction run of `event` sees besides the event (its raw query string).
pub fn test_input(event: &Value) -> InvokeInput {
    InvokeInput {
        raw_query: raw_query(event),
        ..InvokeInput::default()
    }
}

/// Reports a run of `event` (made inline or on [`crate::FunctionThreads`] with
/// [`test_input`]) as TestFunction does.
pub fn test_invocation(event: &Value, run: Invocation, options: &TestOptions) -> TestRun {
    let mut detail = None;
    let mut result = TestResult {
        compute_utilization: run.compute_utilization.to_string(),
        function_execution_logs: run.logs,
        function_error_message: String::new(),
        function_output: String::new(),
    };
    match run.outcome {
        Err(e) => result.function_error_message = error_message(&e),
        Ok(output) => {
            let event_type = event
                .pointer("/context/eventType")
                .and_then(Value::as_str)
                .and_then(EventType::from_name)
                .unwrap_or(EventType::ViewerRequest);
            let mut checks = ValidationOptions::test_function();
            checks.check_read_only = options.strict;
            checks.strict = options.strict;
            match validate(event_type, event, &output, &checks) {
                Ok(valid) => result.function_output = valid.output.function_output().to_string(),
                Err(e) => {
                    let explained = e.detail();
                    if explained != e.message() {
                        detail = Some(explained);
                    }
                    result.function_error_message = e.message();
                }
            }
        }
    }
    TestRun {
        failed: !result.function_error_message.is_empty(),
        result,
        origin_changes: run.origin_changes,
        detail,
    }
}

/// The TestResult for code that does not compile.
pub fn compile_failure(error: &FunctionError) -> TestRun {
    TestRun {
        result: TestResult {
            compute_utilization: "0".to_owned(),
            function_execution_logs: Vec::new(),
            function_error_message: error_message(error),
            function_output: String::new(),
        },
        failed: true,
        origin_changes: Vec::new(),
        detail: None,
    }
}

fn error_message(error: &FunctionError) -> String {
    format!("{EXECUTION_ERROR_MESSAGE} {error}")
}

/// `rawQueryString()` in test mode: the event's query map serialised back, `None` when empty.
pub fn raw_query(event: &Value) -> Option<String> {
    match event.pointer("/request/querystring")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) if map.is_empty() => None,
        Value::Object(map) => edgesim_model::cff_http::query_text(map, None).ok(),
        _ => None,
    }
}
