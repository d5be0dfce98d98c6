//! CloudFront connection functions: `connectionHandler(connection)` on the TLS handshake of a
//! distribution with viewer mTLS, deciding allow or deny, and `TestConnectionFunction`'s output
//! (docs/cloudfront/connection-functions.md).
//!
//! A connection function is a CloudFront Function on runtime 2.0 with another entry point: the
//! engine runs it like any other (same limits, same `cloudfront` module and KeyValueStore), and
//! the factory suffix below wraps `connectionHandler` so the run returns what it decided.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::engine::{CloudFrontFunction, Entry, FunctionOptions, Invocation, InvokeInput};
use crate::error::FunctionError;
use crate::limits::CONNECTION_BUDGET;
use crate::limits::MAX_CUSTOM_LOG_BYTES;
use crate::runtime::Runtime;
use crate::test_function::EXECUTION_ERROR_MESSAGE;

/// What follows the user's code in a connection function's factory (engine/mod.rs): instead of
/// `handler` it returns a wrapper that gives the connection object `allow()`, `deny()` and
/// `logCustomData()` (non-enumerable, so they are not part of the event), calls
/// `connectionHandler`, awaits it when it is async, and returns the calls it made. One line, so
/// the user's line numbers are kept; it must start with `error_text::FACTORY_SUFFIX_START`.
pub const FACTORY_SUFFIX: &str = "\n;return (function (h) { if (typeof h !== 'function') { return function () { throw new ReferenceError('\"connectionHandler\" is not defined'); }; } return function (c) { var d = { calls: [], customData: null }; var m = function (n, f) { Object.defineProperty(c, n, { value: f, writable: true, configurable: true, enumerable: false }); }; m('allow', function () { d.calls.push('allow'); }); m('deny', function () { d.calls.push('deny'); }); m('logCustomData', function (s) { d.customData = String(s); }); var done = function () { return d; }; var r = h(c); return (r !== null && typeof r === 'object' && typeof r.then === 'function') ? r.then(done) : done(); }; })(typeof connectionHandler === 'function' ? connectionHandler : undefined); })";

/// How a connection function is loaded: runtime 2.0 (the only one connection functions have),
/// `connectionHandler` as the entry point, `ComputeUtilization` as a share of the 5 ms limit.
pub fn options(name: impl Into<String>) -> FunctionOptions {
    FunctionOptions {
        budget: CONNECTION_BUDGET,
        entry: Entry::ConnectionHandler,
        ..FunctionOptions::new(name, Runtime::Js20)
    }
}

/// What CloudFront does with the TLS connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
        }
    }
}

/// `ConnectionFunctionTestResult` as the AWS CLI prints it (without
/// `ConnectionFunctionSummary`, which describes a deployed function).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionTestResult {
    /// `"0"`–`"100"` of the 5 ms limit.
    pub compute_utilization: String,
    pub connection_function_execution_logs: Vec<String>,
    /// `""` when the function ran.
    pub connection_function_error_message: String,
    /// JSON text `{"action":"allow"|"deny"}` (plus `"logCustomData"` when the function called
    /// it); `""` when the function failed. The field's exact content is not documented
    /// (inferred, docs/cloudfront/connection-functions.md).
    pub connection_function_output: String,
}

/// One run of a connection function.
#[derive(Debug, Clone)]
pub struct ConnectionRun {
    pub result: ConnectionTestResult,
    /// What happens to the connection: a failed run, or one that called neither method, is
    /// denied.
    pub decision: Decision,
    /// Whether `ConnectionFunctionErrorMessage` is set.
    pub failed: bool,
    /// `connection.logCustomData(…)`, truncated at 800 bytes.
    pub custom_log_data: Option<String>,
    /// What edgesim noticed that the result does not say (both methods called, neither…).
    pub notes: Vec<String>,
}

/// The top-level fields of a connection event (documented event structure).
const EVENT_FIELDS: [&str; 5] = [
    "clientCertificate",
    "clientIp",
    "endpoint",
    "distributionId",
    "connectionId",
];
const LEAF_FIELDS: [&str; 5] = [
    "serialNumber",
    "issuer",
    "subject",
    "validity",
    "sha256Fingerprint",
];

/// Checks a connection event against the documented structure: `Err` names the field and what
/// was expected; `Ok` carries warnings for fields CloudFront does not send (likely typos).
pub fn check_event(event: &Value) -> Result<Vec<String>, String> {
    let top = event
        .as_object()
        .ok_or("the connection event must be a JSON object")?;
    let mut warnings = Vec::new();
    for key in top.keys() {
        if !EVENT_FIELDS.contains(&key.as_str()) {
            warnings.push(format!(
                "`{key}` is not a field of CloudFront's connection event (expected {})",
                EVENT_FIELDS.join(", ")
            ));
        }
    }
    for key in &EVENT_FIELDS[1..] {
        string_field(top, key, key)?;
    }
    match top.get("clientCertificate") {
        None | Some(Value::Null) => {}
        Some(Value::Object(cert)) => {
            let leaf = cert
                .get("certificates")
                .and_then(Value::as_object)
                .and_then(|c| c.get("leaf"))
                .and_then(Value::as_object)
                .ok_or("clientCertificate.certificates.leaf must be an object")?;
            for key in leaf.keys() {
                if !LEAF_FIELDS.contains(&key.as_str()) {
                    warnings.push(format!(
                        "`clientCertificate.certificates.leaf.{key}` is not a field CloudFront sends (expected {})",
                        LEAF_FIELDS.join(", ")
                    ));
                }
            }
            for key in ["serialNumber", "issuer", "subject", "sha256Fingerprint"] {
                string_field(
                    leaf,
                    key,
                    &format!("clientCertificate.certificates.leaf.{key}"),
                )?;
            }
            match leaf.get("validity") {
                None => {}
                Some(Value::Object(v)) => {
                    for key in ["notBefore", "notAfter"] {
                        string_field(
                            v,
                            key,
                            &format!("clientCertificate.certificates.leaf.validity.{key}"),
                        )?;
                    }
                }
                Some(_) => {
                    return Err(
                        "clientCertificate.certificates.leaf.validity must be an object with notBefore and notAfter".into(),
                    )
                }
            }
        }
        Some(_) => return Err("clientCertificate must be an object (or absent)".into()),
    }
    Ok(warnings)
}

