//! Warnings, and the reader that makes sure nothing in the source is dropped silently.
//!
//! Every object of the source is read through an [`Obj`]: each property the importer uses is
//! taken out of it, and whatever is left when the object is finished becomes a warning that
//! names the property path (`DistributionConfig.CacheBehaviors[2].SmoothStreaming`).

use serde_json::{Map, Value};

/// Something in the source that edgesim does not emulate, or emulates only in part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The property path in the source, e.g. `Resources.Cdn.Properties.DistributionConfig.WebACLId`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The warnings of one import, in the order they were found.
#[derive(Debug, Default, Clone)]
pub struct Warnings(pub Vec<Warning>);

impl Warnings {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        let warning = Warning {
            path: path.into(),
            message: message.into(),
        };
        if !self.0.contains(&warning) {
            self.0.push(warning);
        }
    }
}

/// Why a property is not emulated, for the properties whose reason is worth more than the
/// generic "not emulated by edgesim".
fn reason(key: &str) -> &'static str {
    match key {
        "Aliases" => "alternate domain names are not used: edgesim answers on its listen address",
        "ViewerCertificate" => "the viewer certificate is not used (edgesim serves plain HTTP)",
        "WebACLId" => "AWS WAF is not emulated: no request is blocked",
        "Logging" => "standard logs are not written (edgesim logs each request on stderr)",
        "PriceClass" => "edgesim is one local edge location",
        "HttpVersion" => "edgesim serves HTTP/1.1",
        "IPV6Enabled" | "IsIPV6Enabled" => "edgesim listens on the address it is given",
        "Restrictions" => "geographic restrictions are not enforced",
        "TrustedSigners" | "TrustedKeyGroups" => "signed URLs and cookies are not checked",
        "FieldLevelEncryptionId" => "field-level encryption is not emulated",
        "RealtimeLogConfigArn" => "real-time logs are not written",
        "SmoothStreaming" => "Smooth Streaming is not emulated",
        "OriginShield" => "there is no Origin Shield layer locally",
        "OriginAccessControlId" | "S3OriginConfig" => {
            "origin access (OAC/OAI) is not needed: the local origin answers every request"
        }
        "ContinuousDeploymentPolicyId" | "Staging" => "continuous deployment is not emulated",
        "ConnectionAttempts" => "edgesim tries an origin once",
        "OriginKeepaliveTimeout" => "edgesim's connection pool keeps its own idle timeout",
        "OriginSSLProtocols" => "TLS to the origin follows the --origin URL",
        "GrpcConfig" => "gRPC is not emulated",
        "VpcOriginConfig" => "VPC origins cannot be reached locally; map the origin with --origin",
        _ => "not emulated by edgesim (ignored)",
    }
}

/// An object being read: properties are taken out as they are used.
#[derive(Debug)]
pub struct Obj {
    pub path: String,
    map: Map<String, Value>,
}

