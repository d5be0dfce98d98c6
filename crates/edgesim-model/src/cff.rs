//! The CloudFront Functions event as serde types, and the checker for hand-written event files.
//!
//! Field names and shapes follow cloudfront-functions.md §3: one event shape for both event
//! types, `response` only in viewer-response events, repeated names folded into
//! `value` + `multiValue`. Functions may reshape what they return (a string query string, numbers
//! as values, unknown keys); that looser world is handled on `serde_json::Value` by
//! [`crate::validate`](mod@crate::validate), not by these types.

mod field_map;
mod parse;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ModelError;

pub use field_map::FieldMap;
pub use parse::parse_event;

/// The only event version CloudFront has ever sent, in both runtimes.
pub const EVENT_VERSION: &str = "1.0";

/// The two events a CloudFront Function can be associated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// Runs on the viewer's request, before the cache.
    #[serde(rename = "viewer-request")]
    ViewerRequest,
    /// Runs on the response just before it leaves for the viewer.
    #[serde(rename = "viewer-response")]
    ViewerResponse,
}

impl EventType {
    /// The name used in `context.eventType`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ViewerRequest => "viewer-request",
            EventType::ViewerResponse => "viewer-response",
        }
    }

    /// Parses a `context.eventType` value; `None` for anything but the two CFF event types.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "viewer-request" => Some(EventType::ViewerRequest),
            "viewer-response" => Some(EventType::ViewerResponse),
            _ => None,
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A whole CloudFront Functions event (§3.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Always `"1.0"`.
    #[serde(default = "default_version")]
    pub version: String,
    /// Distribution and request identifiers.
    #[serde(default)]
    pub context: Context,
    /// The connecting client; test events may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewer: Option<Viewer>,
    /// The viewer's request, present in both event types.
    pub request: Request,
    /// The response about to be sent; viewer-response events only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
}

fn default_version() -> String {
    EVENT_VERSION.to_owned()
}

impl Event {
    /// Checks a user's event document with [`parse_event`] and decodes it into the typed model.
    pub fn from_json(json: &Value) -> Result<Event, ModelError> {
        let checked = parse_event(json)?;
        Ok(serde_json::from_value(checked)?)
    }

    /// The event as the JSON handed to the function.
    pub fn to_json(&self) -> Value {
        // Serialising these types cannot fail: every map key is a string and there are no
        // non-finite floats; fall back to null rather than panic all the same.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The event type, when the context names one.
    pub fn event_type(&self) -> Option<EventType> {
        self.context.event_type
    }
}

/// `event.context` (§3.2). Everything is optional because test events leave most of it out;
/// production events always carry `distributionId`, `eventType` and `requestId`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    /// e.g. `d1sim2example.cloudfront.net`; standard distributions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_domain_name: Option<String>,
    /// The connection group's CloudFront domain; multi-tenant distributions only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// e.g. `E1SIMEXAMPLE23`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_id: Option<String>,
    /// Which event this is; callers infer it when a partial test event leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<EventType>,
    /// Shared by the viewer-request and viewer-response runs of one request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `event.viewer`: the address of the client (or proxy) that connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// IPv4 or IPv6 address as text.
    pub ip: String,
}

/// `event.request` (§3.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Read-only for the function.
    pub method: String,
    /// Path only, without the query string.
    pub uri: String,
    /// Parsed query parameters, raw percent-encoded values.
    #[serde(default)]
    pub querystring: QueryString,
    /// Lower-case header names; never contains `cookie`.
    #[serde(default)]
    pub headers: FieldMap<Entry>,
    /// Parsed from the `Cookie` header(s).
    #[serde(default)]
    pub cookies: FieldMap<Entry>,
}

/// `request.querystring`: CloudFront always sends a map, but a function may assign a string such
/// as `"a=1&b=2"`, which CloudFront then forwards verbatim (§3.3, §17 #11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum QueryString {
    /// The parsed form CloudFront builds.
    Map(FieldMap<Entry>),
    /// The string form a function may assign, without the leading `?`.
    Raw(String),
}

impl Default for QueryString {
    fn default() -> Self {
        QueryString::Map(FieldMap::new())
    }
}

/// One header, query parameter or request cookie (§3.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The first occurrence.
    pub value: String,
    /// Every occurrence, the first included; only when the name occurred more than once.
    #[serde(
        rename = "multiValue",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub multi_value: Option<Vec<EntryValue>>,
}

/// One element of an entry's `multiValue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryValue {
    /// The occurrence's value.
    pub value: String,
}

impl Entry {
    /// A single-occurrence entry.
    pub fn single(value: impl Into<String>) -> Self {
        Entry {
            value: value.into(),
            multi_value: None,
        }
    }

