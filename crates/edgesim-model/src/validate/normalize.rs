//! The normalisation CloudFront applies to a function's return value (cloudfront-functions.md
//! §4.2), as seen in TestFunction's `FunctionOutput`.

use serde_json::{Map, Value};

use super::verdict::ValidationError;
use crate::error::{json_type_name, FieldPath};

/// A function's return value after normalisation: either a request or a response object.
#[derive(Debug, Clone, PartialEq)]
pub enum Normalized {
    /// The function returned a request (no `statusCode`).
    Request(Map<String, Value>),
    /// The function returned a response (it has `statusCode`).
    Response(Map<String, Value>),
}

impl Normalized {
    /// Whether the function returned a response.
    pub fn is_response(&self) -> bool {
        matches!(self, Normalized::Response(_))
    }

    /// The bare request or response object.
    pub fn object(&self) -> &Map<String, Value> {
        match self {
            Normalized::Request(map) | Normalized::Response(map) => map,
        }
    }

    /// The bare request or response object, as JSON.
    pub fn to_value(&self) -> Value {
        Value::Object(self.object().clone())
    }

    /// The `FunctionOutput` shape: `{"request": {...}}` or `{"response": {...}}`.
    pub fn function_output(&self) -> Value {
        let key = match self {
            Normalized::Request(_) => "request",
            Normalized::Response(_) => "response",
        };
        let mut wrapper = Map::new();
        wrapper.insert(key.to_owned(), self.to_value());
        Value::Object(wrapper)
    }
}

/// Normalises what a handler returned, as CloudFront does before forwarding it.
///
/// - A value with `statusCode` is a response; one with `method` or `uri` is a request (telling
///   them apart by `statusCode` is inferred, §4.1).
/// - A request keeps only `method`, `uri`, `querystring`, `headers`, `cookies`; a response only
///   `statusCode`, `statusDescription` and `body` (when present), `headers`, `cookies`.
/// - Missing (or null) `querystring`, `headers` and `cookies` become `{}`; a string
///   `querystring` stays a string.
/// - Inside entries only `value` and `multiValue` survive (plus `attributes` on response
///   cookies), likewise inside `multiValue` elements. Value types are preserved.
///
/// Fails only when the shape cannot be normalised: not an object, neither kind of object, or a
/// map or entry of the wrong JSON type.
pub fn normalize(output: &Value) -> Result<Normalized, ValidationError> {
    let object = output.as_object().ok_or(ValidationError::NotAnObject {
        found: json_type_name(output),
    })?;
    if object.contains_key("statusCode") {
        normalize_response(object).map(Normalized::Response)
    } else if object.contains_key("method") || object.contains_key("uri") {
        normalize_request(object).map(Normalized::Request)
    } else {
        Err(ValidationError::NeitherRequestNorResponse)
    }
}

fn normalize_request(object: &Map<String, Value>) -> Result<Map<String, Value>, ValidationError> {
    let mut out = Map::new();
    copy_if_present(object, &mut out, "method");
    copy_if_present(object, &mut out, "uri");
    let querystring = match object.get("querystring") {
        Some(Value::String(raw)) => Value::String(raw.clone()),
        other => normalize_entry_map(other, "request.querystring", false)?,
    };
    out.insert("querystring".into(), querystring);
    out.insert(
        "headers".into(),
        normalize_entry_map(object.get("headers"), "request.headers", false)?,
    );
    out.insert(
        "cookies".into(),
        normalize_entry_map(object.get("cookies"), "request.cookies", false)?,
    );
    Ok(out)
}

fn normalize_response(object: &Map<String, Value>) -> Result<Map<String, Value>, ValidationError> {
    let mut out = Map::new();
    copy_if_present(object, &mut out, "statusCode");
    copy_if_present(object, &mut out, "statusDescription");
    out.insert(
        "headers".into(),
        normalize_entry_map(object.get("headers"), "response.headers", false)?,
    );
    out.insert(
        "cookies".into(),
        normalize_entry_map(object.get("cookies"), "response.cookies", true)?,
    );
    copy_if_present(object, &mut out, "body");
    Ok(out)
}

fn copy_if_present(from: &Map<String, Value>, to: &mut Map<String, Value>, key: &str) {
    if let Some(value) = from.get(key) {
        to.insert(key.to_owned(), value.clone());
    }
}

/// Normalises a headers, query or cookie map; absent or null gives `{}`.
fn normalize_entry_map(
    map: Option<&Value>,
    path: &str,
    with_attributes: bool,
) -> Result<Value, ValidationError> {
    let map = match map {
        None | Some(Value::Null) => return Ok(Value::Object(Map::new())),
        Some(Value::Object(map)) => map,
        Some(_) => {
            let expected = if path == "request.querystring" {
                "an object or a string"
            } else {
                "an object"
            };
            return Err(ValidationError::malformed(path, expected));
        }
    };
    let map_path = FieldPath::root(path);
    let mut out = Map::new();
    for (name, entry) in map {
        out.insert(
            name.clone(),
            normalize_entry(entry, &map_path.key(name), with_attributes)?,
        );
    }
    Ok(Value::Object(out))
}

/// Keeps only `value`, `attributes` (response cookies) and `multiValue` of one entry.
pub(crate) fn normalize_entry(
    entry: &Value,
    path: &FieldPath<'_>,
    with_attributes: bool,
) -> Result<Value, ValidationError> {
    let map = entry
        .as_object()
        .ok_or_else(|| ValidationError::malformed(path, "an object with a value"))?;
    let mut out = keep_value_fields(map, with_attributes);
    match map.get("multiValue") {
        // `multiValue: null` is read as no multiValue (inferred).
        None | Some(Value::Null) => {}
        Some(Value::Array(elements)) => {
            let mut kept = Vec::with_capacity(elements.len());
            for (index, element) in elements.iter().enumerate() {
                let element = element.as_object().ok_or_else(|| {
                    ValidationError::malformed(
                        path.key("multiValue").index(index),
                        "an object with a value",
                    )
                })?;
                kept.push(Value::Object(keep_value_fields(element, with_attributes)));
            }
            out.insert("multiValue".into(), Value::Array(kept));
        }
        Some(_) => {
            return Err(ValidationError::malformed(
                path.key("multiValue"),
                "an array",
            ))
        }
    }
    Ok(Value::Object(out))
}

fn keep_value_fields(map: &Map<String, Value>, with_attributes: bool) -> Map<String, Value> {
    let mut out = Map::new();
    copy_if_present(map, &mut out, "value");
    if with_attributes {
        copy_if_present(map, &mut out, "attributes");
    }
    out
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
