//! Connection functions as docs/cloudfront/connection-functions.md describes them: the handler
//! is `connectionHandler`, it calls `connection.allow()` or `connection.deny()`, a run that calls
//! neither or fails is denied, and the result has TestConnectionFunction's shape.

use std::sync::Arc;

use edgesim_functions::connection::{self, Decision};
use edgesim_functions::{CloudFrontFunction, FunctionError, KeyValueStore};
use serde_json::{json, Value};

/// The documented example event.
fn event(serial: &str, subject: &str) -> Value {
    json!({
        "clientCertificate": {"certificates": {"leaf": {
            "serialNumber": serial,
            "issuer": "C=US, O=Example Inc, CN=mTLS-CA",
            "subject": subject,
            "validity": {"notBefore": "2025-09-10T23:43:10Z", "notAfter": "2055-09-11T00:43:02Z"},
            "sha256Fingerprint": "_w6bJ7aOAlGOj7NUhJxTfsfee-ONg_xop3_PTgTJpqs="
        }}},
        "clientIp": "203.0.113.7",
        "endpoint": "d111111abcdef8.cloudfront.net",
        "distributionId": "E1EDGESIMLOCAL",
        "connectionId": "NpvTe1925xfj24a67sPQr7ae42BIq03FGhJJKfrQYWZcWZFp96SIIg=="
    })
}

fn load(src: &str) -> CloudFrontFunction {
    CloudFrontFunction::new(src, connection::options("conn")).unwrap()
}

fn run(src: &str, event: &Value) -> connection::ConnectionRun {
    connection::run_connection_function(&load(src), event)
}

const ORG_CHECK: &str = r#"function connectionHandler(connection) {
    if (!connection.clientCertificate) {
        console.log("No certificate presented");
        connection.deny();
    }
    const subject = connection.clientCertificate.certificates.leaf.subject;
    if (!subject.includes("O=Example Inc")) {
        console.log("Certificate not from authorized organization");
        connection.deny();
    } else {
        console.log("Certificate validation passed");
        connection.allow();
    }
}"#;

