//! From what a CloudFront Function returned back to HTTP: the outgoing request or response.
//!
//! Expects the object after [`crate::validate::normalize`] (the bare request or response, not
//! the `{"request": …}` wrapper) and, optionally, the matching object from the input event so
//! that `multiValue` edits are applied as CloudFront applies them (§3.5).

use std::borrow::Cow;

use base64::Engine as _;
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use serde_json::{Map, Value};

use crate::error::{FieldPath, ModelError};

/// What to do with the response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyChange {
    /// The function set no body: keep the cached or origin body (a generated response has none).
    Keep,
    /// The function set a body; empty when it set `""` to remove the body.
    Replace(Vec<u8>),
}

/// The HTTP response a function's returned response object describes.
#[derive(Debug, Clone)]
pub struct ResponseParts {
    /// The status to send.
    pub status: StatusCode,
    /// `statusDescription`, for servers that can write a custom reason phrase.
    pub reason: Option<String>,
    /// Headers plus one `set-cookie` per cookie occurrence.
    pub headers: HeaderMap,
    /// The body decision.
    pub body: BodyChange,
}

/// Builds the request CloudFront forwards from a returned (normalised) request object.
///
/// - The target is `uri` plus `?` and the query: a map is re-serialised in order with
///   `multiValue` expanded (`name=value`, or a bare `name` for an empty value — inferred, it
///   round-trips `?flag`); a string `querystring` is forwarded verbatim.
/// - Headers are appended occurrence by occurrence; cookies are re-joined into one
///   `cookie: a=1; b=2` header after them.
/// - `original` is the input event's `request`, used to tell whether `multiValue` was edited.
///
/// The HTTP version defaults to HTTP/1.1; callers copy the viewer's if they need it.
pub fn apply_request(
    returned: &Value,
    original: Option<&Value>,
) -> Result<http::request::Parts, ModelError> {
    let request = expect_object(returned, "request")?;
    let method = match request.get("method") {
        Some(Value::String(m)) => {
            Method::from_bytes(m.as_bytes()).map_err(|e| ModelError::http("request.method", e))?
        }
        Some(other) => return Err(ModelError::wrong_type("request.method", "a string", other)),
        None => return Err(ModelError::missing("request.method", "a string")),
    };
    let uri = match request.get("uri") {
        Some(Value::String(u)) => u.as_str(),
        Some(other) => return Err(ModelError::wrong_type("request.uri", "a string", other)),
        None => return Err(ModelError::missing("request.uri", "a string")),
    };
    let original_map = |key: &str| original.and_then(|o| o.get(key)).and_then(Value::as_object);
    let query = match request.get("querystring") {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(raw)) => Cow::Borrowed(raw.as_str()),
        Some(Value::Object(map)) => Cow::Owned(query_text(map, original_map("querystring"))?),
        Some(other) => {
            return Err(ModelError::wrong_type(
                "request.querystring",
                "an object or a string",
                other,
            ))
        }
    };
    let target = if query.is_empty() {
        uri.to_owned()
    } else {
        format!("{uri}?{query}")
    };
    // Handing over the `String` spares `Uri` a copy of it.
    let uri = Uri::try_from(target).map_err(|e| ModelError::http("request.uri", e))?;

    let mut headers = header_map(
        request.get("headers"),
        original_map("headers"),
        "request.headers",
    )?;
    let cookie_line = cookie_line(request.get("cookies"), original_map("cookies"))?;
    if !cookie_line.is_empty() {
        let value = HeaderValue::from_str(&cookie_line)
            .map_err(|e| ModelError::http("request.cookies", e))?;
        headers.append(COOKIE, value);
    }

    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.method = method;
    parts.uri = uri;
    parts.headers = headers;
    Ok(parts)
}

/// Builds the HTTP response a returned (normalised) response object describes.
///
/// Each cookie occurrence becomes a `set-cookie: name=value; attributes` line (no `; ` when the
/// attributes are empty). `body` as a string or `{encoding: "text"}` is sent as UTF-8,
/// `{encoding: "base64"}` decoded. `original` is the input event's `response`, if any.
pub fn apply_response(
    returned: &Value,
    original: Option<&Value>,
) -> Result<ResponseParts, ModelError> {
    let response = expect_object(returned, "response")?;
    let status = match response.get("statusCode") {
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|code| u16::try_from(code).ok())
            .and_then(|code| StatusCode::from_u16(code).ok())
            .ok_or_else(|| {
                ModelError::invalid("response.statusCode", format!("{n} is not an HTTP status"))
            })?,
        Some(other) => {
            return Err(ModelError::wrong_type(
                "response.statusCode",
                "an integer",
                other,
            ))
        }
        None => return Err(ModelError::missing("response.statusCode", "an integer")),
    };
    let reason = match response.get("statusDescription") {
        Some(Value::String(text)) => Some(text.clone()),
        _ => None,
    };
    let original_map = |key: &str| original.and_then(|o| o.get(key)).and_then(Value::as_object);
    let mut headers = header_map(
        response.get("headers"),
        original_map("headers"),
        "response.headers",
    )?;
    for line in set_cookie_lines(response.get("cookies"), original_map("cookies"))? {
        let value =
            HeaderValue::from_str(&line).map_err(|e| ModelError::http("response.cookies", e))?;
        headers.append(SET_COOKIE, value);
    }
    Ok(ResponseParts {
        status,
        reason,
        headers,
        body: body_change(response.get("body"))?,
    })
}

