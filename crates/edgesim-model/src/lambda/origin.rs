//! `request.origin` of origin events (lambda-edge.md §2.4): a custom or an S3 origin, to JSON
//! and back, with the write constraints origin-request results must meet.

use serde_json::{json, Map, Value};

use super::headers::push_header;
use super::limits::{
    KEEPALIVE_TIMEOUT_RANGE, MAX_CUSTOM_DOMAIN_NAME, MAX_ORIGIN_PATH, MAX_S3_DOMAIN_NAME,
    READ_TIMEOUT_RANGE,
};
use crate::error::ModelError;
use crate::validate::is_disallowed_header;

/// The origin a request goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `{ "custom": { … } }`: any HTTP server.
    Custom(CustomOrigin),
    /// `{ "s3": { … } }`: an S3 bucket.
    S3(S3Origin),
}

/// A custom origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomOrigin {
    /// Origin custom headers, name and value, in order.
    pub custom_headers: Vec<(String, String)>,
    /// DNS name of the origin.
    pub domain_name: String,
    /// Idle keep-alive timeout in seconds (1–60).
    pub keepalive_timeout: u64,
    /// Origin path prefix, `""` for none.
    pub path: String,
    /// TCP port.
    pub port: u16,
    /// `http` or `https`.
    pub protocol: String,
    /// Response timeout in seconds (4–60).
    pub read_timeout: u64,
    /// TLS protocols, e.g. `["TLSv1.2"]`.
    pub ssl_protocols: Vec<String>,
}

impl CustomOrigin {
    /// An HTTPS origin on port 443 with CloudFront's default timeouts (5 s keep-alive, 30 s
    /// read) and `TLSv1.2`.
    pub fn new(domain_name: impl Into<String>) -> Self {
        CustomOrigin {
            custom_headers: Vec::new(),
            domain_name: domain_name.into(),
            keepalive_timeout: 5,
            path: String::new(),
            port: 443,
            protocol: "https".to_owned(),
            read_timeout: 30,
            ssl_protocols: vec!["TLSv1.2".to_owned()],
        }
    }
}

/// An S3 origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Origin {
    /// `origin-access-identity` or `none`.
    pub auth_method: String,
    /// Origin custom headers.
    pub custom_headers: Vec<(String, String)>,
    /// The bucket's DNS name.
    pub domain_name: String,
    /// Origin path prefix, `""` for none.
    pub path: String,
    /// The bucket's Region; required with `origin-access-identity`.
    pub region: Option<String>,
}

impl Origin {
    /// The JSON object of the event (`{"custom": {…}}` or `{"s3": {…}}`).
    pub fn to_json(&self) -> Value {
        let headers = |pairs: &[(String, String)]| {
            let mut map = Map::new();
            for (name, value) in pairs {
                push_header(&mut map, name, value);
            }
            Value::Object(map)
        };
        match self {
            Origin::Custom(c) => json!({"custom": {
                "customHeaders": headers(&c.custom_headers),
                "domainName": c.domain_name,
                "keepaliveTimeout": c.keepalive_timeout,
                "path": c.path,
                "port": c.port,
                "protocol": c.protocol,
                "readTimeout": c.read_timeout,
                "sslProtocols": c.ssl_protocols,
            }}),
            Origin::S3(s) => {
                let mut object = json!({
                    "authMethod": s.auth_method,
                    "customHeaders": headers(&s.custom_headers),
                    "domainName": s.domain_name,
                    "path": s.path,
                });
                if let (Some(region), Some(map)) = (&s.region, object.as_object_mut()) {
                    map.insert("region".into(), Value::from(region.as_str()));
                }
                json!({ "s3": object })
            }
        }
    }

    /// Reads and checks an origin object a function returned (§2.4). `request_headers` is the
    /// request's header map: a custom header may not repeat one of its names.
    pub fn from_json(value: &Value, request_headers: Option<&Value>) -> Result<Origin, ModelError> {
        let path = "request.origin";
        let map = value
            .as_object()
            .ok_or_else(|| ModelError::wrong_type(path, "an object", value))?;
        match (map.get("custom"), map.get("s3")) {
            (Some(custom), None) => custom_from_json(custom, request_headers).map(Origin::Custom),
            (None, Some(s3)) => s3_from_json(s3, request_headers).map(Origin::S3),
            (Some(_), Some(_)) => Err(ModelError::invalid(
                path,
                "has both `custom` and `s3`; exactly one is allowed",
            )),
            (None, None) => Err(ModelError::invalid(path, "needs either `custom` or `s3`")),
        }
    }

