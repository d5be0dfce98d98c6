//! Building Lambda@Edge events from HTTP (lambda-edge.md §2), following the field-presence
//! matrix of §2.8: `config` and the request core always; `request.body` only on request
//! triggers with IncludeBody; `request.origin` only on origin triggers; `response` only on
//! response triggers.

use base64::Engine as _;
use http::header::HOST;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Map, Value};

use super::headers::{headers_value, push_header};
use super::limits::{ORIGIN_BODY_EXPOSED, VIEWER_BODY_EXPOSED};
use super::origin::Origin;
use super::Trigger;
use crate::error::ModelError;

/// `cf.config`: the distribution and the viewer request's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventConfig {
    /// e.g. `d3sim9example.cloudfront.net`.
    pub distribution_domain_name: String,
    /// e.g. `E3SIMEXAMPLE45`.
    pub distribution_id: String,
    /// The viewer request's id, equal to `X-Amz-Cf-Id` (§2.2).
    pub request_id: String,
}

impl Default for EventConfig {
    /// The placeholder values of lambda-edge.md §2.9.
    fn default() -> Self {
        EventConfig {
            distribution_domain_name: "d3sim9example.cloudfront.net".to_owned(),
            distribution_id: "E3SIMEXAMPLE45".to_owned(),
            request_id: "Vt8simExampleRequestId_docs_only-4f9Qm2LxK0pZ7aWc3Rb==".to_owned(),
        }
    }
}

impl EventConfig {
    /// `cf.config` for a trigger.
    pub fn to_json(&self, trigger: Trigger) -> Value {
        json!({
            "distributionDomainName": self.distribution_domain_name,
            "distributionId": self.distribution_id,
            "eventType": trigger.as_str(),
            "requestId": self.request_id,
        })
    }
}

/// The request core (`clientIp`, `headers`, `method`, `querystring`, `uri`) for a request
/// head. `uri` is the raw path, `querystring` the raw query without `?` (`""` when none). A
/// request without `Host` (HTTP/2) gets one from the URI authority.
pub fn request_object(parts: &http::request::Parts, client_ip: &str) -> Value {
    let mut headers = match headers_value(&parts.headers) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if !parts.headers.contains_key(HOST) {
        if let Some(authority) = parts.uri.authority() {
            let mut with_host = Map::new();
            push_header(&mut with_host, "Host", authority.as_str());
            with_host.extend(headers);
            headers = with_host;
        }
    }
    json!({
        "clientIp": client_ip,
        "headers": headers,
        "method": parts.method.as_str(),
        "querystring": parts.uri.query().unwrap_or(""),
        "uri": parts.uri.path(),
    })
}

/// The IncludeBody object (§2.5): always base64, cut at 40 KB for viewer-request and 1 MB for
/// origin-request with `inputTruncated: true`, `action: "read-only"`.
pub fn body_object(trigger: Trigger, body: &[u8]) -> Value {
    let limit = body_exposed_limit(trigger);
    let truncated = body.len() > limit;
    let exposed = &body[..body.len().min(limit)];
    json!({
        "inputTruncated": truncated,
        "action": "read-only",
        "encoding": "base64",
        "data": base64::engine::general_purpose::STANDARD.encode(exposed),
    })
}

/// How much of the request body a trigger sees with IncludeBody.
pub fn body_exposed_limit(trigger: Trigger) -> usize {
    if trigger.is_viewer() {
        VIEWER_BODY_EXPOSED
    } else {
        ORIGIN_BODY_EXPOSED
    }
}

/// The `response` object: `status` as a string, the canonical reason phrase as
/// `statusDescription`, headers without the disallowed ones (§2.7).
pub fn response_object(status: StatusCode, headers: &HeaderMap) -> Value {
    json!({
        "status": status.as_str(),
        "statusDescription": status.canonical_reason().unwrap_or(""),
        "headers": headers_value(headers),
    })
}

/// Wraps the parts into `{"Records": [{"cf": {config, request, response?}}]}`.
pub fn build_event(
    trigger: Trigger,
    config: &EventConfig,
    request: Value,
    response: Option<Value>,
) -> Value {
    let mut cf = Map::new();
    cf.insert("config".into(), config.to_json(trigger));
    cf.insert("request".into(), request);
    if let Some(response) = response {
        cf.insert("response".into(), response);
    }
    json!({ "Records": [ { "cf": cf } ] })
}

