//! What CloudFront does with a function's return value: normalise it (§4.2) and check it per
//! event type (§5). A failed check is a 502 at the edge.
//!
//! [`normalize`] is what TestFunction shows and is always applied; [`validate`] adds the checks
//! the edge makes. TestFunction does not check read-only headers (§13.4), hence
//! [`ValidationOptions::check_read_only`].

mod header_rules;
mod normalize;
mod verdict;

use std::borrow::Cow;
use std::ops::RangeInclusive;

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::cff::EventType;
use crate::cff_http::{entry_occurrences, query_text};
use crate::error::{FieldPath, ModelError};

pub use header_rules::{
    is_disallowed_header, DISALLOWED_HEADERS, DISALLOWED_HEADER_PREFIXES, READ_ONLY_VIEWER_REQUEST,
    READ_ONLY_VIEWER_RESPONSE, READ_ONLY_VIEWER_RESPONSE_2023,
};
pub use normalize::{normalize, Normalized};
pub use verdict::{
    ValidationError, ValidationWarning, INVALID_VALUE_PREFIX, READ_ONLY_HEADER_MESSAGE,
};

/// The knobs of validation, defaulting to the edge's behaviour as documented today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationOptions {
    /// Read-only headers in viewer-request, lower-case.
    pub read_only_viewer_request: Vec<String>,
    /// Read-only headers in viewer-response, lower-case. The documentation changed (§17 #2);
    /// [`READ_ONLY_VIEWER_RESPONSE_2023`] holds the older list.
    pub read_only_viewer_response: Vec<String>,
    /// Whether to check read-only headers at all: the edge does, TestFunction does not.
    pub check_read_only: bool,
    /// Accepted `statusCode` values (§4.3: 100–599, inferred).
    pub status_range: RangeInclusive<u16>,
    /// Statuses accepted without a warning (§4.3: 200–599, inferred from Lambda@Edge).
    pub usual_status_range: RangeInclusive<u16>,
    /// Body size above which a warning is given; `None` for no warning. No CFF limit is
    /// documented; the default is Lambda@Edge's 40 KB for viewer-side generated responses.
    pub body_warning_bytes: Option<usize>,
    /// URI plus query string must be shorter than this many characters (§3.3).
    pub max_uri_length: usize,
    /// Refuse what is only a warning otherwise (see
    /// [`ValidationWarning::refused_in_strict_mode`]).
    pub strict: bool,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        let owned = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        ValidationOptions {
            read_only_viewer_request: owned(READ_ONLY_VIEWER_REQUEST),
            read_only_viewer_response: owned(READ_ONLY_VIEWER_RESPONSE),
            check_read_only: true,
            status_range: 100..=599,
            usual_status_range: 200..=599,
            body_warning_bytes: Some(40 * 1024),
            max_uri_length: 8192,
            strict: false,
        }
    }
}

impl ValidationOptions {
    /// TestFunction's checks: everything but read-only headers (§13.4).
    pub fn test_function() -> Self {
        ValidationOptions {
            check_read_only: false,
            ..ValidationOptions::default()
        }
    }
}

/// A return value that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The normalised request or response.
    pub output: Normalized,
    /// What edgesim would like the user to know.
    pub warnings: Vec<ValidationWarning>,
}

/// Normalises and checks a function's return value against the event it was given.
///
/// `input_event` is the whole event the function received (for read-only headers, method, URI
/// and query-string comparisons); `output` is the handler's return value as JSON.
/// Viewer-request may return a request or a response; viewer-response must return a response.
pub fn validate(
    event_type: EventType,
    input_event: &Value,
    output: &Value,
    opts: &ValidationOptions,
) -> Result<Validated, ValidationError> {
    let normalized = normalize(output)?;
    let mut warnings = Vec::new();
    match (&normalized, event_type) {
        (Normalized::Request(request), EventType::ViewerRequest) => {
            check_request(request, input_event.get("request"), opts, &mut warnings)?
        }
        (Normalized::Request(_), EventType::ViewerResponse) => {
            return Err(ValidationError::RequestFromViewerResponse)
        }
        (Normalized::Response(response), EventType::ViewerRequest) => {
            // A generated response has no input to compare with, so no read-only header.
            check_response(response, None, &[], opts, &mut warnings)?
        }
        (Normalized::Response(response), EventType::ViewerResponse) => check_response(
            response,
            input_event.get("response"),
            &opts.read_only_viewer_response,
            opts,
            &mut warnings,
        )?,
    }
    if opts.strict {
        if let Some(warning) = warnings.iter().find(|w| w.refused_in_strict_mode()) {
            return Err(ValidationError::Strict(warning.clone()));
        }
    }
    Ok(Validated {
        output: normalized,
        warnings,
    })
}

