//! CloudFront's checks on what a Lambda@Edge function returns (lambda-edge.md §4): structure
//! first (JSON, an object), then values (headers, read-only fields, status, body, origin,
//! sizes). Every failure is a 502 `LambdaValidationError` carrying CloudFront's message.
//!
//! Messages known from production (§4.1, §14) are reproduced exactly; the others use the
//! family prefix `The Lambda function result failed validation: ` with a description of the
//! rule (*inferred*). Undocumented rules (§13 #6, #7) are refused with
//! [`LambdaValidationOptions::strict`] and only warned about otherwise.

use std::fmt;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::event::cf;
use super::headers::{read_only_headers, values_of};
use super::limits::{
    MAX_URI_AND_QUERY, ORIGIN_BODY_BASE64, ORIGIN_BODY_TEXT, ORIGIN_GENERATED_RESPONSE,
    STATUS_RANGE, VIEWER_BODY_BASE64, VIEWER_BODY_TEXT, VIEWER_GENERATED_RESPONSE,
};
use super::origin::Origin;
use super::Trigger;
use crate::cff_http::title_case;
use crate::failure::EdgeFailure;
use crate::validate::is_disallowed_header;

/// Prefix of structural failures (observed).
pub const INVALID_JSON_PREFIX: &str = "The Lambda function returned invalid JSON: ";
/// Prefix of value failures (observed).
pub const FAILED_VALIDATION_PREFIX: &str = "The Lambda function result failed validation: ";
/// Prefix of header-entry failures (observed).
pub const INVALID_HEADER_ENTRY_PREFIX: &str =
    "The Lambda function returned an invalid entry in the headers object: ";

/// Nothing (or nothing parsable) came back (observed).
pub const NOT_PARSABLE: &str = "The JSON output is not parsable.";
/// The output is a string, an array, `null`… (observed).
pub const NOT_AN_OBJECT: &str = "The JSON output must be an object type.";
/// A header map entry that is not an array (observed).
pub const HEADER_NOT_AN_ARRAY: &str = "Each header entry in the headers object must be an array.";
/// A body of the wrong type or too large (observed).
pub const BODY_INVALID: &str =
    "The body is not a string, is not an object, or exceeds the maximum size.";
/// A read-only header added, changed or removed (observed).
pub const READ_ONLY_HEADER: &str =
    "The function tried to add, delete, or change a read-only header.";

/// Which of CloudFront's three message families a failure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `The Lambda function returned invalid JSON: …`
    InvalidJson,
    /// `The Lambda function result failed validation: …`
    FailedValidation,
    /// `The Lambda function returned an invalid entry in the headers object: …`
    InvalidHeaderEntry,
}

impl Family {
    /// The message prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Family::InvalidJson => INVALID_JSON_PREFIX,
            Family::FailedValidation => FAILED_VALIDATION_PREFIX,
            Family::InvalidHeaderEntry => INVALID_HEADER_ENTRY_PREFIX,
        }
    }
}

/// A Lambda@Edge result CloudFront refuses: a 502 at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaValidationError {
    /// The message family.
    pub family: Family,
    /// A short name of the rule for logs, e.g. `read-only-header`.
    pub rule: &'static str,
    /// The sentence after the family prefix.
    pub detail: String,
}

impl LambdaValidationError {
    fn new(family: Family, rule: &'static str, detail: impl Into<String>) -> Self {
        LambdaValidationError {
            family,
            rule,
            detail: detail.into(),
        }
    }

    fn failed(rule: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Family::FailedValidation, rule, detail)
    }

    fn header(rule: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Family::InvalidHeaderEntry, rule, detail)
    }

    /// The complete message of the error page.
    pub fn message(&self) -> String {
        format!("{}{}", self.family.prefix(), self.detail)
    }
}

impl fmt::Display for LambdaValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for LambdaValidationError {}

impl From<LambdaValidationError> for EdgeFailure {
    fn from(error: LambdaValidationError) -> Self {
        EdgeFailure::LambdaValidation(error.message())
    }
}

/// Validation knobs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LambdaValidationOptions {
    /// Refuse what is undocumented instead of warning (header `key`/name mismatch, upper-case
    /// map keys, a body on viewer-response, writes to read-only fields).
    pub strict: bool,
}

