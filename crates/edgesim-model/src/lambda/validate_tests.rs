use serde_json::json;

use super::*;
use crate::lambda::generate::{generate_event, GenerateOptions};

fn event(trigger: Trigger) -> Value {
    let options = GenerateOptions {
        headers: vec![("Content-Length".into(), "0".into())],
        ..GenerateOptions::default()
    };
    generate_event(trigger, &options).unwrap()
}

fn request_of(event: &Value) -> Value {
    event["Records"][0]["cf"]["request"].clone()
}

fn response_of(event: &Value) -> Value {
    event["Records"][0]["cf"]["response"].clone()
}

fn check(
    trigger: Trigger,
    event: &Value,
    output: &Value,
) -> Result<LambdaVerdict, LambdaValidationError> {
    validate_output(
        trigger,
        event,
        Some(output),
        &LambdaValidationOptions::default(),
    )
}

fn strict(
    trigger: Trigger,
    event: &Value,
    output: &Value,
) -> Result<LambdaVerdict, LambdaValidationError> {
    validate_output(
        trigger,
        event,
        Some(output),
        &LambdaValidationOptions { strict: true },
    )
}

fn message(result: Result<LambdaVerdict, LambdaValidationError>) -> String {
    match result {
        Ok(_) => panic!("expected a validation error"),
        Err(e) => e.message(),
    }
}

#[test]
fn no_payload_is_not_parsable_and_non_objects_are_refused() {
    let ev = event(Trigger::ViewerRequest);
    let none = validate_output(
        Trigger::ViewerRequest,
        &ev,
        None,
        &LambdaValidationOptions::default(),
    );
    assert_eq!(
        message(none),
        "The Lambda function returned invalid JSON: The JSON output is not parsable."
    );
    for output in [json!(null), json!("x"), json!([1]), json!(3)] {
        assert_eq!(
            message(check(Trigger::OriginResponse, &ev, &output)),
            "The Lambda function returned invalid JSON: The JSON output must be an object type."
        );
    }
}

#[test]
fn an_unchanged_request_passes_and_comes_back_normalised() {
    for trigger in [Trigger::ViewerRequest, Trigger::OriginRequest] {
        let ev = event(trigger);
        let verdict = check(trigger, &ev, &request_of(&ev)).unwrap();
        assert_eq!(verdict.output, LambdaOutput::Request(request_of(&ev)));
        assert!(verdict.warnings.is_empty());
    }
    let ev = event(Trigger::ViewerRequest);
    let mut request = request_of(&ev);
    request["headers"]["x-new"] = json!([{"value": "v"}]);
    let LambdaOutput::Request(out) = check(Trigger::ViewerRequest, &ev, &request).unwrap().output
    else {
        panic!()
    };
    assert_eq!(
        out["headers"]["x-new"],
        json!([{"value": "v", "key": "X-New"}])
    );
}

#[test]
fn header_entries_must_be_arrays_of_value_objects() {
    let ev = event(Trigger::ViewerRequest);
    let mut request = request_of(&ev);
    request["headers"]["x-a"] = json!({"key": "X-A", "value": "1"});
    assert_eq!(
        message(check(Trigger::ViewerRequest, &ev, &request)),
        "The Lambda function returned an invalid entry in the headers object: Each header entry in the headers object must be an array."
    );
    request["headers"]["x-a"] = json!([{"key": "X-A"}]);
    assert!(message(check(Trigger::ViewerRequest, &ev, &request))
        .starts_with("The Lambda function returned an invalid entry in the headers object: "));
    request["headers"]["x-a"] = json!([{"value": "a\r\nb"}]);
    assert!(message(check(Trigger::ViewerRequest, &ev, &request)).contains("line break"));
    request["headers"]["x-a"] = json!([{"value": 1}]);
    assert!(message(check(Trigger::ViewerRequest, &ev, &request)).contains("string value"));
}

#[test]
fn key_and_name_mismatches_are_warnings_or_strict_errors() {
    let ev = event(Trigger::OriginRequest);
    let mut request = request_of(&ev);
    request["headers"]["x-a"] = json!([{"key": "X-B", "value": "1"}]);
    let verdict = check(Trigger::OriginRequest, &ev, &request).unwrap();
    assert!(verdict.warnings[0].contains("The key X-B does not match the header name x-a"));
    assert!(strict(Trigger::OriginRequest, &ev, &request).is_err());
    let mut request = request_of(&ev);
    request["headers"]["X-Upper"] = json!([{"value": "1"}]);
    let verdict = check(Trigger::OriginRequest, &ev, &request).unwrap();
    assert!(verdict.warnings[0].contains("must be lower-case"));
    let LambdaOutput::Request(out) = verdict.output else {
        panic!()
    };
    assert!(out["headers"].get("x-upper").is_some());
    assert!(strict(Trigger::OriginRequest, &ev, &request).is_err());
}

