//! Checks a user's CloudFront Functions event file and fills in the parts a partial event omits.
//!
//! Works on `serde_json::Value` rather than through serde derive so that every complaint names
//! the exact field path (`request.headers.host.value: expected a string, found number`), and so
//! that keys we do not model (such as the misspelt `multivalue` in AWS's sample events) pass
//! through to the function untouched, as they would with TestFunction.

use serde_json::{Map, Value};

use super::{EventType, EVENT_VERSION};
use crate::error::{child_path, index_path, ModelError};

/// Checks that `json` is a CloudFront Functions event and returns it with defaults filled in.
///
/// Accepts the partial events AWS itself uses for testing (a `context` with only `eventType`, a
/// `request` with only `method`, `uri` and `headers`). Fills in `version: "1.0"`,
/// `request.querystring`, `request.headers` and `request.cookies` as `{}`, and for a
/// viewer-response event `response.headers` and `response.cookies` as `{}`. A missing
/// `context.eventType` is inferred from the presence of `response`. Unknown keys are kept.
///
/// Errors name the field path and what was expected there; a Lambda@Edge event (`Records`) is
/// refused with a pointer to `edgesim invoke`.
pub fn parse_event(json: &Value) -> Result<Value, ModelError> {
    let root = json
        .as_object()
        .ok_or_else(|| ModelError::wrong_type("event", "an object", json))?;
    if root.contains_key("Records") {
        return Err(ModelError::LambdaEdgeEvent);
    }

    let version = match root.get("version") {
        None => Value::String(EVENT_VERSION.to_owned()),
        Some(v @ Value::String(_)) => v.clone(),
        Some(other) => return Err(ModelError::wrong_type("version", "a string", other)),
    };
    let has_response = root.contains_key("response");
    let (context, event_type) = check_context(root.get("context"), has_response)?;
    if let Some(viewer) = root.get("viewer") {
        check_viewer(viewer)?;
    }
    let request = match root.get("request") {
        Some(request) => check_request(request)?,
        None => return Err(ModelError::missing("request", "an object")),
    };
    let response = match (event_type, root.get("response")) {
        (EventType::ViewerResponse, Some(response)) => Some(check_response(response)?),
        (EventType::ViewerResponse, None) => {
            return Err(ModelError::missing(
                "response",
                "an object (a viewer-response event carries the response)",
            ))
        }
        (EventType::ViewerRequest, Some(_)) => {
            return Err(ModelError::invalid(
                "response",
                "a viewer-request event has no response; set context.eventType to \
                 \"viewer-response\" or remove it",
            ))
        }
        (EventType::ViewerRequest, None) => None,
    };

    // Rebuild in CloudFront's field order, keeping any extra top-level keys after ours.
    let mut out = Map::new();
    out.insert("version".into(), version);
    out.insert("context".into(), Value::Object(context));
    if let Some(viewer) = root.get("viewer") {
        out.insert("viewer".into(), viewer.clone());
    }
    out.insert("request".into(), request);
    if let Some(response) = response {
        out.insert("response".into(), response);
    }
    for (key, value) in root {
        if !out.contains_key(key) {
            out.insert(key.clone(), value.clone());
        }
    }
    Ok(Value::Object(out))
}

/// Checks `context`, returning it with `eventType` set (inferred when absent).
fn check_context(
    context: Option<&Value>,
    has_response: bool,
) -> Result<(Map<String, Value>, EventType), ModelError> {
    let mut context = match context {
        None => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(other) => return Err(ModelError::wrong_type("context", "an object", other)),
    };
    for key in [
        "distributionDomainName",
        "endpoint",
        "distributionId",
        "requestId",
    ] {
        if let Some(value) = context.get(key) {
            expect_string(value, &child_path("context", key))?;
        }
    }
    let event_type = match context.get("eventType") {
        None if has_response => EventType::ViewerResponse,
        None => EventType::ViewerRequest,
        Some(Value::String(name)) => EventType::from_name(name).ok_or_else(|| {
            let hint = if name.starts_with("origin-") {
                " (origin events exist only for Lambda@Edge; use `edgesim invoke`)"
            } else {
                ""
            };
            ModelError::invalid(
                "context.eventType",
                format!(
                    "expected \"viewer-request\" or \"viewer-response\", found {}{hint}",
                    Value::String(name.clone())
                ),
            )
        })?,
        Some(other) => {
            return Err(ModelError::wrong_type(
                "context.eventType",
                "a string",
                other,
            ))
        }
    };
    context.insert("eventType".into(), event_type.as_str().into());
    Ok((context, event_type))
}

fn check_viewer(viewer: &Value) -> Result<(), ModelError> {
    let map = viewer
        .as_object()
        .ok_or_else(|| ModelError::wrong_type("viewer", "an object", viewer))?;
    if let Some(ip) = map.get("ip") {
        expect_string(ip, "viewer.ip")?;
    }
    Ok(())
}

fn check_request(request: &Value) -> Result<Value, ModelError> {
    let mut map = request
        .as_object()
        .ok_or_else(|| ModelError::wrong_type("request", "an object", request))?
        .clone();
    for key in ["method", "uri"] {
        match map.get(key) {
            Some(value) => expect_string(value, &child_path("request", key))?,
            None => return Err(ModelError::missing(child_path("request", key), "a string")),
        }
    }
    // CloudFront always hands over the parsed map; the string form exists only in what a
    // function returns, so a string here is a mistake in the event file.
    let querystring = check_entry_map(map.get("querystring"), "request.querystring", Kind::Query)?;
    let headers = check_entry_map(
        map.get("headers"),
        "request.headers",
        Kind::Headers { hidden: "cookie" },
    )?;
    let cookies = check_entry_map(map.get("cookies"), "request.cookies", Kind::RequestCookies)?;
    map.insert("querystring".into(), querystring);
    map.insert("headers".into(), headers);
    map.insert("cookies".into(), cookies);
    Ok(Value::Object(map))
}

