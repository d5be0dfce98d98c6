//! Tests for building CloudFront Functions events from `http` parts (§3.3–§3.5).

use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::json;

use super::*;

fn parts(uri: &str, headers: &[(&str, &str)]) -> http::request::Parts {
    let mut builder = http::Request::builder().method("GET").uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap().into_parts().0
}

fn header_map(headers: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

#[test]
fn the_documented_viewer_request_example_is_reproduced() {
    let request = parts(
        "/media/index.html?lang=en&tag=a&tag=b&flag",
        &[
            ("Host", "www.example.test"),
            ("Accept", "text/html, application/xhtml+xml"),
            ("Cookie", "sid=k7x2; Theme=dark"),
        ],
    );
    let ctx = EventContext {
        distribution_domain_name: Some("d1sim2example.cloudfront.net".into()),
        endpoint: None,
        distribution_id: Some("E1SIMEXAMPLE23".into()),
        request_id: Some("req-1".into()),
    };
    let event = request_event(&request, "203.0.113.10", &ctx);
    assert_eq!(
        event,
        json!({
            "version": "1.0",
            "context": {
                "distributionDomainName": "d1sim2example.cloudfront.net",
                "distributionId": "E1SIMEXAMPLE23",
                "eventType": "viewer-request",
                "requestId": "req-1"
            },
            "viewer": {"ip": "203.0.113.10"},
            "request": {
                "method": "GET",
                "uri": "/media/index.html",
                "querystring": {
                    "lang": {"value": "en"},
                    "tag": {"value": "a", "multiValue": [{"value": "a"}, {"value": "b"}]},
                    "flag": {"value": ""}
                },
                "headers": {
                    "host": {"value": "www.example.test"},
                    "accept": {"value": "text/html, application/xhtml+xml"}
                },
                "cookies": {"sid": {"value": "k7x2"}, "Theme": {"value": "dark"}}
            }
        })
    );
}

#[test]
fn repeated_query_parameters_become_value_plus_multi_value_with_every_occurrence() {
    let request = request_part(&parts("/?t=1&u=x&t=2&t=3", &[]));
    assert_eq!(
        request["querystring"]["t"],
        json!({"value": "1", "multiValue": [{"value": "1"}, {"value": "2"}, {"value": "3"}]})
    );
    assert_eq!(request["querystring"]["u"], json!({"value": "x"}));
}

#[test]
fn query_values_stay_percent_encoded() {
    let request = request_part(&parts("/?q=%E5%AE%B6&a+b=c+d", &[]));
    assert_eq!(request["querystring"]["q"]["value"], "%E5%AE%B6");
    assert_eq!(request["querystring"]["a+b"]["value"], "c+d");
}

#[test]
fn a_parameter_without_a_value_has_an_empty_value_and_empty_pairs_are_skipped() {
    let request = request_part(&parts("/?flag&&a=", &[]));
    assert_eq!(
        request["querystring"],
        json!({"flag": {"value": ""}, "a": {"value": ""}})
    );
}

#[test]
fn a_request_without_a_query_has_an_empty_querystring_map() {
    let request = request_part(&parts("/x", &[]));
    assert_eq!(request["querystring"], json!({}));
    assert_eq!(request["cookies"], json!({}));
}

#[test]
fn header_names_are_lower_cased_and_repeats_fold_into_multi_value() {
    let request = request_part(&parts(
        "/",
        &[
            ("X-Forwarded-For", "1.1.1.1"),
            ("X-Forwarded-For", "2.2.2.2"),
        ],
    ));
    assert_eq!(
        request["headers"]["x-forwarded-for"],
        json!({"value": "1.1.1.1",
               "multiValue": [{"value": "1.1.1.1"}, {"value": "2.2.2.2"}]})
    );
}

#[test]
fn a_comma_separated_header_is_not_split() {
    let request = request_part(&parts("/", &[("Accept", "a, b, c")]));
    assert_eq!(request["headers"]["accept"], json!({"value": "a, b, c"}));
}

#[test]
fn cookie_headers_are_parsed_into_cookies_and_removed_from_headers() {
    let request = request_part(&parts(
        "/",
        &[("Cookie", "a=1; b=2"), ("Cookie", "a=3"), ("Host", "h")],
    ));
    assert!(request["headers"].get("cookie").is_none());
    assert_eq!(
        request["cookies"],
        json!({"a": {"value": "1", "multiValue": [{"value": "1"}, {"value": "3"}]},
               "b": {"value": "2"}})
    );
}

#[test]
fn a_request_without_host_gets_one_from_the_uri_authority() {
    let request = request_part(&parts("https://www.example.test/p", &[]));
    assert_eq!(
        request["headers"]["host"],
        json!({"value": "www.example.test"})
    );
    assert_eq!(request["uri"], "/p");
}

#[test]
fn a_non_utf8_header_value_is_read_as_latin1() {
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts
        .headers
        .insert("x-name", HeaderValue::from_bytes(b"caf\xe9").unwrap());
    assert_eq!(request_part(&parts)["headers"]["x-name"]["value"], "café");
}

#[test]
fn set_cookie_becomes_cookies_with_the_raw_attribute_text() {
    let response = response_event_part(
        StatusCode::OK,
        &header_map(&[
            ("Content-Type", "text/html"),
            ("Set-Cookie", "sid=k7x2; Path=/; Secure; HttpOnly"),
            ("Set-Cookie", "sid=old; Path=/legacy"),
            ("Set-Cookie", "plain=1"),
        ]),
    );
    assert_eq!(
        response,
        json!({
            "statusCode": 200,
            "statusDescription": "OK",
            "headers": {"content-type": {"value": "text/html"}},
            "cookies": {
                "sid": {"value": "k7x2", "attributes": "Path=/; Secure; HttpOnly",
                        "multiValue": [
                            {"value": "k7x2", "attributes": "Path=/; Secure; HttpOnly"},
                            {"value": "old", "attributes": "Path=/legacy"}]},
                "plain": {"value": "1", "attributes": ""}
            }
        })
    );
}

#[test]
fn a_cookie_value_may_contain_equals_signs() {
    let response = response_event_part(
        StatusCode::OK,
        &header_map(&[("Set-Cookie", "t=a=b; Path=/")]),
    );
    assert_eq!(response["cookies"]["t"]["value"], "a=b");
}

#[test]
fn the_status_description_is_the_canonical_reason_and_absent_without_one() {
    let known = response_event_part(StatusCode::NOT_FOUND, &HeaderMap::new());
    assert_eq!(known["statusDescription"], "Not Found");
    let unknown = StatusCode::from_u16(599).unwrap();
    assert!(response_event_part(unknown, &HeaderMap::new())
        .get("statusDescription")
        .is_none());
}

#[test]
fn a_viewer_response_event_carries_request_and_response() {
    let event = viewer_response_event(
        &parts("/", &[("Host", "h")]),
        StatusCode::OK,
        &HeaderMap::new(),
        "192.0.2.1",
        &EventContext::default(),
    );
    assert_eq!(event["context"], json!({"eventType": "viewer-response"}));
    assert_eq!(event["response"]["statusCode"], 200);
    assert_eq!(event["request"]["headers"]["host"]["value"], "h");
}
