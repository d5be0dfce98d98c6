//! Tests for the edge's checks on a function's return value (§5), one or more per rule.

use serde_json::{json, Value};

use super::*;

fn viewer_request_event() -> Value {
    json!({
        "version": "1.0",
        "context": {"eventType": "viewer-request"},
        "viewer": {"ip": "192.0.2.1"},
        "request": {
            "method": "GET", "uri": "/index.html",
            "querystring": {"a": {"value": "1"}},
            "headers": {"host": {"value": "www.example.test"},
                        "via": {"value": "2.0 abc.cloudfront.net (CloudFront)"}},
            "cookies": {}
        }
    })
}

fn viewer_response_event() -> Value {
    let mut event = viewer_request_event();
    event["context"]["eventType"] = json!("viewer-response");
    event["response"] = json!({
        "statusCode": 200, "statusDescription": "OK",
        "headers": {"content-type": {"value": "text/html"},
                    "content-length": {"value": "10"},
                    "via": {"value": "1.1 abc.cloudfront.net (CloudFront)"}},
        "cookies": {}
    });
    event
}

/// The request of the viewer-request event with `edit` applied, validated with the defaults.
fn returned_request(edit: impl FnOnce(&mut Value)) -> Result<Validated, ValidationError> {
    let event = viewer_request_event();
    let mut request = event["request"].clone();
    edit(&mut request);
    validate(
        EventType::ViewerRequest,
        &event,
        &request,
        &ValidationOptions::default(),
    )
}

/// The response of the viewer-response event with `edit` applied, validated with `opts`.
fn returned_response(
    opts: &ValidationOptions,
    edit: impl FnOnce(&mut Value),
) -> Result<Validated, ValidationError> {
    let event = viewer_response_event();
    let mut response = event["response"].clone();
    edit(&mut response);
    validate(EventType::ViewerResponse, &event, &response, opts)
}

fn defaults() -> ValidationOptions {
    ValidationOptions::default()
}

#[test]
fn the_untouched_request_passes_and_comes_back_normalised() {
    let validated = returned_request(|_| {}).unwrap();
    assert!(!validated.output.is_response());
    assert!(validated.warnings.is_empty());
}

