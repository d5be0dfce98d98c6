//! Tests for `parse_event`: partial events, defaults, and the messages for malformed files.

use serde_json::json;

use super::parse_event;
use crate::error::ModelError;

fn error_text(event: serde_json::Value) -> String {
    match parse_event(&event) {
        Ok(ok) => panic!("expected an error, got {ok}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn the_smallest_aws_cli_event_is_accepted_and_its_maps_are_filled_in() {
    let event = json!({
        "context": {"eventType": "viewer-request"},
        "viewer": {"ip": "198.51.100.11"},
        "request": {"method": "GET", "uri": "/index.html",
                    "headers": {"host": {"value": "example.org"}}}
    });
    let parsed = parse_event(&event).unwrap();
    assert_eq!(
        parsed,
        json!({
            "version": "1.0",
            "context": {"eventType": "viewer-request"},
            "viewer": {"ip": "198.51.100.11"},
            "request": {"method": "GET", "uri": "/index.html",
                        "headers": {"host": {"value": "example.org"}},
                        "querystring": {}, "cookies": {}}
        })
    );
}

#[test]
fn a_missing_event_type_is_inferred_from_the_presence_of_a_response() {
    let request = json!({"method": "GET", "uri": "/"});
    let without = parse_event(&json!({"request": request})).unwrap();
    assert_eq!(without["context"]["eventType"], "viewer-request");
    let with = parse_event(&json!({"request": request, "response": {"statusCode": 200}})).unwrap();
    assert_eq!(with["context"]["eventType"], "viewer-response");
}

#[test]
fn a_viewer_response_event_gets_empty_response_headers_and_cookies() {
    let event = json!({
        "context": {"eventType": "viewer-response"},
        "request": {"method": "GET", "uri": "/"},
        "response": {"statusCode": 404}
    });
    let parsed = parse_event(&event).unwrap();
    assert_eq!(
        parsed["response"],
        json!({"statusCode": 404, "headers": {}, "cookies": {}})
    );
}

#[test]
fn keys_edgesim_does_not_model_pass_through_to_the_function() {
    // AWS's sample events spell `multivalue`; the function must see it as written.
    let event = json!({
        "request": {"method": "GET", "uri": "/",
                    "headers": {"accept": {"value": "a", "multivalue": [{"value": "a"}]}}}
    });
    let parsed = parse_event(&event).unwrap();
    assert_eq!(
        parsed["request"]["headers"]["accept"]["multivalue"],
        json!([{"value": "a"}])
    );
}

#[test]
fn a_lambda_edge_event_is_refused_with_a_pointer_to_invoke() {
    let err = parse_event(&json!({"Records": [{"cf": {}}]})).unwrap_err();
    assert!(matches!(err, ModelError::LambdaEdgeEvent));
    assert!(err.to_string().contains("edgesim invoke"));
}

#[test]
fn a_wrongly_typed_uri_names_the_field_and_both_types() {
    let text = error_text(json!({"request": {"method": "GET", "uri": 3}}));
    assert_eq!(text, "request.uri: expected a string, found number");
}

#[test]
fn a_missing_method_is_reported() {
    let text = error_text(json!({"request": {"uri": "/"}}));
    assert_eq!(text, "request.method: missing, expected a string");
}

#[test]
fn a_missing_request_is_reported() {
    assert_eq!(
        error_text(json!({"context": {"eventType": "viewer-request"}})),
        "request: missing, expected an object"
    );
}

#[test]
fn a_document_that_is_not_an_object_is_reported() {
    assert_eq!(
        error_text(json!([1])),
        "event: expected an object, found array"
    );
}

#[test]
fn an_origin_event_type_is_refused_with_a_hint() {
    let text = error_text(json!({
        "context": {"eventType": "origin-request"},
        "request": {"method": "GET", "uri": "/"}
    }));
    assert!(text.starts_with(
        "context.eventType: expected \"viewer-request\" or \"viewer-response\", \
         found \"origin-request\""
    ));
    assert!(text.contains("Lambda@Edge"));
}

#[test]
fn a_header_value_of_the_wrong_type_names_the_nested_path() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/", "headers": {"host": {"value": 1}}}
    }));
    assert_eq!(
        text,
        "request.headers.host.value: expected a string, found number"
    );
}