/// What a valid result means.
#[derive(Debug, Clone, PartialEq)]
pub enum LambdaOutput {
    /// A request trigger returned the request to continue with (normalised: header `key`s
    /// filled in, read-only fields restored).
    Request(Value),
    /// A request trigger generated a response (`status` as a string, headers normalised).
    GeneratedResponse(Value),
    /// A response trigger returned the response to send (and, for origin-response, cache).
    Response(Value),
}

/// A result that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaVerdict {
    /// The normalised result.
    pub output: LambdaOutput,
    /// Things CloudFront may refuse but edgesim lets through outside strict mode.
    pub warnings: Vec<String>,
}

/// Checks a function's result against the event it was given.
///
/// `output` is `None` when the function produced no payload at all (see
/// `edgesim_lambda::Invocation::outcome`).
pub fn validate_output(
    trigger: Trigger,
    event: &Value,
    output: Option<&Value>,
    options: &LambdaValidationOptions,
) -> Result<LambdaVerdict, LambdaValidationError> {
    let Some(output) = output else {
        return Err(LambdaValidationError::new(
            Family::InvalidJson,
            "not-parsable",
            NOT_PARSABLE,
        ));
    };
    let Value::Object(object) = output else {
        return Err(LambdaValidationError::new(
            Family::InvalidJson,
            "not-an-object",
            NOT_AN_OBJECT,
        ));
    };
    let empty = Value::Object(Map::new());
    let cf = cf(event).unwrap_or(&empty);
    let mut checker = Checker {
        trigger,
        strict: options.strict,
        warnings: Vec::new(),
    };
    let output = if trigger.is_request() {
        if object.contains_key("status") {
            LambdaOutput::GeneratedResponse(checker.generated_response(object)?)
        } else {
            let original = cf.get("request").unwrap_or(&empty);
            LambdaOutput::Request(checker.request(original, object)?)
        }
    } else {
        let original = cf.get("response").unwrap_or(&empty);
        LambdaOutput::Response(checker.response(original, object)?)
    };
    Ok(LambdaVerdict {
        output,
        warnings: checker.warnings,
    })
}

struct Checker {
    trigger: Trigger,
    strict: bool,
    warnings: Vec<String>,
}

type Checked<T> = Result<T, LambdaValidationError>;

impl Checker {
    /// Refuses in strict mode, warns otherwise.
    fn soft(&mut self, error: LambdaValidationError) -> Checked<()> {
        if self.strict {
            return Err(error);
        }
        self.warnings
            .push(format!("{} (refused with --strict)", error.message()));
        Ok(())
    }