#[test]
fn read_only_request_headers_per_trigger() {
    let read_only = "The Lambda function result failed validation: The function tried to add, delete, or change a read-only header.";
    // viewer-request: Host is read-only (change and delete).
    let ev = event(Trigger::ViewerRequest);
    let mut request = request_of(&ev);
    request["headers"]["host"][0]["value"] = json!("other.example");
    assert_eq!(
        message(check(Trigger::ViewerRequest, &ev, &request)),
        read_only
    );
    let mut request = request_of(&ev);
    request["headers"]
        .as_object_mut()
        .unwrap()
        .remove("content-length");
    assert_eq!(
        message(check(Trigger::ViewerRequest, &ev, &request)),
        read_only
    );
    let mut request = request_of(&ev);
    request["headers"]["via"] = json!([{"value": "1.1 x"}]);
    assert_eq!(
        message(check(Trigger::ViewerRequest, &ev, &request)),
        read_only
    );
    // origin-request: Host is writable, Content-Length and If-None-Match are not.
    let ev = event(Trigger::OriginRequest);
    let mut request = request_of(&ev);
    request["headers"]["host"][0]["value"] = json!("other.example");
    assert!(check(Trigger::OriginRequest, &ev, &request).is_ok());
    request["headers"]["content-length"][0]["value"] = json!("12");
    assert_eq!(
        message(check(Trigger::OriginRequest, &ev, &request)),
        read_only
    );
    let mut request = request_of(&ev);
    request["headers"]["if-none-match"] = json!([{"value": "\"x\""}]);
    assert_eq!(
        message(check(Trigger::OriginRequest, &ev, &request)),
        read_only
    );
    let mut request = request_of(&ev);
    request["headers"]["accept-encoding"][0]["value"] = json!("identity");
    assert_eq!(
        message(check(Trigger::OriginRequest, &ev, &request)),
        read_only
    );
}

#[test]
fn read_only_response_headers_per_trigger() {
    let read_only = "The Lambda function result failed validation: The function tried to add, delete, or change a read-only header.";
    let ev = event(Trigger::OriginResponse);
    let mut response = response_of(&ev);
    response["headers"]["content-length"][0]["value"] = json!("5");
    assert!(check(Trigger::OriginResponse, &ev, &response).is_ok());
    response["headers"]["transfer-encoding"] = json!([{"value": "chunked"}]);
    assert_eq!(
        message(check(Trigger::OriginResponse, &ev, &response)),
        read_only
    );
    let ev = event(Trigger::ViewerResponse);
    for name in [
        "content-length",
        "content-encoding",
        "warning",
        "via",
        "transfer-encoding",
    ] {
        let mut response = response_of(&ev);
        response["headers"][name] = json!([{"value": "changed"}]);
        assert_eq!(
            message(check(Trigger::ViewerResponse, &ev, &response)),
            read_only,
            "{name}"
        );
    }
    let mut response = response_of(&ev);
    response["headers"]["strict-transport-security"] = json!([{"value": "max-age=63072000"}]);
    assert!(check(Trigger::ViewerResponse, &ev, &response).is_ok());
}

#[test]
fn disallowed_headers_cannot_be_added() {
    let ev = event(Trigger::OriginResponse);
    for name in ["x-cache", "x-amz-cf-pop", "connection", "x-edge-location"] {
        let mut response = response_of(&ev);
        response["headers"][name] = json!([{"value": "x"}]);
        let msg = message(check(Trigger::OriginResponse, &ev, &response));
        assert!(msg.contains("disallowed header"), "{name}: {msg}");
    }
    let ev = event(Trigger::ViewerRequest);
    let generated = json!({"status": "200", "headers": {"x-real-ip": [{"value": "1.2.3.4"}]}});
    assert!(message(check(Trigger::ViewerRequest, &ev, &generated)).contains("disallowed header"));
}

#[test]
fn viewer_request_cannot_add_the_viewer_country_header_but_origin_request_can() {
    let ev = event(Trigger::ViewerRequest);
    let mut request = request_of(&ev);
    request["headers"]["cloudfront-viewer-country"] = json!([{"value": "FR"}]);
    assert!(
        message(check(Trigger::ViewerRequest, &ev, &request)).contains("CloudFront-Viewer-Country")
    );
    let ev = event(Trigger::OriginRequest);
    let mut request = request_of(&ev);
    request["headers"]["cloudfront-viewer-country"] = json!([{"value": "FR"}]);
    assert!(check(Trigger::OriginRequest, &ev, &request).is_ok());
}