#[test]
fn a_header_added_with_upper_case_letters_is_rejected_with_cloudfronts_message() {
    let err = returned_request(|r| r["headers"]["X-Custom"] = json!({"value": "1"})).unwrap_err();
    assert_eq!(
        err.message(),
        "The CloudFront function returned an invalid value: request.headers must have header \
         names in lower case."
    );
    let err = returned_response(&defaults(), |r| {
        r["headers"]["Cache-Control"] = json!({"value": "no-store"})
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "The CloudFront function returned an invalid value: response.headers must have header \
         names in lower case."
    );
}

#[test]
fn adding_a_disallowed_header_is_rejected() {
    let err =
        returned_request(|r| r["headers"]["x-real-ip"] = json!({"value": "1.1.1.1"})).unwrap_err();
    assert!(
        matches!(err, ValidationError::DisallowedHeader { map: "request.headers", ref name }
        if name == "x-real-ip")
    );
    let err = returned_response(&defaults(), |r| {
        r["headers"]["x-cache"] = json!({"value": "Hit from cloudfront"})
    })
    .unwrap_err();
    assert!(matches!(
        err,
        ValidationError::DisallowedHeader {
            map: "response.headers",
            ..
        }
    ));
}

#[test]
fn the_wildcard_disallowed_families_are_rejected() {
    for name in ["x-amz-cf-pop", "x-edge-origin-shield"] {
        let err = returned_request(|r| r["headers"][name] = json!({"value": "v"})).unwrap_err();
        assert!(
            matches!(err, ValidationError::DisallowedHeader { .. }),
            "{name}"
        );
    }
}

#[test]
fn a_disallowed_header_already_in_a_test_event_may_pass_through_unchanged() {
    let mut event = viewer_request_event();
    event["request"]["headers"]["x-forwarded-proto"] = json!({"value": "https"});
    let request = event["request"].clone();
    assert!(validate(EventType::ViewerRequest, &event, &request, &defaults()).is_ok());
}

#[test]
fn adding_changing_or_deleting_a_read_only_header_is_rejected_with_cloudfronts_message() {
    let added = returned_request(|r| r["headers"]["content-length"] = json!({"value": "0"}));
    let changed = returned_request(|r| r["headers"]["host"] = json!({"value": "other.test"}));
    for result in [added, changed] {
        assert_eq!(
            result.unwrap_err().message(),
            "The CloudFront function tried to add, delete, or change a read-only header."
        );
    }
}

#[test]
fn deleting_a_read_only_header_counts_as_changing_it() {
    let err = returned_request(|r| {
        r["headers"].as_object_mut().unwrap().remove("via");
    })
    .unwrap_err();
    assert!(matches!(err, ValidationError::ReadOnlyHeader { ref name, .. } if name == "via"));
}

#[test]
fn replacing_the_response_with_a_fresh_object_drops_read_only_headers() {
    // aws-samples/amazon-cloudfront-functions#27: the fresh object lacks `via`.
    let event = viewer_response_event();
    let fresh = json!({"statusCode": 200, "headers": {"content-type": {"value": "text/plain"}}});
    let err = validate(EventType::ViewerResponse, &event, &fresh, &defaults()).unwrap_err();
    assert!(matches!(
        err,
        ValidationError::ReadOnlyHeader {
            map: "response.headers",
            ..
        }
    ));
}

#[test]
fn the_viewer_response_read_only_list_is_the_current_one_by_default_and_configurable() {
    let edit = |r: &mut Value| r["headers"]["content-length"] = json!({"value": "99"});
    assert!(returned_response(&defaults(), edit).is_ok());
    let older = ValidationOptions {
        read_only_viewer_response: READ_ONLY_VIEWER_RESPONSE_2023
            .iter()
            .map(|n| n.to_string())
            .collect(),
        ..defaults()
    };
    let err = returned_response(&older, edit).unwrap_err();
    assert!(
        matches!(err, ValidationError::ReadOnlyHeader { ref name, .. }
        if name == "content-length")
    );
    let err = returned_response(&defaults(), |r| {
        r["headers"]["warning"] = json!({"value": "x"})
    })
    .unwrap_err();
    assert!(matches!(err, ValidationError::ReadOnlyHeader { .. }));
}

#[test]
fn test_function_mode_does_not_check_read_only_headers() {
    let event = viewer_request_event();
    let mut request = event["request"].clone();
    request["headers"]["host"] = json!({"value": "other.test"});
    let opts = ValidationOptions::test_function();
    assert!(validate(EventType::ViewerRequest, &event, &request, &opts).is_ok());
}

#[test]
fn a_response_returned_from_viewer_request_is_allowed_without_read_only_checks() {
    let event = viewer_request_event();
    let generated = json!({"statusCode": 302, "statusDescription": "Found",
        "headers": {"location": {"value": "https://example.test/"}, "via": {"value": "x"}}});
    let validated = validate(EventType::ViewerRequest, &event, &generated, &defaults()).unwrap();
    assert!(validated.output.is_response());
}

#[test]
fn a_request_returned_from_viewer_response_is_rejected() {
    let event = viewer_response_event();
    let request = event["request"].clone();
    let err = validate(EventType::ViewerResponse, &event, &request, &defaults()).unwrap_err();
    assert_eq!(err, ValidationError::RequestFromViewerResponse);
}

#[test]
fn changing_or_removing_the_method_is_rejected() {
    let changed = returned_request(|r| r["method"] = json!("POST")).unwrap_err();
    assert_eq!(changed, ValidationError::MethodChanged);
    let removed = returned_request(|r| {
        r.as_object_mut().unwrap().remove("method");
    })
    .unwrap_err();
    assert_eq!(removed, ValidationError::MethodChanged);
}

#[test]
fn a_changed_uri_must_start_with_a_slash() {
    let err = returned_request(|r| r["uri"] = json!("index.html")).unwrap_err();
    assert_eq!(err, ValidationError::InvalidUri);
    assert!(returned_request(|r| r["uri"] = json!("/other.html")).is_ok());
    let err = returned_request(|r| r["uri"] = json!(7)).unwrap_err();
    assert_eq!(err, ValidationError::InvalidUri);
}

#[test]
fn uri_plus_query_string_must_stay_under_8192_characters() {
    // "/" + 8188 characters + "a=1" is 8192 characters in all.
    let too_long = format!("/{}", "x".repeat(8188));
    let err = returned_request(|r| r["uri"] = json!(too_long)).unwrap_err();
    assert_eq!(
        err,
        ValidationError::UriTooLong {
            length: 8192,
            limit: 8192
        }
    );
    let just_under = format!("/{}", "x".repeat(8187));
    assert!(returned_request(|r| r["uri"] = json!(just_under)).is_ok());
}

#[test]
fn a_changed_query_string_with_spaces_control_characters_or_hash_is_rejected() {
    for bad in ["a b", "a#b", "a\u{1}b"] {
        let map_form = returned_request(|r| r["querystring"]["q"] = json!({"value": bad}));
        assert_eq!(
            map_form.unwrap_err(),
            ValidationError::InvalidQueryString,
            "{bad:?}"
        );
        let string_form = returned_request(|r| r["querystring"] = json!(format!("q={bad}")));
        assert_eq!(
            string_form.unwrap_err(),
            ValidationError::InvalidQueryString,
            "{bad:?}"
        );
    }
    assert!(returned_request(|r| r["querystring"] = json!("q=a%20b")).is_ok());
}

#[test]
fn an_unchanged_query_string_from_a_test_event_is_not_checked() {
    let mut event = viewer_request_event();
    event["request"]["querystring"]["q"] = json!({"value": "a b"});
    let request = event["request"].clone();
    assert!(validate(EventType::ViewerRequest, &event, &request, &defaults()).is_ok());
}

#[test]
fn changing_the_query_string_in_viewer_response_is_rejected() {
    let event = viewer_response_event();
    let mut after = event["request"].clone();
    assert!(check_viewer_response_request(&event, &after).is_ok());
    after["querystring"]["b"] = json!({"value": "2"});
    assert_eq!(
        check_viewer_response_request(&event, &after).unwrap_err(),
        ValidationError::QueryStringReadOnly
    );
}

#[test]
fn a_body_encoding_other_than_text_or_base64_is_rejected() {
    let err = returned_response(&defaults(), |r| {
        r["body"] = json!({"encoding": "gzip", "data": "x"})
    })
    .unwrap_err();
    assert_eq!(err, ValidationError::InvalidBodyEncoding);
}

#[test]
fn base64_body_data_that_does_not_decode_is_rejected() {
    let err = returned_response(&defaults(), |r| {
        r["body"] = json!({"encoding": "base64", "data": "not base64!"})
    })
    .unwrap_err();
    assert_eq!(err, ValidationError::InvalidBase64Body);
    assert!(returned_response(&defaults(), |r| {
        r["body"] = json!({"encoding": "base64", "data": "aGVsbG8="})
    })
    .is_ok());
}

#[test]
fn a_body_that_is_neither_a_string_nor_an_encoded_object_is_rejected() {
    for body in [json!(5), json!([]), json!({"encoding": "text"})] {
        let err = returned_response(&defaults(), |r| r["body"] = body.clone()).unwrap_err();
        assert_eq!(err, ValidationError::InvalidBody, "{body}");
    }
    assert!(returned_response(&defaults(), |r| r["body"] = json!("")).is_ok());
}

#[test]
fn a_status_outside_100_to_599_or_not_an_integer_is_rejected() {
    for status in [
        json!(99),
        json!(600),
        json!("200"),
        json!(200.5),
        json!(null),
    ] {
        let err = returned_response(&defaults(), |r| r["statusCode"] = status.clone()).unwrap_err();
        assert_eq!(
            err,
            ValidationError::InvalidStatus { min: 100, max: 599 },
            "{status}"
        );
    }
    assert!(returned_response(&defaults(), |r| r["statusCode"] = json!(404.0)).is_ok());
}

#[test]
fn a_status_outside_200_to_599_is_accepted_with_a_warning_and_refused_in_strict_mode() {
    let validated = returned_response(&defaults(), |r| r["statusCode"] = json!(103)).unwrap();
    assert_eq!(
        validated.warnings,
        [ValidationWarning::StatusOutsideUsualRange { status: 103 }]
    );
    let strict = ValidationOptions {
        strict: true,
        ..defaults()
    };
    let err = returned_response(&strict, |r| r["statusCode"] = json!(103)).unwrap_err();
    assert!(matches!(err, ValidationError::Strict(_)));
}

#[test]
fn a_body_over_the_warning_size_is_accepted_with_a_warning() {
    let opts = ValidationOptions {
        body_warning_bytes: Some(4),
        ..defaults()
    };
    let validated = returned_response(&opts, |r| r["body"] = json!("hello")).unwrap();
    assert_eq!(
        validated.warnings,
        [ValidationWarning::LargeBody { size: 5, limit: 4 }]
    );
}

#[test]
fn a_set_cookie_header_instead_of_cookies_gives_a_warning() {
    let validated = returned_response(&defaults(), |r| {
        r["headers"]["set-cookie"] = json!({"value": "a=1"})
    })
    .unwrap();
    assert_eq!(validated.warnings, [ValidationWarning::SetCookieInHeaders]);
}

#[test]
fn a_value_that_is_not_an_object_is_rejected() {
    let event = viewer_request_event();
    let err = validate(EventType::ViewerRequest, &event, &json!(null), &defaults()).unwrap_err();
    assert_eq!(err, ValidationError::NotAnObject { found: "null" });
}

#[test]
fn an_object_that_is_neither_request_nor_response_is_rejected() {
    let event = viewer_request_event();
    let err = validate(EventType::ViewerRequest, &event, &event, &defaults()).unwrap_err();
    assert_eq!(err, ValidationError::NeitherRequestNorResponse);
}

#[test]
fn a_header_value_http_cannot_carry_is_rejected() {
    let err = returned_request(|r| r["headers"]["x-a"] = json!({"value": "a\r\nb"})).unwrap_err();
    assert!(matches!(err, ValidationError::InvalidHeader { ref name, .. } if name == "x-a"));
    let err = returned_request(|r| r["headers"]["x a"] = json!({"value": "v"})).unwrap_err();
    assert!(matches!(err, ValidationError::InvalidHeader { .. }));
}

#[test]
fn an_entry_without_a_value_is_rejected_with_its_path() {
    let err = returned_request(|r| r["cookies"]["sid"] = json!({"multivalue": []})).unwrap_err();
    assert_eq!(
        err.message(),
        "The CloudFront function returned an invalid value: request.cookies.sid.value must be a \
         string."
    );
}

#[test]
fn a_non_string_status_description_or_cookie_attribute_is_rejected() {
    let err = returned_response(&defaults(), |r| r["statusDescription"] = json!(1)).unwrap_err();
    assert_eq!(
        err,
        ValidationError::malformed("response.statusDescription", "a string")
    );
    let err = returned_response(&defaults(), |r| {
        r["cookies"]["a"] = json!({"value": "1", "attributes": 2})
    })
    .unwrap_err();
    assert_eq!(
        err,
        ValidationError::malformed("response.cookies.a.attributes", "a string")
    );
}

#[test]
fn details_name_the_offending_header_for_logs() {
    let err = returned_request(|r| r["headers"]["host"] = json!({"value": "x"})).unwrap_err();
    assert_eq!(
        err.detail(),
        "request.headers: read-only header `host` was added, changed or deleted"
    );
}

#[test]
fn read_only_names_in_the_options_may_be_written_in_any_case() {
    let opts = ValidationOptions {
        read_only_viewer_response: vec!["Content-Length".to_owned()],
        ..defaults()
    };
    let err = returned_response(&opts, |r| {
        r["headers"]["content-length"] = json!({"value": "1"})
    })
    .unwrap_err();
    assert!(
        matches!(err, ValidationError::ReadOnlyHeader { ref name, .. }
        if name == "content-length")
    );
}