    fn request(&mut self, original: &Value, returned: &Map<String, Value>) -> Checked<Value> {
        let mut out = returned.clone();
        let uri = match returned.get("uri") {
            Some(Value::String(uri)) => uri.as_str(),
            Some(_) => {
                return Err(LambdaValidationError::failed(
                    "uri",
                    "The uri must be a string.",
                ))
            }
            None => {
                return Err(LambdaValidationError::failed(
                    "uri",
                    "The request object must contain a uri.",
                ))
            }
        };
        if !uri.starts_with('/') || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(LambdaValidationError::failed(
                "uri",
                "The uri must start with a slash (/) and contain no spaces or control characters.",
            ));
        }
        let query = match returned.get("querystring") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(q)) => q.clone(),
            Some(_) => {
                return Err(LambdaValidationError::failed(
                    "querystring",
                    "The querystring must be a string.",
                ))
            }
        };
        if query
            .chars()
            .any(|c| c == ' ' || c == '#' || c.is_control())
        {
            return Err(LambdaValidationError::failed(
                "querystring",
                "The querystring contains a space, a control character or #.",
            ));
        }
        out.insert("querystring".into(), Value::String(query.clone()));
        let length = uri.chars().count() + query.chars().count();
        if length >= MAX_URI_AND_QUERY {
            return Err(LambdaValidationError::failed(
                "uri-length",
                format!("The uri and querystring together must be shorter than {MAX_URI_AND_QUERY} characters."),
            ));
        }
        for field in ["method", "clientIp"] {
            let before = original.get(field);
            if let Some(after) = returned.get(field) {
                if before.is_some() && before != Some(after) {
                    self.soft(LambdaValidationError::failed(
                        "read-only-field",
                        format!("The function tried to change the read-only field {field}."),
                    ))?;
                }
            }
            match before {
                Some(value) => out.insert(field.into(), value.clone()),
                None => out.remove(field),
            };
        }

        let original_headers = original.get("headers");
        let headers = match returned.get("headers") {
            None => original_headers
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new())),
            Some(headers) => {
                let headers = self.header_map(headers)?;
                self.protected_headers(original_headers, &headers)?;
                if self.trigger == Trigger::ViewerRequest {
                    let name = "cloudfront-viewer-country";
                    if values_of(original_headers, name) != values_of(Some(&headers), name) {
                        return Err(LambdaValidationError::failed(
                            "viewer-country",
                            "The function tried to add, delete, or change the CloudFront-Viewer-Country header in a viewer-request event.",
                        ));
                    }
                }
                headers
            }
        };

        match returned.get("body") {
            None => {}
            Some(body) => {
                let body = self.request_body(original.get("body"), body)?;
                out.insert("body".into(), body);
            }
        }

        match (self.trigger, returned.get("origin")) {
            (_, None) => {}
            (Trigger::OriginRequest, Some(origin)) => {
                Origin::from_json(origin, Some(&headers)).map_err(|e| {
                    LambdaValidationError::failed("origin", format!("The origin is invalid: {e}."))
                })?;
            }
            (_, Some(origin)) => {
                if original.get("origin") != Some(origin) {
                    self.soft(LambdaValidationError::failed(
                        "origin",
                        "Only origin-request functions can set request.origin.",
                    ))?;
                }
                match original.get("origin") {
                    Some(o) => out.insert("origin".into(), o.clone()),
                    None => out.remove("origin"),
                };
            }
        }
        out.insert("headers".into(), headers);
        Ok(Value::Object(out))
    }

    fn request_body(&mut self, original: Option<&Value>, body: &Value) -> Checked<Value> {
        let invalid = || LambdaValidationError::failed("body", BODY_INVALID);
        let Value::Object(map) = body else {
            return Err(invalid());
        };
        let action = match map.get("action") {
            None => "read-only",
            Some(Value::String(a)) if a == "read-only" || a == "replace" => a.as_str(),
            Some(_) => {
                return Err(LambdaValidationError::failed(
                    "body-action",
                    "The body action must be read-only or replace.",
                ))
            }
        };
        if action == "read-only" {
            // Changes are ignored and the original body goes to the origin (§2.5).
            return Ok(original.cloned().unwrap_or_else(|| body.clone()));
        }
        let original_encoding = original
            .and_then(|o| o.get("encoding"))
            .and_then(Value::as_str)
            .unwrap_or("base64");
        let encoding = match map.get("encoding") {
            None => original_encoding,
            Some(Value::String(e)) if e == "text" || e == "base64" => e.as_str(),
            Some(_) => {
                return Err(LambdaValidationError::failed(
                    "body-encoding",
                    "The body encoding must be text or base64.",
                ))
            }
        };
        let Some(Value::String(data)) = map.get("data") else {
            return Err(invalid());
        };
        let viewer = self.trigger.is_viewer();
        let limit = match (encoding, viewer) {
            ("text", true) => VIEWER_BODY_TEXT,
            ("text", false) => ORIGIN_BODY_TEXT,
            (_, true) => VIEWER_BODY_BASE64,
            (_, false) => ORIGIN_BODY_BASE64,
        };
        if data.len() > limit {
            return Err(invalid());
        }
        if encoding == "base64" {
            decode_base64(data)?;
        }
        let mut out = map.clone();
        out.insert("action".into(), "replace".into());
        out.insert("encoding".into(), encoding.into());
        if let Some(truncated) = original.and_then(|o| o.get("inputTruncated")) {
            out.insert("inputTruncated".into(), truncated.clone());
        }
        Ok(Value::Object(out))
    }

    fn generated_response(&mut self, returned: &Map<String, Value>) -> Checked<Value> {
        let mut out = returned.clone();
        let status = status_code(returned.get("status"))?;
        out.insert("status".into(), Value::String(status.to_string()));
        self.status_description(returned)?;
        let headers = match returned.get("headers") {
            None => Value::Object(Map::new()),
            Some(headers) => {
                let headers = self.header_map(headers)?;
                self.disallowed_headers(None, &headers)?;
                headers
            }
        };
        let body = self.response_body(returned)?;
        if self.trigger == Trigger::ViewerRequest && status == 204 && !body.is_empty() {
            return Err(LambdaValidationError::failed(
                "no-content-body",
                "A viewer-request function cannot generate a 204 (No Content) response with a body.",
            ));
        }
        let limit = if self.trigger.is_viewer() {
            VIEWER_GENERATED_RESPONSE
        } else {
            ORIGIN_GENERATED_RESPONSE
        };
        if header_bytes(&headers) + body.len() > limit {
            return Err(LambdaValidationError::failed(
                "generated-response-size",
                BODY_INVALID,
            ));
        }
        out.insert("headers".into(), headers);
        Ok(Value::Object(out))
    }

    fn response(&mut self, original: &Value, returned: &Map<String, Value>) -> Checked<Value> {
        let mut out = returned.clone();
        if !returned.contains_key("status") {
            return Err(LambdaValidationError::failed(
                "status",
                "The response object must contain a status.",
            ));
        }
        let status = status_code(returned.get("status"))?;
        if self.trigger == Trigger::ViewerResponse {
            let before = original
                .get("status")
                .and_then(|s| status_code(Some(s)).ok());
            if before.is_some_and(|b| b != status) {
                return Err(LambdaValidationError::failed(
                    "status-read-only",
                    "The function tried to change the status of a viewer-response event, which is read-only.",
                ));
            }
        }
        out.insert("status".into(), Value::String(status.to_string()));
        self.status_description(returned)?;
        let original_headers = original.get("headers");
        let headers = match returned.get("headers") {
            None => original_headers
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new())),
            Some(headers) => {
                let headers = self.header_map(headers)?;
                self.protected_headers(original_headers, &headers)?;
                headers
            }
        };
        out.insert("headers".into(), headers.clone());
        if returned.contains_key("body") {
            if self.trigger == Trigger::ViewerResponse {
                self.soft(LambdaValidationError::failed(
                    "viewer-response-body",
                    "A viewer-response function set a body; CloudFront does not document this.",
                ))?;
            }
            let body = self.response_body(returned)?;
            let limit = if self.trigger.is_viewer() {
                VIEWER_GENERATED_RESPONSE
            } else {
                ORIGIN_GENERATED_RESPONSE
            };
            if header_bytes(&headers) + body.len() > limit {
                return Err(LambdaValidationError::failed("response-size", BODY_INVALID));
            }
        }
        Ok(Value::Object(out))
    }

    fn status_description(&mut self, returned: &Map<String, Value>) -> Checked<()> {
        match returned.get("statusDescription") {
            None | Some(Value::Null) | Some(Value::String(_)) => Ok(()),
            Some(_) => Err(LambdaValidationError::failed(
                "status-description",
                "The statusDescription must be a string.",
            )),
        }
    }

    /// `body` + `bodyEncoding` of a generated or updated response, decoded.
    fn response_body(&mut self, returned: &Map<String, Value>) -> Checked<Vec<u8>> {
        let encoding = match returned.get("bodyEncoding") {
            None | Some(Value::Null) => "text",
            Some(Value::String(e)) if e == "text" || e == "base64" => e.as_str(),
            Some(_) => {
                return Err(LambdaValidationError::failed(
                    "body-encoding",
                    "The bodyEncoding must be text or base64.",
                ))
            }
        };
        match returned.get("body") {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(body)) if encoding == "base64" => decode_base64(body),
            Some(Value::String(body)) => Ok(body.as_bytes().to_vec()),
            Some(_) => Err(LambdaValidationError::failed("body", BODY_INVALID)),
        }
    }

    /// Checks the shape of a header map and returns it normalised (`key` filled in).
    fn header_map(&mut self, headers: &Value) -> Checked<Value> {
        let Value::Object(map) = headers else {
            return Err(LambdaValidationError::failed(
                "headers",
                "The headers must be an object.",
            ));
        };
        let mut out = Map::new();
        for (name, entries) in map {
            let Value::Array(entries) = entries else {
                return Err(LambdaValidationError::header(
                    "header-not-array",
                    HEADER_NOT_AN_ARRAY,
                ));
            };
            let lower = name.to_ascii_lowercase();
            if http::HeaderName::from_bytes(lower.as_bytes()).is_err() {
                return Err(LambdaValidationError::header(
                    "header-name",
                    format!("The header name {name} is not a valid HTTP header name."),
                ));
            }
            if *name != lower {
                self.soft(LambdaValidationError::header(
                    "header-name-case",
                    format!("The header name {name} must be lower-case in the headers object."),
                ))?;
            }
            let mut normalised = Vec::with_capacity(entries.len());
            for entry in entries {
                let Value::Object(fields) = entry else {
                    return Err(LambdaValidationError::header(
                        "header-entry",
                        format!("Each entry of header {lower} must be an object with a value."),
                    ));
                };
                let value = match fields.get("value") {
                    Some(Value::String(v)) => v,
                    _ => {
                        return Err(LambdaValidationError::header(
                            "header-value",
                            format!("Each entry of header {lower} must have a string value."),
                        ))
                    }
                };
                if value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
                    return Err(LambdaValidationError::header(
                        "header-value",
                        format!(
                            "The value of header {lower} contains a line break or a NUL character."
                        ),
                    ));
                }
                let key = match fields.get("key") {
                    None | Some(Value::Null) => title_case(&lower),
                    Some(Value::String(key)) => {
                        if key.to_ascii_lowercase() != lower {
                            self.soft(LambdaValidationError::header(
                                "header-key-mismatch",
                                format!("The key {key} does not match the header name {lower}."),
                            ))?;
                        }
                        key.clone()
                    }
                    Some(_) => {
                        return Err(LambdaValidationError::header(
                            "header-key",
                            format!("The key of header {lower} must be a string."),
                        ))
                    }
                };
                let mut entry = fields.clone();
                entry.insert("key".into(), Value::String(key));
                normalised.push(Value::Object(entry));
            }
            match out.get_mut(&lower) {
                Some(Value::Array(existing)) => existing.extend(normalised),
                _ => {
                    out.insert(lower, Value::Array(normalised));
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// Read-only headers unchanged, disallowed headers not added (§4.2, §4.3).
    fn protected_headers(&mut self, original: Option<&Value>, returned: &Value) -> Checked<()> {
        for name in read_only_headers(self.trigger) {
            if values_of(original, name) != values_of(Some(returned), name) {
                return Err(LambdaValidationError::failed(
                    "read-only-header",
                    READ_ONLY_HEADER,
                ));
            }
        }
        self.disallowed_headers(original, returned)
    }

    fn disallowed_headers(&mut self, original: Option<&Value>, returned: &Value) -> Checked<()> {
        let Some(map) = returned.as_object() else {
            return Ok(());
        };
        for name in map.keys() {
            if is_disallowed_header(name)
                && values_of(original, name) != values_of(Some(returned), name)
            {
                return Err(LambdaValidationError::failed(
                    "disallowed-header",
                    format!(
                        "The function tried to add, delete, or change a disallowed header: {name}."
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// `status` as a number or a numeric string (§3.1, §13 #11), within 200–599.
fn status_code(value: Option<&Value>) -> Checked<u16> {
    let code = match value {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match code.and_then(|c| u16::try_from(c).ok()) {
        Some(code) if STATUS_RANGE.contains(&code) => Ok(code),
        _ => Err(LambdaValidationError::failed(
            "status",
            "The status code must be a number between 200 and 599.",
        )),
    }
}

fn decode_base64(data: &str) -> Checked<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| LambdaValidationError::failed("body-base64", "The body is not valid base64."))
}

/// Header bytes as sent: `Name: value\r\n` per entry.
fn header_bytes(headers: &Value) -> usize {
    headers.as_object().map_or(0, |map| {
        map.iter()
            .map(|(name, entries)| {
                entries.as_array().map_or(0, |entries| {
                    entries
                        .iter()
                        .map(|e| {
                            name.len()
                                + 4
                                + e.get("value").and_then(Value::as_str).map_or(0, str::len)
                        })
                        .sum()
                })
            })
            .sum()
    })
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