fn string_field(map: &Map<String, Value>, key: &str, path: &str) -> Result<(), String> {
    match map.get(key) {
        None | Some(Value::String(_)) => Ok(()),
        Some(other) => Err(format!("{path} must be a string, got {other}")),
    }
}

/// Runs a connection function (loaded with [`crate::Entry::ConnectionHandler`]) on `event` and
/// reports it as `TestConnectionFunction` does.
pub fn run_connection_function(function: &CloudFrontFunction, event: &Value) -> ConnectionRun {
    report(function.invoke(event, &InvokeInput::default()))
}

/// Reads a connection function's invocation (run inline or on [`crate::FunctionThreads`]).
pub fn report(run: Invocation) -> ConnectionRun {
    let mut result = ConnectionTestResult {
        compute_utilization: run.compute_utilization.to_string(),
        connection_function_execution_logs: run.logs,
        connection_function_error_message: String::new(),
        connection_function_output: String::new(),
    };
    let mut notes = Vec::new();
    let (decision, custom) = match run.outcome {
        Err(e) => {
            result.connection_function_error_message = error_message(&e);
            notes.push("the function failed: CloudFront denies the connection".to_owned());
            (Decision::Deny, None)
        }
        Ok(calls) => {
            let (decision, custom) = read_calls(&calls, &mut notes);
            let mut output = json!({ "action": decision.as_str() });
            if let Some(c) = &custom {
                output["logCustomData"] = Value::String(c.clone());
            }
            result.connection_function_output = output.to_string();
            (decision, custom)
        }
    };
    ConnectionRun {
        failed: !result.connection_function_error_message.is_empty(),
        result,
        decision,
        custom_log_data: custom,
        notes,
    }
}

/// The TestConnectionFunction result for code that does not compile.
pub fn compile_failure(error: &FunctionError) -> ConnectionRun {
    ConnectionRun {
        result: ConnectionTestResult {
            compute_utilization: "0".to_owned(),
            connection_function_execution_logs: Vec::new(),
            connection_function_error_message: error_message(error),
            connection_function_output: String::new(),
        },
        decision: Decision::Deny,
        failed: true,
        custom_log_data: None,
        notes: Vec::new(),
    }
}

/// CloudFront's execution-error sentence names "the CloudFront function"; the same words are
/// assumed for connection functions (inferred).
fn error_message(error: &FunctionError) -> String {
    format!("{EXECUTION_ERROR_MESSAGE} {error}")
}

/// The decision from the wrapper's record of calls. Documented: a function that calls neither
/// is denied. Not documented: which call counts when both are made; the first does here, since
/// `deny()` "immediately closes the connection" (inferred).
fn read_calls(calls: &Value, notes: &mut Vec<String>) -> (Decision, Option<String>) {
    let list: Vec<&str> = calls
        .get("calls")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let decision = match list.first() {
        Some(&"allow") => Decision::Allow,
        Some(_) => Decision::Deny,
        None => {
            notes.push(
                "the function called neither connection.allow() nor connection.deny(): CloudFront denies the connection"
                    .to_owned(),
            );
            Decision::Deny
        }
    };
    if list.len() > 1 {
        notes.push(format!(
            "the function called {}: the first call decides ({})",
            list.iter()
                .map(|c| format!("connection.{c}()"))
                .collect::<Vec<_>>()
                .join(", "),
            decision.as_str()
        ));
    }
    let custom = calls
        .get("customData")
        .and_then(Value::as_str)
        .map(|s| truncate(s, MAX_CUSTOM_LOG_BYTES));
    (decision, custom)
}

/// `logCustomData` keeps at most 800 bytes of UTF-8 (documented); cut on a character boundary.
fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_event_is_accepted() {
        let event = json!({
            "clientCertificate": {"certificates": {"leaf": {
                "serialNumber": "00:9e:2a", "issuer": "CN=mTLS-CA", "subject": "CN=device",
                "validity": {"notBefore": "2025-09-10T23:43:10Z", "notAfter": "2055-09-11T00:43:02Z"},
                "sha256Fingerprint": "_w6bJ7aOAlGOj7NUhJxTfsfee-ONg_xop3_PTgTJpqs="}}},
            "clientIp": "127.0.0.1", "endpoint": "d111111abcdef8.cloudfront.net",
            "distributionId": "E1", "connectionId": "abc=="
        });
        assert_eq!(check_event(&event), Ok(vec![]));
    }

    #[test]
    fn a_wrongly_typed_field_is_named() {
        let err = check_event(&json!({"clientIp": 7})).unwrap_err();
        assert!(err.contains("clientIp must be a string"), "{err}");
        let err = check_event(&json!({"clientCertificate": {"certificates": {}}})).unwrap_err();
        assert!(err.contains("clientCertificate.certificates.leaf"), "{err}");
        let warn = check_event(&json!({"clientIP": "1.2.3.4"})).unwrap();
        assert!(warn[0].contains("`clientIP`"), "{warn:?}");
    }

    #[test]
    fn custom_data_is_cut_on_a_character_boundary() {
        assert_eq!(truncate("aé", 2), "a");
        assert_eq!(truncate("abc", 800), "abc");
    }
}