/// The event of a request trigger (viewer-request, origin-request).
///
/// `body` is the request body when the association has IncludeBody (`None` otherwise);
/// `origin` is used on origin-request only. For a response trigger use [`response_event`].
pub fn request_event(
    trigger: Trigger,
    config: &EventConfig,
    parts: &http::request::Parts,
    client_ip: &str,
    body: Option<&[u8]>,
    origin: Option<&Origin>,
) -> Value {
    let mut request = request_object(parts, client_ip);
    if let Some(map) = request.as_object_mut() {
        if let Some(body) = body.filter(|_| trigger.is_request()) {
            map.insert("body".into(), body_object(trigger, body));
        }
        if let Some(origin) = origin.filter(|_| !trigger.is_viewer()) {
            map.insert("origin".into(), origin.to_json());
        }
    }
    build_event(trigger, config, request, None)
}

/// The event of a response trigger. `request` is the request object as it stood: for
/// origin-response the one sent to the origin (origin included), for viewer-response the
/// viewer's. `body` is dropped (response events never carry it), and `origin` too on
/// viewer-response (§2.8).
pub fn response_event(
    trigger: Trigger,
    config: &EventConfig,
    request: &Value,
    status: StatusCode,
    headers: &HeaderMap,
) -> Value {
    let mut request = request.clone();
    if let Some(map) = request.as_object_mut() {
        map.remove("body");
        if trigger == Trigger::ViewerResponse {
            map.remove("origin");
        }
    }
    build_event(
        trigger,
        config,
        request,
        Some(response_object(status, headers)),
    )
}

/// `Records[0].cf` of an event, if it has that shape.
pub fn cf(event: &Value) -> Option<&Value> {
    event.get("Records")?.get(0)?.get("cf")
}

/// Checks a user's event file: `Records[0].cf` with a `request` object; returns the trigger
/// named by `config.eventType` (`None` when the event leaves it out, as SAM's templates do).
pub fn parse_event(event: &Value) -> Result<Option<Trigger>, ModelError> {
    if event.get("Records").is_none() {
        if event.get("request").is_some() && event.get("version").is_some() {
            return Err(ModelError::invalid(
                "Records",
                "missing: this looks like a CloudFront Functions event; use `edgesim test-function` for it",
            ));
        }
        return Err(ModelError::missing("Records", "an array with one record"));
    }
    let records = event
        .get("Records")
        .and_then(Value::as_array)
        .ok_or_else(|| ModelError::wrong_type("Records", "an array", &event["Records"]))?;
    let record = records
        .first()
        .ok_or_else(|| ModelError::invalid("Records", "is empty; CloudFront sends one record"))?;
    let cf = record
        .get("cf")
        .ok_or_else(|| ModelError::missing("Records[0].cf", "an object"))?;
    if !cf.is_object() {
        return Err(ModelError::wrong_type("Records[0].cf", "an object", cf));
    }
    match cf.get("request") {
        Some(Value::Object(_)) => {}
        Some(other) => {
            return Err(ModelError::wrong_type(
                "Records[0].cf.request",
                "an object",
                other,
            ))
        }
        None => return Err(ModelError::missing("Records[0].cf.request", "an object")),
    }
    let trigger = match cf.get("config").and_then(|c| c.get("eventType")) {
        None => None,
        Some(Value::String(name)) => Some(Trigger::from_name(name).ok_or_else(|| {
            ModelError::invalid(
                "Records[0].cf.config.eventType",
                format!("`{name}` is not viewer-request, origin-request, origin-response or viewer-response"),
            )
        })?),
        Some(other) => {
            return Err(ModelError::wrong_type(
                "Records[0].cf.config.eventType",
                "a string",
                other,
            ))
        }
    };
    if let Some(trigger) = trigger {
        let has_response = cf.get("response").is_some();
        if trigger.is_request() == has_response {
            return Err(ModelError::invalid(
                "Records[0].cf.response",
                format!(
                    "{} in a {trigger} event",
                    if has_response { "present" } else { "missing" }
                ),
            ));
        }
    }
    Ok(trigger)
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