/// Serialises a `querystring` map as CloudFront forwards it: `name=value` pairs joined with `&`
/// in map order, `multiValue` expanded, a bare `name` for an empty value (inferred), names and
/// values written as they are (already percent-encoded). `original` is the input event's map,
/// used to tell whether `multiValue` was edited; `None` when there is nothing to compare with.
pub fn query_text(
    map: &Map<String, Value>,
    original: Option<&Map<String, Value>>,
) -> Result<String, ModelError> {
    let map_path = FieldPath::root("request.querystring");
    let mut text = String::new();
    let mut first = true;
    for (name, entry) in map {
        let path = map_path.key(name);
        for value in entry_occurrences(entry, original.map(|o| o.get(name)), &path)? {
            if !first {
                text.push('&');
            }
            first = false;
            text.push_str(name);
            if !value.is_empty() {
                text.push('=');
                text.push_str(&value);
            }
        }
    }
    Ok(text)
}

/// The occurrences an entry stands for, applying the §3.5 rule: a `multiValue` the function
/// changed is applied as is (`value` ignored); otherwise a changed `value` replaces the first
/// occurrence and the later ones stay.
///
/// `original` is `None` when the caller has no input to compare with, `Some(None)` when the
/// input had no entry of this name (the entry is new, so any `multiValue` counts as changed).
/// `path` names the entry in errors; it is only spelled out when there is one. Texts that are
/// JSON strings are borrowed from `entry`.
pub(crate) fn entry_occurrences<'v>(
    entry: &'v Value,
    original: Option<Option<&Value>>,
    path: &FieldPath<'_>,
) -> Result<Vec<Cow<'v, str>>, ModelError> {
    Ok(resolve_occurrences(entry, original, path)?
        .into_iter()
        .map(|(text, _)| text)
        .collect())
}

/// Where an occurrence's text came from: the entry's own `value`, or a `multiValue` element.
/// Response cookies need it to pick the matching `attributes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Entry,
    Element(usize),
}

fn resolve_occurrences<'v>(
    entry: &'v Value,
    original: Option<Option<&Value>>,
    path: &FieldPath<'_>,
) -> Result<Vec<(Cow<'v, str>, Source)>, ModelError> {
    let map = entry
        .as_object()
        .ok_or_else(|| ModelError::wrong_type(path, "an object with a `value`", entry))?;
    let value = map
        .get("value")
        .map(|v| scalar_text(v, &path.key("value")))
        .transpose()?;
    let multi = multi_values(map.get("multiValue"), &path.key("multiValue"))?;
    let Some(multi) = multi.filter(|m| !m.is_empty()) else {
        // An empty `multiValue` is treated like an absent one (inferred).
        return match value {
            Some(value) => Ok(vec![(value, Source::Entry)]),
            None => Err(ModelError::missing(path.key("value"), "a string")),
        };
    };
    let multi_changed = match original {
        None => false,
        Some(original) => {
            let before = original
                .and_then(|o| o.get("multiValue"))
                .and_then(|m| multi_values(Some(m), path).ok().flatten());
            before.as_ref() != Some(&multi)
        }
    };
    // A `value` that differs from the first element means the function edited `value` alone.
    let value_edited = value.as_ref().is_some_and(|v| multi.first() != Some(v));
    let elements = multi
        .into_iter()
        .enumerate()
        .map(|(i, text)| (text, Source::Element(i)));
    match value {
        Some(value) if value_edited && !multi_changed => {
            Ok(std::iter::once((value, Source::Entry))
                .chain(elements.skip(1))
                .collect())
        }
        _ => Ok(elements.collect()),
    }
}

