//! From a validated Lambda@Edge result back to HTTP: the request to forward (with its body and
//! origin decisions) or the response to send.

use base64::Engine as _;
use http::uri::{PathAndQuery, Uri};
use http::StatusCode;
use serde_json::Value;

use super::headers::header_map;
use super::origin::Origin;
use crate::cff_http::{BodyChange, ResponseParts};
use crate::error::ModelError;

/// What a returned request changes besides the request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestChanges {
    /// `Replace` when the function set `body.action: "replace"`; otherwise the full original
    /// body goes on (§2.5).
    pub body: BodyChange,
    /// The origin to use, when the result carries one (origin-request).
    pub origin: Option<Origin>,
}

/// Applies a returned (validated, see [`super::validate_output`]) request object to the request
/// head: `uri` and `querystring` become the path and query (scheme and authority are kept),
/// the headers are replaced. The method is read-only and stays.
pub fn apply_request(
    parts: &mut http::request::Parts,
    request: &Value,
) -> Result<RequestChanges, ModelError> {
    let uri = match request.get("uri") {
        Some(Value::String(u)) => u.as_str(),
        Some(other) => return Err(ModelError::wrong_type("request.uri", "a string", other)),
        None => return Err(ModelError::missing("request.uri", "a string")),
    };
    let query = request
        .get("querystring")
        .and_then(Value::as_str)
        .unwrap_or("");
    let target = if query.is_empty() {
        encode_target(uri)
    } else {
        format!("{}?{}", encode_target(uri), encode_target(query))
    };
    let path_and_query: PathAndQuery = target
        .parse()
        .map_err(|e| ModelError::http("request.uri", e))?;
    let mut uri_parts = parts.uri.clone().into_parts();
    uri_parts.path_and_query = Some(path_and_query);
    parts.uri = Uri::from_parts(uri_parts).map_err(|e| ModelError::http("request.uri", e))?;
    parts.headers = header_map(request.get("headers"), "request.headers")?;

    let body = match request.get("body") {
        Some(body) if body.get("action").and_then(Value::as_str) == Some("replace") => {
            let data = body.get("data").and_then(Value::as_str).unwrap_or("");
            let bytes = match body.get("encoding").and_then(Value::as_str) {
                Some("text") => data.as_bytes().to_vec(),
                _ => decode(data, "request.body.data")?,
            };
            BodyChange::Replace(bytes)
        }
        _ => BodyChange::Keep,
    };
    let origin = request
        .get("origin")
        .map(|o| Origin::from_json(o, request.get("headers")))
        .transpose()?;
    Ok(RequestChanges { body, origin })
}

/// The HTTP response of a returned (validated) response object, generated or updated.
///
/// `body` with `bodyEncoding` (`text` by default, or `base64`) replaces the body; without
/// `body`, [`BodyChange::Keep`] (the origin's body for origin-response and viewer-response,
/// an empty body for a generated response).
pub fn response_parts(response: &Value) -> Result<ResponseParts, ModelError> {
    let status = match response.get("status") {
        Some(Value::String(s)) => s.trim().parse::<u16>().ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Some(other) => return Err(ModelError::wrong_type("response.status", "a string", other)),
        None => return Err(ModelError::missing("response.status", "a string")),
    };
    let status = status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| ModelError::invalid("response.status", "is not an HTTP status"))?;
    let reason = response
        .get("statusDescription")
        .and_then(Value::as_str)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let headers = header_map(response.get("headers"), "response.headers")?;
    let body = match response.get("body") {
        None | Some(Value::Null) => BodyChange::Keep,
        Some(Value::String(body)) => match response.get("bodyEncoding").and_then(Value::as_str) {
            Some("base64") => BodyChange::Replace(decode(body, "response.body")?),
            _ => BodyChange::Replace(body.as_bytes().to_vec()),
        },
        Some(other) => return Err(ModelError::wrong_type("response.body", "a string", other)),
    };
    Ok(ResponseParts {
        status,
        reason,
        headers,
        body,
    })
}

fn decode(data: &str, path: &str) -> Result<Vec<u8>, ModelError> {
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| ModelError::invalid(path, format!("invalid base64: {e}")))
}

/// Percent-encodes what a URI cannot carry (non-ASCII, spaces, controls, `"<>\^`{|}`), leaving
/// existing escapes and reserved characters alone; CloudFront forwards changed values as UTF-8
/// (§2.6).
fn encode_target(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let plain = byte.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&byte);
        if plain {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_returned_request_changes_path_query_and_headers_but_not_method() {
        let (mut parts, ()) = http::Request::post("http://shop.example/old?a=1")
            .header("x-old", "1")
            .body(())
            .unwrap()
            .into_parts();
        let request = json!({
            "method": "GET", "uri": "/new/é", "querystring": "b=2",
            "headers": {"x-new": [{"key": "X-New", "value": "v"}]}
        });
        let changes = apply_request(&mut parts, &request).unwrap();
        assert_eq!(parts.uri.to_string(), "http://shop.example/new/%C3%A9?b=2");
        assert_eq!(parts.method, http::Method::POST);
        assert!(parts.headers.get("x-old").is_none());
        assert_eq!(parts.headers["x-new"], "v");
        assert_eq!(changes.body, BodyChange::Keep);
        assert_eq!(changes.origin, None);
    }

    #[test]
    fn replace_bodies_are_decoded_and_origins_read() {
        let (mut parts, ()) = http::Request::post("/f").body(()).unwrap().into_parts();
        let request = json!({
            "uri": "/f", "headers": {},
            "body": {"action": "replace", "encoding": "base64", "data": "aGk="},
            "origin": {"custom": {"domainName": "other.example", "port": 8443, "protocol": "https", "path": ""}}
        });
        let changes = apply_request(&mut parts, &request).unwrap();
        assert_eq!(changes.body, BodyChange::Replace(b"hi".to_vec()));
        assert_eq!(changes.origin.unwrap().domain_name(), "other.example");
        let text =
            json!({"uri": "/f", "body": {"action": "replace", "encoding": "text", "data": "x=1"}});
        assert_eq!(
            apply_request(&mut parts, &text).unwrap().body,
            BodyChange::Replace(b"x=1".to_vec())
        );
        let read_only = json!({"uri": "/f", "body": {"action": "read-only", "encoding": "base64", "data": "eA=="}});
        assert_eq!(
            apply_request(&mut parts, &read_only).unwrap().body,
            BodyChange::Keep
        );
    }

    #[test]
    fn response_objects_become_http_responses() {
        let response = json!({
            "status": "302", "statusDescription": "Found",
            "headers": {"location": [{"key": "Location", "value": "https://x.example/"}]},
            "body": "PGI+aGk8L2I+", "bodyEncoding": "base64"
        });
        let parts = response_parts(&response).unwrap();
        assert_eq!(parts.status, StatusCode::FOUND);
        assert_eq!(parts.reason.as_deref(), Some("Found"));
        assert_eq!(parts.headers["location"], "https://x.example/");
        assert_eq!(parts.body, BodyChange::Replace(b"<b>hi</b>".to_vec()));
        let numeric = response_parts(&json!({"status": 200, "headers": {}})).unwrap();
        assert_eq!(numeric.status, StatusCode::OK);
        assert_eq!(numeric.body, BodyChange::Keep);
    }
}
