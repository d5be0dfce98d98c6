//! Tests for the §4.2 normalisation of a function's return value.

use serde_json::json;

use super::*;

fn output(value: Value) -> Value {
    normalize(&value).unwrap().function_output()
}

#[test]
fn a_returned_request_keeps_only_the_five_request_fields() {
    let normalized = output(json!({
        "method": "GET", "uri": "/x", "querystring": {}, "headers": {}, "cookies": {},
        "clientIp": "1.2.3.4", "rawQueryString": "a=1", "extra": true
    }));
    assert_eq!(
        normalized,
        json!({"request": {"method": "GET", "uri": "/x", "querystring": {}, "headers": {},
                           "cookies": {}}})
    );
}

#[test]
fn missing_querystring_headers_and_cookies_become_empty_maps() {
    let normalized = output(json!({"method": "GET", "uri": "/"}));
    assert_eq!(
        normalized["request"],
        json!({"method": "GET", "uri": "/", "querystring": {}, "headers": {}, "cookies": {}})
    );
    let from_null = output(json!({"method": "GET", "uri": "/", "headers": null}));
    assert_eq!(from_null["request"]["headers"], json!({}));
}

#[test]
fn keys_other_than_value_and_multi_value_are_dropped_from_entries() {
    // AWS's sample events spell `multivalue`; it never survives into FunctionOutput.
    let normalized = output(json!({
        "method": "GET", "uri": "/",
        "headers": {"accept": {"value": "a", "multivalue": [{"value": "a"}], "key": "Accept"}},
        "querystring": {"t": {"value": "1", "multiValue": [{"value": "1", "x": 0}]}}
    }));
    assert_eq!(
        normalized["request"]["headers"]["accept"],
        json!({"value": "a"})
    );
    assert_eq!(
        normalized["request"]["querystring"]["t"],
        json!({"value": "1", "multiValue": [{"value": "1"}]})
    );
}

#[test]
fn response_cookies_keep_their_attributes_and_request_cookies_do_not() {
    let response = output(json!({
        "statusCode": 200,
        "cookies": {"sid": {"value": "1", "attributes": "Path=/", "junk": 1,
                            "multiValue": [{"value": "1", "attributes": "Path=/", "junk": 2}]}}
    }));
    assert_eq!(
        response["response"]["cookies"]["sid"],
        json!({"value": "1", "attributes": "Path=/",
               "multiValue": [{"value": "1", "attributes": "Path=/"}]})
    );
    let request = output(json!({
        "method": "GET", "uri": "/", "cookies": {"sid": {"value": "1", "attributes": "x"}}
    }));
    assert_eq!(request["request"]["cookies"]["sid"], json!({"value": "1"}));
}

#[test]
fn a_generated_response_gets_empty_headers_and_cookies() {
    let normalized = output(json!({"statusCode": 401, "statusDescription": "Unauthorized"}));
    assert_eq!(
        normalized,
        json!({"response": {"statusCode": 401, "statusDescription": "Unauthorized",
                            "headers": {}, "cookies": {}}})
    );
}

#[test]
fn the_published_redirect_function_output_is_reproduced() {
    // §13.2: the FunctionOutput of a viewer-request redirect (compare parsed JSON, not bytes).
    let returned = json!({
        "statusCode": 301, "statusDescription": "Moved Permanently",
        "headers": {"location": {"value": "https://www.example.test/"}}
    });
    let published: Value = serde_json::from_str(
        "{\"response\":{\"headers\":{\"location\":{\"value\":\"https://www.example.test/\"}},\
         \"statusDescription\":\"Moved Permanently\",\"cookies\":{},\"statusCode\":301}}",
    )
    .unwrap();
    assert_eq!(output(returned), published);
}

#[test]
fn a_response_keeps_its_body_and_drops_unknown_fields() {
    let normalized = output(json!({"statusCode": 200, "body": "hi", "bodyEncoding": "text"}));
    assert_eq!(
        normalized["response"],
        json!({"statusCode": 200, "headers": {}, "cookies": {}, "body": "hi"})
    );
}

#[test]
fn value_types_are_preserved() {
    let normalized = output(json!({"method": "GET", "uri": "/", "headers": {"x": {"value": 5}}}));
    assert_eq!(normalized["request"]["headers"]["x"]["value"], json!(5));
    let normalized = output(json!({"statusCode": "200"}));
    assert_eq!(normalized["response"]["statusCode"], json!("200"));
}

#[test]
fn a_string_querystring_stays_a_string() {
    let normalized = output(json!({"method": "GET", "uri": "/", "querystring": "b=2&a=1"}));
    assert_eq!(normalized["request"]["querystring"], "b=2&a=1");
}

#[test]
fn status_code_makes_a_response_even_next_to_request_fields() {
    let normalized = normalize(&json!({"statusCode": 200, "method": "GET"})).unwrap();
    assert!(normalized.is_response());
    assert!(normalized.object().get("method").is_none());
}

#[test]
fn a_value_that_is_not_an_object_cannot_be_normalised() {
    let err = normalize(&json!("done")).unwrap_err();
    assert_eq!(err, ValidationError::NotAnObject { found: "string" });
    assert_eq!(
        normalize(&Value::Null).unwrap_err(),
        ValidationError::NotAnObject { found: "null" }
    );
}

#[test]
fn returning_the_whole_event_is_neither_a_request_nor_a_response() {
    let event = json!({"version": "1.0", "context": {}, "request": {"method": "GET", "uri": "/"}});
    assert_eq!(
        normalize(&event).unwrap_err(),
        ValidationError::NeitherRequestNorResponse
    );
}

#[test]
fn a_map_or_entry_of_the_wrong_type_is_reported_with_its_path() {
    let err = normalize(&json!({"method": "GET", "uri": "/", "headers": "x"})).unwrap_err();
    assert_eq!(
        err.message(),
        "The CloudFront function returned an invalid value: request.headers must be an object."
    );
    let err = normalize(&json!({"method": "GET", "uri": "/", "headers": {"x": "v"}})).unwrap_err();
    assert_eq!(
        err,
        ValidationError::malformed("request.headers.x", "an object with a value")
    );
    let err = normalize(&json!({"method": "GET", "uri": "/", "querystring": 3})).unwrap_err();
    assert_eq!(
        err,
        ValidationError::malformed("request.querystring", "an object or a string")
    );
    let err = normalize(&json!({"statusCode": 200,
        "headers": {"x": {"value": "v", "multiValue": "v"}}}))
    .unwrap_err();
    assert_eq!(
        err,
        ValidationError::malformed("response.headers.x.multiValue", "an array")
    );
}