fn multi_values<'v>(
    multi: Option<&'v Value>,
    path: &FieldPath<'_>,
) -> Result<Option<Vec<Cow<'v, str>>>, ModelError> {
    match multi {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(elements)) => elements
            .iter()
            .enumerate()
            .map(|(i, element)| {
                let element_path = path.index(i);
                match element.get("value") {
                    Some(v) => scalar_text(v, &element_path.key("value")),
                    None => Err(ModelError::missing(element_path.key("value"), "a string")),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(ModelError::wrong_type(path, "an array", other)),
    }
}

/// The text of an entry value. Functions sometimes store numbers or booleans; they are sent
/// as their JSON text, like JavaScript's string conversion would (inferred).
fn scalar_text<'v>(value: &'v Value, path: &FieldPath<'_>) -> Result<Cow<'v, str>, ModelError> {
    match value {
        Value::String(s) => Ok(Cow::Borrowed(s)),
        Value::Number(n) => Ok(Cow::Owned(n.to_string())),
        Value::Bool(b) => Ok(Cow::Borrowed(if *b { "true" } else { "false" })),
        other => Err(ModelError::wrong_type(path, "a string", other)),
    }
}

fn header_map(
    headers: Option<&Value>,
    original: Option<&Map<String, Value>>,
    path: &str,
) -> Result<HeaderMap, ModelError> {
    let map_path = FieldPath::root(path);
    let mut out = HeaderMap::new();
    for (name, entry) in entries(headers, path)? {
        let entry_path = map_path.key(name);
        // `from_bytes` lower-cases; the wire case is the server's business (see `title_case`).
        let header_name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|e| ModelError::http(entry_path, e))?;
        for text in entry_occurrences(entry, original.map(|o| o.get(name)), &entry_path)? {
            let value =
                HeaderValue::from_str(&text).map_err(|e| ModelError::http(entry_path, e))?;
            out.append(header_name.clone(), value);
        }
    }
    Ok(out)
}

fn cookie_line(
    cookies: Option<&Value>,
    original: Option<&Map<String, Value>>,
) -> Result<String, ModelError> {
    let map_path = FieldPath::root("request.cookies");
    let mut line = String::new();
    let mut first = true;
    for (name, entry) in entries(cookies, "request.cookies")? {
        let path = map_path.key(name);
        for value in entry_occurrences(entry, original.map(|o| o.get(name)), &path)? {
            if !first {
                line.push_str("; ");
            }
            first = false;
            line.push_str(name);
            line.push('=');
            line.push_str(&value);
        }
    }
    Ok(line)
}

/// One `Set-Cookie` line per occurrence, each with the attributes of the object its value came
/// from (the entry itself, or its `multiValue` element).
fn set_cookie_lines(
    cookies: Option<&Value>,
    original: Option<&Map<String, Value>>,
) -> Result<Vec<String>, ModelError> {
    let map_path = FieldPath::root("response.cookies");
    let mut lines = Vec::new();
    for (name, entry) in entries(cookies, "response.cookies")? {
        let path = map_path.key(name);
        for (value, source) in resolve_occurrences(entry, original.map(|o| o.get(name)), &path)? {
            let attributes = match source {
                Source::Entry => attribute_text(Some(entry)),
                Source::Element(i) => {
                    attribute_text(entry.get("multiValue").and_then(|m| m.get(i)))
                }
            };
            lines.push(if attributes.is_empty() {
                format!("{name}={value}")
            } else {
                format!("{name}={value}; {attributes}")
            });
        }
    }
    Ok(lines)
}

fn attribute_text(object: Option<&Value>) -> &str {
    match object.and_then(|o| o.get("attributes")) {
        Some(Value::String(text)) => text.trim(),
        _ => "",
    }
}

fn body_change(body: Option<&Value>) -> Result<BodyChange, ModelError> {
    match body {
        // A null body is treated as no body (inferred).
        None | Some(Value::Null) => Ok(BodyChange::Keep),
        Some(Value::String(text)) => Ok(BodyChange::Replace(text.as_bytes().to_vec())),
        Some(Value::Object(map)) => {
            let data = match map.get("data") {
                Some(Value::String(data)) => data.as_str(),
                Some(other) => {
                    return Err(ModelError::wrong_type(
                        "response.body.data",
                        "a string",
                        other,
                    ))
                }
                None => "",
            };
            match map.get("encoding").and_then(Value::as_str) {
                Some("text") => Ok(BodyChange::Replace(data.as_bytes().to_vec())),
                Some("base64") => base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map(BodyChange::Replace)
                    .map_err(|e| {
                        ModelError::invalid("response.body.data", format!("invalid base64: {e}"))
                    }),
                _ => Err(ModelError::invalid(
                    "response.body.encoding",
                    "expected \"text\" or \"base64\"",
                )),
            }
        }
        Some(other) => Err(ModelError::wrong_type(
            "response.body",
            "a string or an object with encoding and data",
            other,
        )),
    }
}

/// The name/entry pairs of an entry map; an absent or null map has none.
fn entries<'a>(
    map: Option<&'a Value>,
    path: &str,
) -> Result<impl Iterator<Item = (&'a String, &'a Value)>, ModelError> {
    match map {
        None | Some(Value::Null) => Ok(None.into_iter().flatten()),
        Some(Value::Object(map)) => Ok(Some(map).into_iter().flatten()),
        Some(other) => Err(ModelError::wrong_type(path, "an object", other)),
    }
}

fn expect_object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ModelError> {
    value
        .as_object()
        .ok_or_else(|| ModelError::wrong_type(path, "an object", value))
}

#[cfg(test)]
#[path = "from_event_tests.rs"]
mod tests;