/// Checks that a viewer-response function left `event.request.querystring` alone; it is
/// read-only there (§5.3). The returned response cannot show such a change, so the runtime
/// passes `event.request` as the handler left it.
pub fn check_viewer_response_request(
    input_event: &Value,
    request_after_run: &Value,
) -> Result<(), ValidationError> {
    let before = input_event
        .get("request")
        .and_then(|r| r.get("querystring"));
    let after = request_after_run.get("querystring");
    if normalized_query(before) != normalized_query(after) {
        return Err(ValidationError::QueryStringReadOnly);
    }
    Ok(())
}

fn check_request(
    request: &Map<String, Value>,
    input: Option<&Value>,
    opts: &ValidationOptions,
    warnings: &mut Vec<ValidationWarning>,
) -> Result<(), ValidationError> {
    let input_field = |key: &str| input.and_then(|i| i.get(key));
    let read_only: &[String] = if opts.check_read_only {
        &opts.read_only_viewer_request
    } else {
        &[]
    };
    let empty = Map::new();
    let headers = object_field(request, "headers", &empty);
    check_headers(
        headers,
        input_field("headers"),
        "request.headers",
        read_only,
    )?;
    check_entry_values(object_field(request, "cookies", &empty), "request.cookies")?;
    if headers.contains_key("cookie") {
        warnings.push(ValidationWarning::CookieInHeaders);
    }

    if input.is_some() && request.get("method") != input_field("method") {
        return Err(ValidationError::MethodChanged);
    }
    let uri = request.get("uri");
    if input.is_none() || uri != input_field("uri") {
        match uri {
            Some(Value::String(u)) if u.starts_with('/') => {}
            _ => return Err(ValidationError::InvalidUri),
        }
    }

    let querystring = request.get("querystring");
    let query = match querystring {
        Some(Value::String(raw)) => Cow::Borrowed(raw.as_str()),
        Some(Value::Object(map)) => {
            check_entry_values(map, "request.querystring")?;
            let original = input_field("querystring").and_then(Value::as_object);
            Cow::Owned(query_text(map, original).map_err(malformed)?)
        }
        _ => Cow::Borrowed(""),
    };
    // The cheap character scan first: comparing with the input builds normalised copies of
    // both query maps, and only matters when there is something to refuse.
    let query_invalid = query
        .chars()
        .any(|c| c == ' ' || c == '#' || c.is_control());
    if query_invalid
        && (input.is_none()
            || normalized_query(querystring) != normalized_query(input_field("querystring")))
    {
        return Err(ValidationError::InvalidQueryString);
    }

    let uri_length = uri.and_then(Value::as_str).map_or(0, |u| u.chars().count());
    let length = uri_length + query.chars().count();
    if length >= opts.max_uri_length {
        return Err(ValidationError::UriTooLong {
            length,
            limit: opts.max_uri_length,
        });
    }
    Ok(())
}

fn check_response(
    response: &Map<String, Value>,
    input: Option<&Value>,
    read_only: &[String],
    opts: &ValidationOptions,
    warnings: &mut Vec<ValidationWarning>,
) -> Result<(), ValidationError> {
    let status = response.get("statusCode").and_then(integer_status);
    let (min, max) = (*opts.status_range.start(), *opts.status_range.end());
    match status {
        Some(code) if opts.status_range.contains(&code) => {
            if !opts.usual_status_range.contains(&code) {
                warnings.push(ValidationWarning::StatusOutsideUsualRange { status: code });
            }
        }
        _ => return Err(ValidationError::InvalidStatus { min, max }),
    }
    match response.get("statusDescription") {
        None | Some(Value::String(_)) => {}
        Some(_) => {
            return Err(ValidationError::malformed(
                "response.statusDescription",
                "a string",
            ))
        }
    }

    let read_only: &[String] = if opts.check_read_only { read_only } else { &[] };
    let empty = Map::new();
    let headers = object_field(response, "headers", &empty);
    let input_headers = input.and_then(|i| i.get("headers"));
    check_headers(headers, input_headers, "response.headers", read_only)?;
    if headers.contains_key("set-cookie") {
        warnings.push(ValidationWarning::SetCookieInHeaders);
    }
    let cookies = object_field(response, "cookies", &empty);
    check_entry_values(cookies, "response.cookies")?;
    check_cookie_attributes(cookies)?;

    if let Some(size) = body_size(response.get("body"))? {
        if let Some(limit) = opts.body_warning_bytes.filter(|limit| size > *limit) {
            warnings.push(ValidationWarning::LargeBody { size, limit });
        }
    }
    Ok(())
}