#[test]
fn a_bare_string_header_is_reported_as_needing_an_entry_object() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/", "headers": {"host": "example.org"}}
    }));
    assert_eq!(
        text,
        "request.headers.host: expected an object with a string `value`, found string"
    );
}

#[test]
fn a_bad_multi_value_element_names_its_index() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/",
                    "querystring": {"t": {"value": "a", "multiValue": [{"value": "a"}, {}]}}}
    }));
    assert_eq!(
        text,
        "request.querystring.t.multiValue[1].value: missing, expected a string"
    );
}

#[test]
fn upper_case_header_names_are_refused_in_an_event() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/", "headers": {"Host": {"value": "x"}}}
    }));
    assert!(text.starts_with("request.headers.Host: header names must be lower case"));
}

#[test]
fn a_cookie_header_is_refused_with_a_pointer_to_the_cookies_map() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/", "headers": {"cookie": {"value": "a=1"}}}
    }));
    assert!(text.contains("use request.cookies"), "{text}");
}

#[test]
fn a_set_cookie_header_in_the_response_is_refused() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/"},
        "response": {"statusCode": 200, "headers": {"set-cookie": {"value": "a=1"}}}
    }));
    assert!(text.contains("use response.cookies"), "{text}");
}

#[test]
fn a_string_querystring_is_refused_in_an_event() {
    let text = error_text(json!({"request": {"method": "GET", "uri": "/", "querystring": "a=1"}}));
    assert_eq!(
        text,
        "request.querystring: expected an object, found string"
    );
}

#[test]
fn a_viewer_response_event_without_a_response_is_refused() {
    let text = error_text(json!({
        "context": {"eventType": "viewer-response"},
        "request": {"method": "GET", "uri": "/"}
    }));
    assert!(text.starts_with("response: missing"), "{text}");
}

#[test]
fn a_viewer_request_event_with_a_response_is_refused() {
    let text = error_text(json!({
        "context": {"eventType": "viewer-request"},
        "request": {"method": "GET", "uri": "/"},
        "response": {"statusCode": 200}
    }));
    assert!(text.starts_with("response: a viewer-request event has no response"));
}

#[test]
fn a_string_status_code_is_refused() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/"}, "response": {"statusCode": "200"}
    }));
    assert_eq!(
        text,
        "response.statusCode: expected an integer, found string"
    );
}

#[test]
fn a_status_code_out_of_range_is_refused() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/"}, "response": {"statusCode": 1000}
    }));
    assert_eq!(
        text,
        "response.statusCode: expected an integer from 100 to 599, found 1000"
    );
}

#[test]
fn response_cookie_attributes_must_be_text() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/"},
        "response": {"statusCode": 200, "cookies": {"a": {"value": "1", "attributes": false}}}
    }));
    assert_eq!(
        text,
        "response.cookies.a.attributes: expected a string, found boolean"
    );
}

#[test]
fn an_unknown_body_encoding_is_refused() {
    let text = error_text(json!({
        "request": {"method": "GET", "uri": "/"},
        "response": {"statusCode": 200, "body": {"encoding": "gzip", "data": ""}}
    }));
    assert!(text.starts_with("response.body.encoding: expected \"text\" or \"base64\""));
}

#[test]
fn context_identifiers_must_be_strings() {
    let text = error_text(json!({
        "context": {"requestId": 5}, "request": {"method": "GET", "uri": "/"}
    }));
    assert_eq!(text, "context.requestId: expected a string, found number");
}

#[test]
fn the_viewer_ip_must_be_a_string() {
    let text =
        error_text(json!({"viewer": {"ip": null}, "request": {"method": "GET", "uri": "/"}}));
    assert_eq!(text, "viewer.ip: expected a string, found null");
}

#[test]
fn a_non_string_version_is_refused_and_a_given_version_is_kept() {
    let text = error_text(json!({"version": 1, "request": {"method": "GET", "uri": "/"}}));
    assert_eq!(text, "version: expected a string, found number");
    let parsed =
        parse_event(&json!({"version": "1.0", "request": {"method": "GET", "uri": "/"}})).unwrap();
    assert_eq!(parsed["version"], "1.0");
}