#[test]
fn uri_and_querystring_rules() {
    let ev = event(Trigger::ViewerRequest);
    let with = |key: &str, value: Value| {
        let mut request = request_of(&ev);
        request[key] = value;
        check(Trigger::ViewerRequest, &ev, &request)
    };
    assert!(message(with("uri", json!("no-slash"))).contains("must start with a slash"));
    assert!(message(with("uri", json!("/a b"))).contains("no spaces"));
    assert!(message(with("uri", json!(3))).contains("must be a string"));
    assert!(message(with("querystring", json!("a=1#x"))).contains("#"));
    assert!(message(with("querystring", json!({"a": "1"}))).contains("must be a string"));
    assert!(
        message(with("uri", json!(format!("/{}", "a".repeat(8191))))).contains("shorter than 8192")
    );
    assert!(with("querystring", json!("a=%20b")).is_ok());
    let mut request = request_of(&ev);
    request.as_object_mut().unwrap().remove("uri");
    assert!(message(check(Trigger::ViewerRequest, &ev, &request)).contains("must contain a uri"));
}

#[test]
fn method_and_client_ip_are_read_only() {
    let ev = event(Trigger::ViewerRequest);
    let mut request = request_of(&ev);
    request["method"] = json!("DELETE");
    let verdict = check(Trigger::ViewerRequest, &ev, &request).unwrap();
    assert!(verdict.warnings[0].contains("read-only field method"));
    let LambdaOutput::Request(out) = verdict.output else {
        panic!()
    };
    assert_eq!(out["method"], "GET");
    assert!(strict(Trigger::ViewerRequest, &ev, &request).is_err());
}

#[test]
fn generated_responses_status_body_and_size() {
    let ev = event(Trigger::ViewerRequest);
    let ok = json!({"status": 302, "statusDescription": "Found",
        "headers": {"location": [{"key": "Location", "value": "https://x.example/"}]}});
    let verdict = check(Trigger::ViewerRequest, &ev, &ok).unwrap();
    let LambdaOutput::GeneratedResponse(out) = verdict.output else {
        panic!()
    };
    assert_eq!(out["status"], "302");
    for status in [
        json!(199),
        json!("600"),
        json!("abc"),
        json!(null),
        json!(true),
    ] {
        let bad = json!({"status": status});
        assert!(message(check(Trigger::ViewerRequest, &ev, &bad)).contains("between 200 and 599"));
    }
    let no_content = json!({"status": "204", "body": "x"});
    assert!(message(check(Trigger::ViewerRequest, &ev, &no_content)).contains("204"));
    assert!(check(
        Trigger::OriginRequest,
        &event(Trigger::OriginRequest),
        &no_content
    )
    .is_ok());
    let body = "a".repeat(40 * 1024 + 1);
    let too_big = json!({"status": "200", "body": body});
    assert_eq!(
        message(check(Trigger::ViewerRequest, &ev, &too_big)),
        "The Lambda function result failed validation: The body is not a string, is not an object, or exceeds the maximum size."
    );
    assert!(check(
        Trigger::OriginRequest,
        &event(Trigger::OriginRequest),
        &too_big
    )
    .is_ok());
    let huge = json!({"status": "200", "body": "a".repeat(1024 * 1024 + 1)});
    assert!(check(
        Trigger::OriginRequest,
        &event(Trigger::OriginRequest),
        &huge
    )
    .is_err());
    let not_string = json!({"status": "200", "body": {"a": 1}});
    assert!(message(check(Trigger::ViewerRequest, &ev, &not_string))
        .contains("The body is not a string"));
    let bad_base64 = json!({"status": "200", "body": "***", "bodyEncoding": "base64"});
    assert!(message(check(Trigger::ViewerRequest, &ev, &bad_base64)).contains("not valid base64"));
    let bad_encoding = json!({"status": "200", "body": "x", "bodyEncoding": "gzip"});
    assert!(message(check(Trigger::ViewerRequest, &ev, &bad_encoding)).contains("bodyEncoding"));
}

#[test]
fn viewer_response_cannot_change_the_status_origin_response_can() {
    let ev = event(Trigger::ViewerResponse);
    let mut response = response_of(&ev);
    response["status"] = json!("404");
    assert!(message(check(Trigger::ViewerResponse, &ev, &response))
        .contains("status of a viewer-response"));
    response["status"] = json!(200);
    assert!(check(Trigger::ViewerResponse, &ev, &response).is_ok());
    let ev = event(Trigger::OriginResponse);
    let mut response = response_of(&ev);
    response["status"] = json!(503);
    let LambdaOutput::Response(out) = check(Trigger::OriginResponse, &ev, &response)
        .unwrap()
        .output
    else {
        panic!()
    };
    assert_eq!(out["status"], "503");
    response["status"] = json!(700);
    assert!(check(Trigger::OriginResponse, &ev, &response).is_err());
    let mut response = response_of(&ev);
    response.as_object_mut().unwrap().remove("status");
    assert!(
        message(check(Trigger::OriginResponse, &ev, &response)).contains("must contain a status")
    );
}