    /// Folds the occurrences of one name the way CloudFront does: `value` is the first,
    /// `multiValue` lists all of them (first included) when there is more than one.
    /// `None` when there are no occurrences.
    pub fn from_occurrences(occurrences: Vec<String>) -> Option<Self> {
        let first = occurrences.first()?.clone();
        let multi_value = (occurrences.len() > 1).then(|| {
            occurrences
                .into_iter()
                .map(|value| EntryValue { value })
                .collect()
        });
        Some(Entry {
            value: first,
            multi_value,
        })
    }
}

/// `event.response` (§3.4): the viewer-response input, or a response a function generates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// An integer, never a string.
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    /// The reason phrase; optional on a generated response.
    #[serde(
        rename = "statusDescription",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub status_description: Option<String>,
    /// Lower-case header names; never contains `set-cookie`.
    #[serde(default)]
    pub headers: FieldMap<Entry>,
    /// Parsed from the `Set-Cookie` header(s).
    #[serde(default)]
    pub cookies: FieldMap<CookieEntry>,
    /// Set only by a function; CloudFront never exposes the cached or origin body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// One response cookie: a `Set-Cookie` name with its value and raw attribute text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieEntry {
    /// The first occurrence's value.
    pub value: String,
    /// Raw text after the first `;`, e.g. `Path=/; Secure; HttpOnly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<String>,
    /// Every occurrence, the first included; only for repeated names.
    #[serde(
        rename = "multiValue",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub multi_value: Option<Vec<CookieValue>>,
}

/// One element of a response cookie's `multiValue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieValue {
    /// The occurrence's value.
    pub value: String,
    /// The occurrence's raw attribute text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<String>,
}

/// A response body set by a function (§4.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Body {
    /// Shorthand for `{ "encoding": "text", "data": … }`.
    Text(String),
    /// The explicit form.
    Encoded {
        /// How `data` is encoded.
        encoding: BodyEncoding,
        /// The body text, or its base64 form.
        data: String,
    },
}

/// `body.encoding`: the only two values CloudFront accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyEncoding {
    /// `data` is the body as UTF-8 text.
    Text,
    /// `data` is base64 of the body bytes.
    Base64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_types_use_cloudfronts_names() {
        assert_eq!(
            serde_json::to_value(EventType::ViewerResponse).unwrap(),
            json!("viewer-response")
        );
        assert_eq!(
            EventType::from_name("viewer-request"),
            Some(EventType::ViewerRequest)
        );
        assert_eq!(EventType::from_name("origin-request"), None);
    }

    #[test]
    fn one_occurrence_has_no_multi_value_and_repeats_list_every_occurrence() {
        let single = Entry::from_occurrences(vec!["a".into()]).unwrap();
        assert_eq!(serde_json::to_value(single).unwrap(), json!({"value": "a"}));
        let repeated = Entry::from_occurrences(vec!["a".into(), "b".into()]).unwrap();
        assert_eq!(
            serde_json::to_value(repeated).unwrap(),
            json!({"value": "a", "multiValue": [{"value": "a"}, {"value": "b"}]})
        );
        assert_eq!(Entry::from_occurrences(vec![]), None);
    }

    #[test]
    fn a_querystring_may_be_a_map_or_a_string() {
        let map: QueryString = serde_json::from_value(json!({"a": {"value": "1"}})).unwrap();
        assert!(matches!(map, QueryString::Map(ref m) if m.len() == 1));
        let raw: QueryString = serde_json::from_value(json!("a=1&b=2")).unwrap();
        assert_eq!(raw, QueryString::Raw("a=1&b=2".into()));
    }

    #[test]
    fn a_body_may_be_a_string_or_an_encoded_object() {
        let text: Body = serde_json::from_value(json!("hi")).unwrap();
        assert_eq!(text, Body::Text("hi".into()));
        let encoded: Body =
            serde_json::from_value(json!({"encoding": "base64", "data": "aGk="})).unwrap();
        assert_eq!(
            encoded,
            Body::Encoded {
                encoding: BodyEncoding::Base64,
                data: "aGk=".into()
            }
        );
    }

    #[test]
    fn the_documented_viewer_response_example_round_trips() {
        let event = json!({
            "version": "1.0",
            "context": {"distributionId": "E1SIMEXAMPLE23", "eventType": "viewer-response"},
            "viewer": {"ip": "203.0.113.10"},
            "request": {"method": "GET", "uri": "/", "querystring": {}, "headers": {},
                        "cookies": {}},
            "response": {
                "statusCode": 200, "statusDescription": "OK",
                "headers": {"content-type": {"value": "text/html; charset=utf-8"}},
                "cookies": {"sid": {"value": "k7x2", "attributes": "Path=/; Secure; HttpOnly",
                    "multiValue": [
                        {"value": "k7x2", "attributes": "Path=/; Secure; HttpOnly"},
                        {"value": "old", "attributes": "Path=/legacy"}]}}
            }
        });
        let typed = Event::from_json(&event).unwrap();
        assert_eq!(typed.event_type(), Some(EventType::ViewerResponse));
        assert_eq!(typed.to_json(), event);
    }
}
