use super::*;
use crate::lambda::origin::CustomOrigin;

fn parts(method: &str, target: &str, headers: &[(&str, &str)]) -> http::request::Parts {
    let mut builder = http::Request::builder().method(method).uri(target);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap().into_parts().0
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn viewer_request_has_config_and_the_request_core_only() {
    let head = parts("GET", "/a/b.html?x=1&y", &[("Host", "shop.example.test")]);
    let origin = Origin::Custom(CustomOrigin::new("o.example"));
    let event = request_event(
        Trigger::ViewerRequest,
        &EventConfig::default(),
        &head,
        "192.0.2.44",
        None,
        Some(&origin),
    );
    let cf = cf(&event).unwrap();
    assert_eq!(keys(cf), ["config", "request"]);
    assert_eq!(
        cf["config"],
        json!({
            "distributionDomainName": "d3sim9example.cloudfront.net",
            "distributionId": "E3SIMEXAMPLE45",
            "eventType": "viewer-request",
            "requestId": "Vt8simExampleRequestId_docs_only-4f9Qm2LxK0pZ7aWc3Rb=="
        })
    );
    assert_eq!(
        cf["request"],
        json!({
            "clientIp": "192.0.2.44",
            "headers": {"host": [{"key": "Host", "value": "shop.example.test"}]},
            "method": "GET",
            "querystring": "x=1&y",
            "uri": "/a/b.html"
        })
    );
}

#[test]
fn origin_request_carries_the_origin_and_the_body_with_include_body() {
    let head = parts("POST", "/form", &[("host", "o.example")]);
    let origin = Origin::Custom(CustomOrigin::new("o.example"));
    let event = request_event(
        Trigger::OriginRequest,
        &EventConfig::default(),
        &head,
        "2001:db8::1",
        Some(b"city=lyon"),
        Some(&origin),
    );
    let request = &cf(&event).unwrap()["request"];
    assert_eq!(
        keys(request),
        [
            "clientIp",
            "headers",
            "method",
            "querystring",
            "uri",
            "body",
            "origin"
        ]
    );
    assert_eq!(
        request["body"],
        json!({"inputTruncated": false, "action": "read-only", "encoding": "base64", "data": "Y2l0eT1seW9u"})
    );
    assert_eq!(request["origin"]["custom"]["domainName"], "o.example");
    assert_eq!(request["querystring"], "");
}

#[test]
fn include_body_truncates_at_40_kb_for_viewer_and_1_mb_for_origin() {
    let big = vec![b'a'; 2 * 1024 * 1024];
    let viewer = body_object(Trigger::ViewerRequest, &big);
    assert_eq!(viewer["inputTruncated"], true);
    let data = base64::engine::general_purpose::STANDARD
        .decode(viewer["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(data.len(), 40 * 1024);
    let origin = body_object(Trigger::OriginRequest, &big);
    let data = base64::engine::general_purpose::STANDARD
        .decode(origin["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(data.len(), 1024 * 1024);
    assert_eq!(origin["inputTruncated"], true);
    let exact = body_object(Trigger::ViewerRequest, &big[..40 * 1024]);
    assert_eq!(exact["inputTruncated"], false);
    let empty = body_object(Trigger::ViewerRequest, b"");
    assert_eq!(empty["data"], "");
}

#[test]
fn response_events_drop_the_body_and_viewer_response_drops_the_origin() {
    let head = parts("POST", "/x", &[("host", "h")]);
    let origin = Origin::Custom(CustomOrigin::new("o.example"));
    let request_event = request_event(
        Trigger::OriginRequest,
        &EventConfig::default(),
        &head,
        "192.0.2.1",
        Some(b"x"),
        Some(&origin),
    );
    let request = &cf(&request_event).unwrap()["request"];
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "text/html".parse().unwrap());
    headers.insert("x-cache", "Miss from cloudfront".parse().unwrap());
    let status = StatusCode::NOT_FOUND;

    let origin_response = response_event(
        Trigger::OriginResponse,
        &EventConfig::default(),
        request,
        status,
        &headers,
    );
    let cf_or = cf(&origin_response).unwrap();
    assert_eq!(keys(cf_or), ["config", "request", "response"]);
    assert!(cf_or["request"].get("body").is_none());
    assert!(cf_or["request"].get("origin").is_some());
    assert_eq!(
        cf_or["response"],
        json!({"status": "404", "statusDescription": "Not Found",
               "headers": {"content-type": [{"key": "Content-Type", "value": "text/html"}]}})
    );

    let viewer_response = response_event(
        Trigger::ViewerResponse,
        &EventConfig::default(),
        request,
        StatusCode::OK,
        &headers,
    );
    let cf_vr = cf(&viewer_response).unwrap();
    assert!(cf_vr["request"].get("origin").is_none());
    assert_eq!(cf_vr["config"]["eventType"], "viewer-response");
    assert_eq!(cf_vr["response"]["status"], "200");
}

#[test]
fn a_request_without_host_gets_one_from_the_authority() {
    let head = parts("GET", "https://h2.example/p", &[("accept", "*/*")]);
    let request = request_object(&head, "192.0.2.1");
    assert_eq!(keys(&request["headers"]), ["host", "accept"]);
    assert_eq!(request["headers"]["host"][0]["value"], "h2.example");
}

#[test]
fn event_files_are_checked_and_name_the_field() {
    let ok = json!({"Records": [{"cf": {"config": {"eventType": "origin-response"},
        "request": {}, "response": {}}}]});
    assert_eq!(parse_event(&ok).unwrap(), Some(Trigger::OriginResponse));
    let legacy = json!({"Records": [{"cf": {"request": {"uri": "/"}}}]});
    assert_eq!(parse_event(&legacy).unwrap(), None);
    let cases = [
        (json!({}), "Records: missing"),
        (json!({"Records": []}), "Records: is empty"),
        (json!({"Records": [{}]}), "Records[0].cf: missing"),
        (
            json!({"Records": [{"cf": {"request": 1}}]}),
            "Records[0].cf.request: expected an object",
        ),
        (
            json!({"Records": [{"cf": {"config": {"eventType": "x"}, "request": {}}}]}),
            "Records[0].cf.config.eventType: `x` is not",
        ),
        (
            json!({"Records": [{"cf": {"config": {"eventType": "viewer-response"}, "request": {}}}]}),
            "Records[0].cf.response: missing in a viewer-response event",
        ),
        (
            json!({"version": "1.0", "request": {}}),
            "Records: missing: this looks like a CloudFront Functions event",
        ),
    ];
    for (event, message) in cases {
        let err = parse_event(&event).unwrap_err().to_string();
        assert!(err.starts_with(message), "{err} / {message}");
    }
}