#[test]
fn response_bodies_origin_response_replaces_viewer_response_warns() {
    let ev = event(Trigger::OriginResponse);
    let mut response = response_of(&ev);
    response["body"] = json!("replaced");
    assert!(check(Trigger::OriginResponse, &ev, &response)
        .unwrap()
        .warnings
        .is_empty());
    response["body"] = json!("a".repeat(1024 * 1024 + 1));
    assert!(check(Trigger::OriginResponse, &ev, &response).is_err());
    let ev = event(Trigger::ViewerResponse);
    let mut response = response_of(&ev);
    response["body"] = json!("x");
    assert!(check(Trigger::ViewerResponse, &ev, &response)
        .unwrap()
        .warnings[0]
        .contains("viewer-response function set a body"));
    assert!(strict(Trigger::ViewerResponse, &ev, &response).is_err());
}

#[test]
fn request_body_replace_and_read_only_rules() {
    let options = GenerateOptions {
        method: "POST".into(),
        body: Some("a=1".into()),
        ..GenerateOptions::default()
    };
    let ev = generate_event(Trigger::ViewerRequest, &options).unwrap();
    let original_body = request_of(&ev)["body"].clone();
    // read-only: changes are ignored, the original body stays.
    let mut request = request_of(&ev);
    request["body"]["data"] = json!("Yj0y");
    let LambdaOutput::Request(out) = check(Trigger::ViewerRequest, &ev, &request).unwrap().output
    else {
        panic!()
    };
    assert_eq!(out["body"], original_body);
    // replace with text within 40 KB is fine; above is the body message.
    request["body"] = json!({"action": "replace", "encoding": "text", "data": "b=2"});
    assert!(check(Trigger::ViewerRequest, &ev, &request).is_ok());
    request["body"]["data"] = json!("a".repeat(40 * 1024 + 1));
    assert!(
        message(check(Trigger::ViewerRequest, &ev, &request)).contains("exceeds the maximum size")
    );
    // base64 is allowed up to 53.2 KB at viewer-request and must decode.
    request["body"] =
        json!({"action": "replace", "encoding": "base64", "data": "QUJD".repeat(13_000)});
    assert!(check(Trigger::ViewerRequest, &ev, &request).is_ok());
    request["body"]["data"] = json!("QUJD".repeat(13_400));
    assert!(check(Trigger::ViewerRequest, &ev, &request).is_err());
    request["body"]["data"] = json!("not base64!");
    assert!(message(check(Trigger::ViewerRequest, &ev, &request)).contains("not valid base64"));
    request["body"] = json!({"action": "delete"});
    assert!(message(check(Trigger::ViewerRequest, &ev, &request)).contains("read-only or replace"));
    request["body"] = json!("raw");
    assert!(
        message(check(Trigger::ViewerRequest, &ev, &request)).contains("The body is not a string")
    );
}

#[test]
fn origin_changes_only_in_origin_request() {
    let ev = event(Trigger::OriginRequest);
    let mut request = request_of(&ev);
    request["origin"]["custom"]["domainName"] = json!("eu.example.test");
    request["origin"]["custom"]["port"] = json!(8443);
    assert!(check(Trigger::OriginRequest, &ev, &request).is_ok());
    request["origin"]["custom"]["port"] = json!(22);
    assert!(message(check(Trigger::OriginRequest, &ev, &request))
        .contains("The origin is invalid: request.origin.custom.port"));
    request["origin"] = json!({"custom": {}, "s3": {}});
    assert!(message(check(Trigger::OriginRequest, &ev, &request)).contains("exactly one"));
    let ev = event(Trigger::ViewerRequest);
    let mut request = request_of(&ev);
    request["origin"] =
        json!({"custom": {"domainName": "x.example", "port": 443, "protocol": "https"}});
    let verdict = check(Trigger::ViewerRequest, &ev, &request).unwrap();
    assert!(verdict.warnings[0].contains("Only origin-request"));
    let LambdaOutput::Request(out) = verdict.output else {
        panic!()
    };
    assert!(out.get("origin").is_none());
}

#[test]
fn failures_map_to_the_502_validation_page() {
    let error = LambdaValidationError::failed("x", "y");
    let failure = EdgeFailure::from(error);
    assert_eq!(failure.status(), 502);
    assert_eq!(failure.x_cache(), "LambdaValidationError from cloudfront");
    assert_eq!(
        failure.message(),
        "The Lambda function result failed validation: y"
    );
}