fn check_response(response: &Value) -> Result<Value, ModelError> {
    let mut map = response
        .as_object()
        .ok_or_else(|| ModelError::wrong_type("response", "an object", response))?
        .clone();
    match map.get("statusCode") {
        None => return Err(ModelError::missing("response.statusCode", "an integer")),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(code) if (100..=599).contains(&code) => {}
            _ => {
                return Err(ModelError::invalid(
                    "response.statusCode",
                    format!("expected an integer from 100 to 599, found {n}"),
                ))
            }
        },
        Some(other) => {
            return Err(ModelError::wrong_type(
                "response.statusCode",
                "an integer",
                other,
            ))
        }
    }
    if let Some(description) = map.get("statusDescription") {
        expect_string(description, "response.statusDescription")?;
    }
    if let Some(body) = map.get("body") {
        check_body(body)?;
    }
    let headers = check_entry_map(
        map.get("headers"),
        "response.headers",
        Kind::Headers {
            hidden: "set-cookie",
        },
    )?;
    let cookies = check_entry_map(
        map.get("cookies"),
        "response.cookies",
        Kind::ResponseCookies,
    )?;
    map.insert("headers".into(), headers);
    map.insert("cookies".into(), cookies);
    Ok(Value::Object(map))
}

fn check_body(body: &Value) -> Result<(), ModelError> {
    match body {
        Value::String(_) => Ok(()),
        Value::Object(map) => {
            match map.get("encoding") {
                Some(Value::String(e)) if e == "text" || e == "base64" => {}
                Some(Value::String(e)) => {
                    return Err(ModelError::invalid(
                        "response.body.encoding",
                        format!("expected \"text\" or \"base64\", found {:?}", e),
                    ))
                }
                Some(other) => {
                    return Err(ModelError::wrong_type(
                        "response.body.encoding",
                        "a string",
                        other,
                    ))
                }
                None => return Err(ModelError::missing("response.body.encoding", "a string")),
            }
            match map.get("data") {
                Some(data) => expect_string(data, "response.body.data"),
                None => Err(ModelError::missing("response.body.data", "a string")),
            }
        }
        other => Err(ModelError::wrong_type(
            "response.body",
            "a string or an object with encoding and data",
            other,
        )),
    }
}

/// Which of the four entry maps is being checked; they differ in naming rules and attributes.
#[derive(Clone, Copy)]
enum Kind {
    /// Header names are lower-case, and one header is never exposed (it has its own map).
    Headers {
        hidden: &'static str,
    },
    Query,
    RequestCookies,
    ResponseCookies,
}

/// Checks an entry map, returning it (or `{}` when absent).
fn check_entry_map(map: Option<&Value>, path: &str, kind: Kind) -> Result<Value, ModelError> {
    let map = match map {
        None => return Ok(Value::Object(Map::new())),
        Some(Value::Object(map)) => map,
        Some(other) => return Err(ModelError::wrong_type(path, "an object", other)),
    };
    for (name, entry) in map {
        let entry_path = child_path(path, name);
        if let Kind::Headers { hidden } = kind {
            if name.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(ModelError::invalid(
                    &entry_path,
                    "header names must be lower case, as CloudFront sends them",
                ));
            }
            if name == hidden {
                let cookies = path.replace("headers", "cookies");
                return Err(ModelError::invalid(
                    &entry_path,
                    format!("CloudFront never puts `{hidden}` in headers; use {cookies}"),
                ));
            }
        }
        check_entry(entry, &entry_path, matches!(kind, Kind::ResponseCookies))?;
    }
    Ok(Value::Object(map.clone()))
}

/// Checks one `{value, multiValue?}` entry (plus `attributes` for response cookies).
fn check_entry(entry: &Value, path: &str, with_attributes: bool) -> Result<(), ModelError> {
    let expected = "an object with a string `value`";
    let map = entry
        .as_object()
        .ok_or_else(|| ModelError::wrong_type(path, expected, entry))?;
    check_value_fields(map, path, with_attributes)?;
    let Some(multi) = map.get("multiValue") else {
        return Ok(());
    };
    let multi_path = child_path(path, "multiValue");
    let elements = multi
        .as_array()
        .ok_or_else(|| ModelError::wrong_type(&multi_path, "an array", multi))?;
    for (index, element) in elements.iter().enumerate() {
        let element_path = index_path(&multi_path, index);
        let element_map = element
            .as_object()
            .ok_or_else(|| ModelError::wrong_type(&element_path, expected, element))?;
        check_value_fields(element_map, &element_path, with_attributes)?;
    }
    Ok(())
}

fn check_value_fields(
    map: &Map<String, Value>,
    path: &str,
    with_attributes: bool,
) -> Result<(), ModelError> {
    match map.get("value") {
        Some(value) => expect_string(value, &child_path(path, "value"))?,
        None => return Err(ModelError::missing(child_path(path, "value"), "a string")),
    }
    if with_attributes {
        if let Some(attributes) = map.get("attributes") {
            expect_string(attributes, &child_path(path, "attributes"))?;
        }
    }
    Ok(())
}

fn expect_string(value: &Value, path: &str) -> Result<(), ModelError> {
    match value {
        Value::String(_) => Ok(()),
        other => Err(ModelError::wrong_type(path, "a string", other)),
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