impl Obj {
    /// `value` at `path`; anything but an object is a warning and reads as empty.
    pub fn new(path: impl Into<String>, value: Value, w: &mut Warnings) -> Obj {
        let path = path.into();
        let map = match value {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                w.push(&path, format!("expected an object, found {}", kind(&other)));
                Map::new()
            }
        };
        Obj { path, map }
    }

    /// The path of a property of this object.
    pub fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    /// A property that must be an object (missing: empty).
    pub fn obj(&mut self, key: &str, w: &mut Warnings) -> Obj {
        let value = self.take(key).unwrap_or(Value::Null);
        Obj::new(self.at(key), value, w)
    }

    /// An optional object property.
    pub fn opt_obj(&mut self, key: &str, w: &mut Warnings) -> Option<Obj> {
        let value = self.take(key)?;
        Some(Obj::new(self.at(key), value, w))
    }

    /// A list property as objects (missing: empty); each element's path is `key[i]`.
    pub fn list(&mut self, key: &str, w: &mut Warnings) -> Vec<Obj> {
        let at = self.at(key);
        match self.take(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| Obj::new(format!("{at}[{i}]"), v, w))
                .collect(),
            Some(other) => {
                w.push(&at, format!("expected a list, found {}", kind(&other)));
                Vec::new()
            }
        }
    }

    /// A list of strings (missing: empty).
    pub fn strings(&mut self, key: &str, w: &mut Warnings) -> Vec<String> {
        let at = self.at(key);
        match self.take(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| scalar_string(v, &format!("{at}[{i}]"), w))
                .collect(),
            Some(other) => scalar_string(&other, &at, w).into_iter().collect(),
        }
    }

    pub fn str(&mut self, key: &str, w: &mut Warnings) -> Option<String> {
        let v = self.take(key)?;
        scalar_string(&v, &self.at(key), w)
    }

    /// A number; CloudFormation accepts numbers written as strings.
    pub fn f64(&mut self, key: &str, w: &mut Warnings) -> Option<f64> {
        let v = self.take(key)?;
        let n = match &v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if n.is_none() {
            w.push(self.at(key), format!("expected a number, found {v}"));
        }
        n
    }

    pub fn u64(&mut self, key: &str, w: &mut Warnings) -> Option<u64> {
        self.f64(key, w)
            .filter(|n| *n >= 0.0)
            .map(|n| n.min(u64::MAX as f64) as u64)
    }

    /// A boolean; CloudFormation accepts `"true"`/`"false"`.
    pub fn bool(&mut self, key: &str, w: &mut Warnings) -> Option<bool> {
        let v = self.take(key)?;
        match &v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => {
                w.push(self.at(key), format!("expected true or false, found {v}"));
                None
            }
        }
    }

    /// Takes a property that has no effect locally, with a warning saying so.
    pub fn ignore(&mut self, key: &str, message: &str, w: &mut Warnings) {
        if self.take(key).is_some() {
            w.push(self.at(key), message);
        }
    }

    /// Takes a property that is fine to drop without a warning (`Comment`, names).
    pub fn skip(&mut self, key: &str) {
        self.map.remove(key);
    }

    /// Every property left over is a warning.
    pub fn finish(self, w: &mut Warnings) {
        for (key, value) in self.map {
            if inert(&key, &value) {
                continue;
            }
            w.push(join(&self.path, &key), reason(&key));
        }
    }
}

/// A property that says "off" or "default" (`false`, `""`, an empty list, `Enabled: false`,
/// no geo restriction, the default certificate, 3 connection attempts): dropping it loses
/// nothing, so it is no warning.
fn inert(key: &str, v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Number(n) => key == "ConnectionAttempts" && n.as_u64() == Some(3),
        Value::Object(map) => {
            map.get("Enabled") == Some(&Value::Bool(false))
                || map.is_empty()
                || (key == "Restrictions"
                    && v.pointer("/GeoRestriction/RestrictionType")
                        .and_then(Value::as_str)
                        == Some("none"))
                || (key == "ViewerCertificate"
                    && map.get("CloudFrontDefaultCertificate") == Some(&Value::Bool(true)))
        }
        _ => false,
    }
}

pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn scalar_string(v: &Value, at: &str, w: &mut Warnings) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => {
            w.push(at, format!("expected a string, found {}", kind(other)));
            None
        }
    }
}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn properties_left_unread_become_warnings_naming_their_path() {
        let mut w = Warnings::default();
        let mut o = Obj::new(
            "DistributionConfig",
            json!({"Enabled": true, "WebACLId": "x", "Foo": 1}),
            &mut w,
        );
        assert_eq!(o.bool("Enabled", &mut w), Some(true));
        o.finish(&mut w);
        let paths: Vec<_> = w.0.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(
            paths,
            ["DistributionConfig.Foo", "DistributionConfig.WebACLId"]
        );
        assert!(w.0[1].message.contains("WAF"));
    }

    #[test]
    fn numbers_and_booleans_written_as_strings_are_read() {
        let mut w = Warnings::default();
        let mut o = Obj::new("X", json!({"T": "86400", "B": "true"}), &mut w);
        assert_eq!(o.u64("T", &mut w), Some(86400));
        assert_eq!(o.bool("B", &mut w), Some(true));
        assert!(w.0.is_empty());
    }
}