    /// The origin's domain name.
    pub fn domain_name(&self) -> &str {
        match self {
            Origin::Custom(c) => &c.domain_name,
            Origin::S3(s) => &s.domain_name,
        }
    }
}

fn custom_from_json(
    value: &Value,
    request_headers: Option<&Value>,
) -> Result<CustomOrigin, ModelError> {
    let path = "request.origin.custom";
    let map = value
        .as_object()
        .ok_or_else(|| ModelError::wrong_type(path, "an object", value))?;
    let domain_name = string_field(map, path, "domainName")?;
    check_domain(
        &domain_name,
        MAX_CUSTOM_DOMAIN_NAME,
        &format!("{path}.domainName"),
    )?;
    if domain_name.contains(':') || domain_name.parse::<std::net::IpAddr>().is_ok() {
        return Err(ModelError::invalid(
            format!("{path}.domainName"),
            "must be a DNS name, not an IP address or a name with a port",
        ));
    }
    let port = u64_field(map, path, "port")?;
    if !(port == 80 || port == 443 || (1024..=65535).contains(&port)) {
        return Err(ModelError::invalid(
            format!("{path}.port"),
            format!("{port} is not 80, 443 or 1024–65535"),
        ));
    }
    let protocol = string_field(map, path, "protocol")?;
    if protocol != "http" && protocol != "https" {
        return Err(ModelError::invalid(
            format!("{path}.protocol"),
            format!("`{protocol}` is not `http` or `https`"),
        ));
    }
    let keepalive_timeout = optional_u64(map, path, "keepaliveTimeout", 5)?;
    in_range(
        keepalive_timeout,
        &KEEPALIVE_TIMEOUT_RANGE,
        &format!("{path}.keepaliveTimeout"),
    )?;
    let read_timeout = optional_u64(map, path, "readTimeout", 30)?;
    in_range(
        read_timeout,
        &READ_TIMEOUT_RANGE,
        &format!("{path}.readTimeout"),
    )?;
    let origin_path = optional_string(map, path, "path")?;
    check_path(&origin_path, &format!("{path}.path"))?;
    let ssl_protocols = match map.get("sslProtocols") {
        None => vec!["TLSv1.2".to_owned()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item.as_str() {
                Some(p @ ("TLSv1.2" | "TLSv1.1" | "TLSv1" | "SSLv3")) => Ok(p.to_owned()),
                _ => Err(ModelError::invalid(
                    format!("{path}.sslProtocols"),
                    format!("{item} is not TLSv1.2, TLSv1.1, TLSv1 or SSLv3"),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(ModelError::wrong_type(
                format!("{path}.sslProtocols"),
                "an array",
                other,
            ))
        }
    };
    Ok(CustomOrigin {
        custom_headers: custom_headers(map, path, request_headers)?,
        domain_name,
        keepalive_timeout,
        path: origin_path,
        port: port as u16,
        protocol,
        read_timeout,
        ssl_protocols,
    })
}

fn s3_from_json(value: &Value, request_headers: Option<&Value>) -> Result<S3Origin, ModelError> {
    let path = "request.origin.s3";
    let map = value
        .as_object()
        .ok_or_else(|| ModelError::wrong_type(path, "an object", value))?;
    let domain_name = string_field(map, path, "domainName")?;
    check_domain(
        &domain_name,
        MAX_S3_DOMAIN_NAME,
        &format!("{path}.domainName"),
    )?;
    if domain_name.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(ModelError::invalid(
            format!("{path}.domainName"),
            "must be lower-case",
        ));
    }
    let auth_method = optional_string(map, path, "authMethod")?;
    let auth_method = if auth_method.is_empty() {
        "none".to_owned()
    } else {
        auth_method
    };
    if auth_method != "origin-access-identity" && auth_method != "none" {
        return Err(ModelError::invalid(
            format!("{path}.authMethod"),
            format!("`{auth_method}` is not `origin-access-identity` or `none`"),
        ));
    }
    let region = match map.get("region") {
        None | Some(Value::Null) => None,
        Some(Value::String(r)) if r.is_empty() => None,
        Some(Value::String(r)) => Some(r.clone()),
        Some(other) => {
            return Err(ModelError::wrong_type(
                format!("{path}.region"),
                "a string",
                other,
            ))
        }
    };
    if auth_method == "origin-access-identity" && region.is_none() {
        return Err(ModelError::missing(
            format!("{path}.region"),
            "a Region with authMethod origin-access-identity",
        ));
    }
    let origin_path = optional_string(map, path, "path")?;
    check_path(&origin_path, &format!("{path}.path"))?;
    Ok(S3Origin {
        auth_method,
        custom_headers: custom_headers(map, path, request_headers)?,
        domain_name,
        path: origin_path,
        region,
    })
}

/// Origin custom headers may not be disallowed, on CloudFront's deny-list, or repeat a
/// request header (§2.4).
const CUSTOM_HEADER_DENY: &[&str] = &[
    "cache-control",
    "connection",
    "content-length",
    "cookie",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "pragma",
    "proxy-authorization",
    "proxy-connection",
    "range",
    "request-range",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "x-real-ip",
];

fn custom_headers(
    map: &Map<String, Value>,
    path: &str,
    request_headers: Option<&Value>,
) -> Result<Vec<(String, String)>, ModelError> {
    let path = format!("{path}.customHeaders");
    let Some(headers) = map.get("customHeaders") else {
        return Ok(Vec::new());
    };
    let headers = headers
        .as_object()
        .ok_or_else(|| ModelError::wrong_type(&path, "an object", headers))?;
    let mut out = Vec::new();
    for (name, entries) in headers {
        let lower = name.to_ascii_lowercase();
        if is_disallowed_header(&lower)
            || CUSTOM_HEADER_DENY.contains(&lower.as_str())
            || lower.starts_with("x-amz-")
            || lower.starts_with("x-edge-")
        {
            return Err(ModelError::invalid(
                &path,
                format!("`{name}` cannot be an origin custom header"),
            ));
        }
        if request_headers.and_then(|h| h.get(&lower)).is_some() {
            return Err(ModelError::invalid(
                &path,
                format!("`{name}` is also a request header"),
            ));
        }
        let entries = entries.as_array().ok_or_else(|| {
            ModelError::wrong_type(format!("{path}.{lower}"), "an array", entries)
        })?;
        for entry in entries {
            let key = entry.get("key").and_then(Value::as_str).unwrap_or(name);
            let value = entry.get("value").and_then(Value::as_str).ok_or_else(|| {
                ModelError::missing(format!("{path}.{lower}[].value"), "a string")
            })?;
            out.push((key.to_owned(), value.to_owned()));
        }
    }
    Ok(out)
}

fn string_field(map: &Map<String, Value>, path: &str, key: &str) -> Result<String, ModelError> {
    match map.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(ModelError::wrong_type(
            format!("{path}.{key}"),
            "a string",
            other,
        )),
        None => Err(ModelError::missing(format!("{path}.{key}"), "a string")),
    }
}

fn optional_string(map: &Map<String, Value>, path: &str, key: &str) -> Result<String, ModelError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(_) => string_field(map, path, key),
    }
}

