//! Tests for turning a function's returned request or response back into HTTP.

use http::header::{COOKIE, SET_COOKIE};
use serde_json::json;

use super::*;

fn header_values(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_returned_request_becomes_method_target_and_headers() {
    let parts = apply_request(
        &json!({
            "method": "GET", "uri": "/a/b",
            "querystring": {"x": {"value": "1"}, "flag": {"value": ""}},
            "headers": {"host": {"value": "example.org"}, "x-new": {"value": "v"}},
            "cookies": {}
        }),
        None,
    )
    .unwrap();
    assert_eq!(parts.method, Method::GET);
    assert_eq!(parts.uri, "/a/b?x=1&flag");
    assert_eq!(header_values(&parts.headers, "host"), ["example.org"]);
    assert_eq!(header_values(&parts.headers, "x-new"), ["v"]);
    assert!(parts.headers.get(COOKIE).is_none());
}

#[test]
fn a_string_querystring_is_forwarded_verbatim() {
    let parts = apply_request(
        &json!({"method": "GET", "uri": "/", "querystring": "b=2&a=1&a=0"}),
        None,
    )
    .unwrap();
    assert_eq!(parts.uri, "/?b=2&a=1&a=0");
}

#[test]
fn an_empty_querystring_leaves_no_question_mark() {
    for querystring in [json!({}), json!("")] {
        let parts = apply_request(
            &json!({"method": "GET", "uri": "/p", "querystring": querystring}),
            None,
        )
        .unwrap();
        assert_eq!(parts.uri, "/p");
    }
}

#[test]
fn multi_value_query_parameters_are_expanded_in_order() {
    let parts = apply_request(
        &json!({"method": "GET", "uri": "/",
                "querystring": {"t": {"value": "a", "multiValue": [{"value": "a"}, {"value": "b"}]},
                                "u": {"value": "c"}}}),
        None,
    )
    .unwrap();
    assert_eq!(parts.uri, "/?t=a&t=b&u=c");
}

#[test]
fn a_changed_multi_value_is_applied_and_value_ignored() {
    let original =
        json!({"headers": {"x": {"value": "a", "multiValue": [{"value": "a"}, {"value": "b"}]}}});
    let returned = json!({"method": "GET", "uri": "/",
        "headers": {"x": {"value": "a", "multiValue": [{"value": "c"}, {"value": "d"}]}}});
    let parts = apply_request(&returned, Some(&original)).unwrap();
    assert_eq!(header_values(&parts.headers, "x"), ["c", "d"]);
}

#[test]
fn a_changed_value_replaces_only_the_first_occurrence() {
    let original =
        json!({"headers": {"x": {"value": "a", "multiValue": [{"value": "a"}, {"value": "b"}]}}});
    let returned = json!({"method": "GET", "uri": "/",
        "headers": {"x": {"value": "z", "multiValue": [{"value": "a"}, {"value": "b"}]}}});
    let parts = apply_request(&returned, Some(&original)).unwrap();
    assert_eq!(header_values(&parts.headers, "x"), ["z", "b"]);
    // Without the input to compare with, the same reading applies.
    let parts = apply_request(&returned, None).unwrap();
    assert_eq!(header_values(&parts.headers, "x"), ["z", "b"]);
}

#[test]
fn a_new_entry_with_multi_value_uses_the_array() {
    let original = json!({"headers": {}});
    let returned = json!({"method": "GET", "uri": "/",
        "headers": {"x": {"value": "other", "multiValue": [{"value": "1"}, {"value": "2"}]}}});
    let parts = apply_request(&returned, Some(&original)).unwrap();
    assert_eq!(header_values(&parts.headers, "x"), ["1", "2"]);
}

#[test]
fn cookies_are_rejoined_into_one_cookie_header() {
    let parts = apply_request(
        &json!({"method": "GET", "uri": "/",
                "cookies": {"a": {"value": "1"},
                            "b": {"value": "2", "multiValue": [{"value": "2"}, {"value": "3"}]}}}),
        None,
    )
    .unwrap();
    assert_eq!(header_values(&parts.headers, "cookie"), ["a=1; b=2; b=3"]);
}

#[test]
fn numeric_values_are_sent_as_their_text() {
    let parts = apply_request(
        &json!({"method": "GET", "uri": "/", "headers": {"x-n": {"value": 5}}}),
        None,
    )
    .unwrap();
    assert_eq!(header_values(&parts.headers, "x-n"), ["5"]);
}

#[test]
fn values_http_cannot_carry_are_reported_with_their_path() {
    let err = apply_request(
        &json!({"method": "GET", "uri": "/", "headers": {"x": {"value": "a\nb"}}}),
        None,
    )
    .unwrap_err();
    assert!(err
        .to_string()
        .starts_with("request.headers.x: cannot be sent over HTTP"));
    let err = apply_request(&json!({"method": "GET", "uri": "/a b"}), None).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("request.uri: cannot be sent over HTTP"));
}