#[test]
fn a_function_that_calls_allow_allows_the_connection() {
    let r = run(ORG_CHECK, &event("01", "C=US, O=Example Inc, CN=device-1"));
    assert_eq!(r.decision, Decision::Allow);
    assert!(!r.failed);
    assert_eq!(r.result.connection_function_output, r#"{"action":"allow"}"#);
    assert_eq!(
        r.result.connection_function_execution_logs,
        ["Certificate validation passed"]
    );
    assert_eq!(r.result.connection_function_error_message, "");
}

#[test]
fn a_function_that_calls_deny_denies_it() {
    let r = run(ORG_CHECK, &event("01", "C=US, O=Other, CN=device-1"));
    assert_eq!(r.decision, Decision::Deny);
    assert!(!r.failed);
    assert_eq!(r.result.connection_function_output, r#"{"action":"deny"}"#);
}

#[test]
fn a_function_that_calls_neither_is_denied_by_default() {
    let r = run(
        "function connectionHandler(connection) { console.log(connection.clientIp); }",
        &event("01", "CN=a"),
    );
    assert_eq!(r.decision, Decision::Deny);
    assert!(!r.failed);
    assert_eq!(r.result.connection_function_execution_logs, ["203.0.113.7"]);
    assert!(r.notes[0].contains("neither"), "{:?}", r.notes);
}

#[test]
fn a_function_that_throws_fails_and_the_connection_is_denied() {
    // No certificate in optional mode: the leaf lookup throws.
    let r = run(
        "function connectionHandler(connection) {\n  const s = connection.clientCertificate.certificates.leaf.subject;\n  connection.allow();\n}",
        &json!({"clientIp": "203.0.113.7"}),
    );
    assert_eq!(r.decision, Decision::Deny);
    assert!(r.failed);
    assert_eq!(r.result.connection_function_output, "");
    let message = &r.result.connection_function_error_message;
    assert!(
        message.starts_with("The CloudFront function associated with the CloudFront distribution is invalid or could not run. TypeError"),
        "{message}"
    );
}

#[test]
fn the_allow_and_deny_methods_are_not_part_of_the_event() {
    let r = run(
        "function connectionHandler(c) { console.log(JSON.stringify(Object.keys(c))); c.allow(); }",
        &json!({"clientIp": "203.0.113.7", "connectionId": "x"}),
    );
    assert_eq!(
        r.result.connection_function_execution_logs,
        [r#"["clientIp","connectionId"]"#]
    );
}

#[test]
fn an_async_handler_is_awaited_and_reads_the_key_value_store() {
    // The revocation tutorial: serial numbers in a KeyValueStore, without colons.
    let store =
        KeyValueStore::from_json("revoked", br#"{"data":[{"key":"9E2AAF","value":""}]}"#).unwrap();
    let src = r#"import cf from 'cloudfront';
async function connectionHandler(connection) {
    const kvsHandle = cf.kvs();
    const serial = connection.clientCertificate.certificates.leaf.serialNumber;
    const isRevoked = await kvsHandle.exists(serial.replaceAll(':', ''));
    if (isRevoked) {
        connection.logCustomData(`REVOKED:${serial}`);
        return connection.deny();
    }
    return connection.allow();
}"#;
    let mut options = connection::options("revocation");
    options.kvs = Some(Arc::new(store));
    let f = CloudFrontFunction::new(src, options).unwrap();
    let revoked = connection::run_connection_function(&f, &event("9E:2A:AF", "CN=a"));
    assert_eq!(revoked.decision, Decision::Deny);
    assert_eq!(revoked.custom_log_data.as_deref(), Some("REVOKED:9E:2A:AF"));
    assert_eq!(
        revoked.result.connection_function_output,
        r#"{"action":"deny","logCustomData":"REVOKED:9E:2A:AF"}"#
    );
    let valid = connection::run_connection_function(&f, &event("01:02", "CN=a"));
    assert_eq!(valid.decision, Decision::Allow);
}

#[test]
fn the_first_call_decides_when_both_are_made() {
    let r = run(
        "function connectionHandler(c) { c.deny(); c.allow(); }",
        &event("01", "CN=a"),
    );
    assert_eq!(r.decision, Decision::Deny);
    assert!(r.notes[0].contains("first call decides"), "{:?}", r.notes);
}

#[test]
fn code_without_connection_handler_fails_as_not_defined() {
    let r = run(
        "function handler(event) { return event.request; }",
        &event("01", "CN=a"),
    );
    assert!(r.failed);
    assert!(
        r.result
            .connection_function_error_message
            .ends_with(r#"ReferenceError: "connectionHandler" is not defined"#),
        "{}",
        r.result.connection_function_error_message
    );
}

#[test]
fn a_syntax_error_keeps_the_users_line_number() {
    let err = CloudFrontFunction::new(
        "function connectionHandler(c) {\n  c.allow(\n}",
        connection::options("bad"),
    )
    .unwrap_err();
    assert!(matches!(err, FunctionError::Compile(_)), "{err:?}");
    assert!(err.to_string().ends_with(" in 3"), "{err}");
}

#[test]
fn compute_utilization_is_a_share_of_five_milliseconds() {
    let busy = "function connectionHandler(c) { var s = 0; for (var i = 0; i < 300; i++) { s += i; } c.allow(); }";
    let five = run(busy, &event("01", "CN=a"));
    let mut one_ms = connection::options("busy");
    one_ms.budget = std::time::Duration::from_millis(1);
    let one = connection::run_connection_function(
        &CloudFrontFunction::new(busy, one_ms).unwrap(),
        &event("01", "CN=a"),
    );
    let five: u32 = five.result.compute_utilization.parse().unwrap();
    let one: u32 = one.result.compute_utilization.parse().unwrap();
    assert!(five > 0 && five < one, "5 ms: {five}, 1 ms: {one}");
}
