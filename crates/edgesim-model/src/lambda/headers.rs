//! Lambda@Edge header maps (`{ "host": [ {"key": "Host", "value": "…"} ] }`, lambda-edge.md
//! §2.6) to and from `http::HeaderMap`, and the read-only lists per trigger (§4.3).

use std::borrow::Cow;

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use super::Trigger;
use crate::cff_http::title_case;
use crate::error::{FieldPath, ModelError};
use crate::validate::{
    is_disallowed_header, READ_ONLY_VIEWER_REQUEST, READ_ONLY_VIEWER_RESPONSE_2023,
};

/// Read-only request headers in origin-request (§4.3).
pub const READ_ONLY_ORIGIN_REQUEST: &[&str] = &[
    "accept-encoding",
    "cdn-loop",
    "content-length",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "transfer-encoding",
    "via",
];

/// Read-only response headers in origin-response (§4.3).
pub const READ_ONLY_ORIGIN_RESPONSE: &[&str] = &["transfer-encoding", "via"];

/// The read-only headers of a trigger: request headers for request triggers, response headers
/// for response triggers. Viewer-request shares the CloudFront Functions list; viewer-response
/// uses the five-name list Lambda@Edge has documented since 2021 (§4.3).
pub fn read_only_headers(trigger: Trigger) -> &'static [&'static str] {
    match trigger {
        Trigger::ViewerRequest => READ_ONLY_VIEWER_REQUEST,
        Trigger::OriginRequest => READ_ONLY_ORIGIN_REQUEST,
        Trigger::OriginResponse => READ_ONLY_ORIGIN_RESPONSE,
        Trigger::ViewerResponse => READ_ONLY_VIEWER_RESPONSE_2023,
    }
}

/// The event's header map for an `http` header map: lower-case names, one `{key, value}` per
/// header line in order, `key` title-cased (the `http` crate does not keep the viewer's case).
/// Disallowed headers (§4.2) are not exposed to functions and are left out.
pub fn headers_value(headers: &HeaderMap) -> Value {
    let mut map = Map::new();
    for (name, value) in headers {
        if is_disallowed_header(name.as_str()) {
            continue;
        }
        push_header(&mut map, name.as_str(), &header_text(value));
    }
    Value::Object(map)
}

/// Appends one header line to an event header map.
pub fn push_header(map: &mut Map<String, Value>, name: &str, value: &str) {
    let lower = name.to_ascii_lowercase();
    let key = if name == lower {
        title_case(name)
    } else {
        name.to_owned()
    };
    let entry = serde_json::json!({"key": key, "value": value});
    match map.get_mut(&lower) {
        Some(Value::Array(entries)) => entries.push(entry),
        _ => {
            map.insert(lower, Value::Array(vec![entry]));
        }
    }
}

/// A header value as functions see it: UTF-8 as is, anything else read as ISO-8859-1 (§2.6).
pub(crate) fn header_text(value: &HeaderValue) -> String {
    match std::str::from_utf8(value.as_bytes()) {
        Ok(text) => text.to_owned(),
        Err(_) => value.as_bytes().iter().map(|&b| char::from(b)).collect(),
    }
}

/// The values of one header in an event map, in order (`[]` when absent or malformed).
pub(crate) fn values_of<'a>(headers: Option<&'a Value>, name: &str) -> Vec<&'a str> {
    headers
        .and_then(|h| h.get(name))
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| e.get("value").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// Builds an `http::HeaderMap` from a (validated) event header map; `path` names the map in
/// errors (`response.headers`). The map key gives the header name; `key` only carries case,
/// which `http` does not keep.
pub fn header_map(headers: Option<&Value>, path: &str) -> Result<HeaderMap, ModelError> {
    let mut out = HeaderMap::new();
    let Some(headers) = headers else {
        return Ok(out);
    };
    let map = headers
        .as_object()
        .ok_or_else(|| ModelError::wrong_type(path, "an object", headers))?;
    let map_path = FieldPath::root(path);
    for (name, entries) in map {
        let entry_path = map_path.key(name);
        // `from_bytes` lower-cases ASCII letters itself.
        let header_name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|e| ModelError::http(entry_path, e))?;
        let entries = entries
            .as_array()
            .ok_or_else(|| ModelError::wrong_type(entry_path, "an array", entries))?;
        for (i, entry) in entries.iter().enumerate() {
            let element_path = entry_path.index(i);
            let value_path = element_path.key("value");
            let text = match entry.get("value") {
                Some(Value::String(s)) => Cow::Borrowed(s.as_str()),
                Some(Value::Number(n)) => Cow::Owned(n.to_string()),
                Some(other) => return Err(ModelError::wrong_type(value_path, "a string", other)),
                None => return Err(ModelError::missing(value_path, "a string")),
            };
            let value =
                HeaderValue::from_str(&text).map_err(|e| ModelError::http(value_path, e))?;
            out.append(header_name.clone(), value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repeated_lines_become_entries_and_disallowed_headers_are_hidden() {
        let mut headers = HeaderMap::new();
        headers.append("cookie", HeaderValue::from_static("a=1"));
        headers.append("cookie", HeaderValue::from_static("b=2"));
        headers.append("x-amz-cf-id", HeaderValue::from_static("hidden"));
        headers.append("content-type", HeaderValue::from_static("text/html"));
        headers.append("x-latin", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        assert_eq!(
            headers_value(&headers),
            json!({
                "cookie": [{"key": "Cookie", "value": "a=1"}, {"key": "Cookie", "value": "b=2"}],
                "content-type": [{"key": "Content-Type", "value": "text/html"}],
                "x-latin": [{"key": "X-Latin", "value": "café"}]
            })
        );
    }

    #[test]
    fn event_maps_turn_back_into_header_maps() {
        let value = json!({
            "set-cookie": [{"key": "Set-Cookie", "value": "a=1"}, {"value": "b=2"}],
            "x-num": [{"value": 3}]
        });
        let map = header_map(Some(&value), "response.headers").unwrap();
        let cookies: Vec<_> = map.get_all("set-cookie").iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert_eq!(map["x-num"], "3");
        let bad = json!({"x": [{"value": "a\nb"}]});
        let err = header_map(Some(&bad), "response.headers").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("response.headers.x[0].value: cannot be sent"));
    }

    #[test]
    fn each_trigger_has_its_read_only_list() {
        assert!(read_only_headers(Trigger::ViewerRequest).contains(&"host"));
        assert!(!read_only_headers(Trigger::OriginRequest).contains(&"host"));
        assert!(read_only_headers(Trigger::OriginRequest).contains(&"if-none-match"));
        assert_eq!(
            read_only_headers(Trigger::OriginResponse),
            ["transfer-encoding", "via"]
        );
        assert!(read_only_headers(Trigger::ViewerResponse).contains(&"content-length"));
    }
}