/// Upper-case names, HTTP validity, disallowed and read-only headers, in that order.
fn check_headers(
    headers: &Map<String, Value>,
    input: Option<&Value>,
    map: &'static str,
    read_only: &[String],
) -> Result<(), ValidationError> {
    check_entry_values(headers, map)?;
    let input = input.and_then(Value::as_object);
    let map_path = FieldPath::root(map);
    let input_entry = |name: &str| {
        input.and_then(|i| i.get(name)).map(|entry| {
            normalize::normalize_entry(entry, &map_path, false).unwrap_or_else(|_| entry.clone())
        })
    };
    for (name, entry) in headers {
        if name.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(ValidationError::UpperCaseHeaderName {
                map,
                name: name.clone(),
            });
        }
        let valid = http::HeaderName::from_bytes(name.as_bytes()).is_ok()
            && entry_occurrences(entry, None, &map_path.key(name))
                .map_err(malformed)?
                .iter()
                .all(|text| http::HeaderValue::from_str(text).is_ok());
        if !valid {
            return Err(ValidationError::InvalidHeader {
                map,
                name: name.clone(),
            });
        }
        if is_disallowed_header(name) && input_entry(name).as_ref() != Some(entry) {
            return Err(ValidationError::DisallowedHeader {
                map,
                name: name.clone(),
            });
        }
    }
    for name in read_only {
        // Configured names may be written in any case; event maps are lower-case.
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name.as_str())
        };
        // Deleting a read-only header counts as changing it: compare presence too.
        if headers.get(name.as_ref()) != input_entry(&name).as_ref() {
            return Err(ValidationError::ReadOnlyHeader {
                map,
                name: name.into_owned(),
            });
        }
    }
    Ok(())
}

/// Every entry must have a text value (numbers and booleans pass as their text, inferred),
/// and so must every `multiValue` element.
fn check_entry_values(map: &Map<String, Value>, path: &str) -> Result<(), ValidationError> {
    let map_path = FieldPath::root(path);
    for (name, entry) in map {
        entry_occurrences(entry, None, &map_path.key(name)).map_err(malformed)?;
    }
    Ok(())
}

fn check_cookie_attributes(cookies: &Map<String, Value>) -> Result<(), ValidationError> {
    let map_path = FieldPath::root("response.cookies");
    for (name, entry) in cookies {
        let elements = entry.get("multiValue").and_then(Value::as_array);
        let objects = std::iter::once(entry).chain(elements.into_iter().flatten());
        for object in objects {
            match object.get("attributes") {
                None | Some(Value::String(_)) => {}
                Some(_) => {
                    return Err(ValidationError::malformed(
                        map_path.key(name).key("attributes"),
                        "a string",
                    ))
                }
            }
        }
    }
    Ok(())
}

/// The body's size in bytes after decoding; `None` when there is no body.
fn body_size(body: Option<&Value>) -> Result<Option<usize>, ValidationError> {
    match body {
        // A null body is read as no body (inferred).
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.len())),
        Some(Value::Object(map)) => {
            let Some(Value::String(data)) = map.get("data") else {
                return Err(ValidationError::InvalidBody);
            };
            match map.get("encoding").and_then(Value::as_str) {
                Some("text") => Ok(Some(data.len())),
                Some("base64") => base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map(|bytes| Some(bytes.len()))
                    .map_err(|_| ValidationError::InvalidBase64Body),
                _ => Err(ValidationError::InvalidBodyEncoding),
            }
        }
        Some(_) => Err(ValidationError::InvalidBody),
    }
}

/// `statusCode` as an integer; JavaScript numbers may arrive as floats like `200.0`.
fn integer_status(value: &Value) -> Option<u16> {
    let number = value.as_number()?;
    if let Some(code) = number.as_u64() {
        return u16::try_from(code).ok();
    }
    let float = number.as_f64()?;
    (float.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&float)).then_some(float as u16)
}

/// A query string in comparable form: maps normalised, strings as they are, absent as `{}`.
fn normalized_query(querystring: Option<&Value>) -> Value {
    match querystring {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(Value::Object(map)) => {
            let entries = map.iter().map(|(name, entry)| {
                let kept = normalize::normalize_entry(entry, &FieldPath::root(""), false)
                    .unwrap_or_else(|_| entry.clone());
                (name.clone(), kept)
            });
            Value::Object(entries.collect())
        }
        Some(other) => other.clone(),
    }
}

/// An entry map of a normalised object; normalisation guarantees an object, so `empty` is
/// only a fallback.
fn object_field<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    empty: &'a Map<String, Value>,
) -> &'a Map<String, Value> {
    object.get(key).and_then(Value::as_object).unwrap_or(empty)
}

/// A value-level complaint from the HTTP conversion, as CloudFront's malformed-field verdict.
fn malformed(err: ModelError) -> ValidationError {
    match err {
        ModelError::WrongType { path, expected, .. } | ModelError::Missing { path, expected } => {
            ValidationError::malformed(&path, expected)
        }
        other => ValidationError::malformed("the returned object", &other.to_string()),
    }
}

#[cfg(test)]
mod tests;