fn u64_field(map: &Map<String, Value>, path: &str, key: &str) -> Result<u64, ModelError> {
    let full = format!("{path}.{key}");
    match map.get(key) {
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| ModelError::invalid(&full, format!("{n} is not a whole number"))),
        // Numeric strings are accepted, as for `status` (inferred).
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| ModelError::invalid(&full, format!("`{s}` is not a number"))),
        Some(other) => Err(ModelError::wrong_type(&full, "a number", other)),
        None => Err(ModelError::missing(&full, "a number")),
    }
}

fn optional_u64(
    map: &Map<String, Value>,
    path: &str,
    key: &str,
    default: u64,
) -> Result<u64, ModelError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(_) => u64_field(map, path, key),
    }
}

fn in_range(
    value: u64,
    range: &std::ops::RangeInclusive<u64>,
    path: &str,
) -> Result<(), ModelError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(ModelError::invalid(
            path,
            format!("{value} is outside {}–{}", range.start(), range.end()),
        ))
    }
}

fn check_domain(name: &str, max: usize, path: &str) -> Result<(), ModelError> {
    if name.is_empty() || name.len() > max {
        return Err(ModelError::invalid(
            path,
            format!("must be 1–{max} characters"),
        ));
    }
    let valid = name.split('.').all(|label| {
        !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if !valid {
        return Err(ModelError::invalid(
            path,
            format!("`{name}` is not a DNS name"),
        ));
    }
    Ok(())
}

fn check_path(path_value: &str, path: &str) -> Result<(), ModelError> {
    if path_value.is_empty() {
        return Ok(());
    }
    if !path_value.starts_with('/')
        || path_value.ends_with('/')
        || path_value.len() > MAX_ORIGIN_PATH
    {
        return Err(ModelError::invalid(
            path,
            format!(
                "must start with `/`, not end with `/` and be at most {MAX_ORIGIN_PATH} characters"
            ),
        ));
    }
    if path_value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ModelError::invalid(path, "must be URL-encoded"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_origins_round_trip_through_json() {
        let mut origin = CustomOrigin::new("app-origin.example.test");
        origin
            .custom_headers
            .push(("X-Origin-Token".into(), "t0k3n".into()));
        let origin = Origin::Custom(origin);
        let json = origin.to_json();
        assert_eq!(
            json["custom"]["customHeaders"]["x-origin-token"][0]["key"],
            "X-Origin-Token"
        );
        assert_eq!(json["custom"]["sslProtocols"], json!(["TLSv1.2"]));
        assert_eq!(Origin::from_json(&json, None).unwrap(), origin);
    }

    #[test]
    fn s3_origins_need_a_region_with_an_oai() {
        let json = json!({"s3": {"authMethod": "origin-access-identity", "domainName": "b.s3.amazonaws.com", "path": ""}});
        let err = Origin::from_json(&json, None).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("request.origin.s3.region: missing"));
        let json = json!({"s3": {"authMethod": "none", "domainName": "b.s3.amazonaws.com", "path": "", "customHeaders": {}}});
        assert!(matches!(
            Origin::from_json(&json, None).unwrap(),
            Origin::S3(_)
        ));
    }

    #[test]
    fn write_constraints_are_enforced() {
        let base = Origin::Custom(CustomOrigin::new("ok.example")).to_json();
        let with = |key: &str, value: Value| {
            let mut json = base.clone();
            json["custom"][key] = value;
            Origin::from_json(&json, None)
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        assert!(with("port", json!(22)).contains("not 80, 443"));
        assert!(with("domainName", json!("10.0.0.1")).contains("not an IP"));
        assert!(with("domainName", json!("")).contains("1–253"));
        assert!(with("protocol", json!("ftp")).contains("`ftp`"));
        assert!(with("keepaliveTimeout", json!(61)).contains("1–60"));
        assert!(with("readTimeout", json!(3)).contains("4–60"));
        assert!(with("path", json!("/a/")).contains("not end with"));
        assert!(with("customHeaders", json!({"host": [{"value": "x"}]}))
            .contains("cannot be an origin custom header"));
        assert!(
            with("customHeaders", json!({"x-amz-date": [{"value": "x"}]})).contains("cannot be")
        );
        let both = json!({"custom": base["custom"].clone(), "s3": {}});
        assert!(Origin::from_json(&both, None)
            .unwrap_err()
            .to_string()
            .contains("exactly one"));
        assert!(Origin::from_json(&json!({}), None)
            .unwrap_err()
            .to_string()
            .contains("either"));
    }

    #[test]
    fn a_custom_header_may_not_repeat_a_request_header() {
        let mut json = Origin::Custom(CustomOrigin::new("ok.example")).to_json();
        json["custom"]["customHeaders"] = json!({"x-token": [{"key": "X-Token", "value": "a"}]});
        let request_headers = json!({"x-token": [{"value": "b"}]});
        let err = Origin::from_json(&json, Some(&request_headers)).unwrap_err();
        assert!(err.to_string().contains("also a request header"));
    }
}