#[test]
fn a_request_without_a_method_is_reported() {
    let err = apply_request(&json!({"uri": "/"}), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "request.method: missing, expected a string"
    );
}

#[test]
fn a_returned_response_becomes_status_headers_and_set_cookie_lines() {
    let parts = apply_response(
        &json!({
            "statusCode": 302, "statusDescription": "Found",
            "headers": {"location": {"value": "https://example.org/"}},
            "cookies": {
                "sid": {"value": "1", "attributes": "Path=/; Secure"},
                "t": {"value": "x"}
            }
        }),
        None,
    )
    .unwrap();
    assert_eq!(parts.status, StatusCode::FOUND);
    assert_eq!(parts.reason.as_deref(), Some("Found"));
    assert_eq!(
        header_values(&parts.headers, "location"),
        ["https://example.org/"]
    );
    assert_eq!(
        header_values(&parts.headers, SET_COOKIE.as_str()),
        ["sid=1; Path=/; Secure", "t=x"]
    );
    assert_eq!(parts.body, BodyChange::Keep);
}

#[test]
fn each_cookie_occurrence_keeps_its_own_attributes() {
    let cookie = json!({"value": "k7x2", "attributes": "Path=/",
        "multiValue": [{"value": "k7x2", "attributes": "Path=/"},
                       {"value": "old", "attributes": "Path=/legacy"}]});
    let parts = apply_response(
        &json!({"statusCode": 200, "cookies": {"sid": cookie}}),
        None,
    )
    .unwrap();
    assert_eq!(
        header_values(&parts.headers, "set-cookie"),
        ["sid=k7x2; Path=/", "sid=old; Path=/legacy"]
    );
}

#[test]
fn bodies_are_sent_as_text_or_decoded_from_base64() {
    let cases = [
        (json!("hello"), BodyChange::Replace(b"hello".to_vec())),
        (
            json!({"encoding": "text", "data": "hi"}),
            BodyChange::Replace(b"hi".to_vec()),
        ),
        (
            json!({"encoding": "base64", "data": "aGk="}),
            BodyChange::Replace(b"hi".to_vec()),
        ),
        (json!(""), BodyChange::Replace(Vec::new())),
        (
            json!({"encoding": "text", "data": ""}),
            BodyChange::Replace(Vec::new()),
        ),
    ];
    for (body, expected) in cases {
        let parts = apply_response(&json!({"statusCode": 200, "body": body}), None).unwrap();
        assert_eq!(parts.body, expected, "body {body}");
    }
}

#[test]
fn undecodable_base64_is_reported() {
    let err = apply_response(
        &json!({"statusCode": 200, "body": {"encoding": "base64", "data": "@@"}}),
        None,
    )
    .unwrap_err();
    assert!(err
        .to_string()
        .starts_with("response.body.data: invalid base64"));
}

#[test]
fn a_status_http_cannot_represent_is_reported() {
    let err = apply_response(&json!({"statusCode": 42}), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "response.statusCode: 42 is not an HTTP status"
    );
}
