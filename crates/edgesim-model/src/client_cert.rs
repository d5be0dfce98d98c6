//! A viewer's client certificate (mutual TLS) as CloudFront describes it to a connection
//! function: `clientCertificate.certificates.leaf` (docs/cloudfront/connection-functions.md).

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use crate::error::ModelError;

/// The fields CloudFront reads from the leaf certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    /// The DER serial number's bytes in lowercase hex, `:`-separated, with the leading `00` a
    /// positive number with its high bit set carries (the documented example,
    /// `00:9e:2a:af:…`).
    pub serial_number: String,
    /// `C=US, O=Example, CN=mTLS-CA`: attributes in the certificate's order, `, `-separated (the
    /// documented example).
    pub issuer: String,
    pub subject: String,
    /// RFC 3339 UTC, `2025-09-10T23:43:10Z`.
    pub not_before: String,
    pub not_after: String,
    /// SHA-256 of the DER certificate, base64url with padding (the documented example is 44
    /// characters with `_`, `-` and a trailing `=`).
    pub sha256_fingerprint: String,
}

impl ClientCertificate {
    /// Reads the first certificate of a PEM file (the leaf; a chain may follow).
    pub fn from_pem(text: &str) -> Result<Self, ModelError> {
        let begin = "-----BEGIN CERTIFICATE-----";
        let start = text.find(begin).ok_or_else(no_pem)? + begin.len();
        let end = text[start..]
            .find("-----END CERTIFICATE-----")
            .ok_or_else(no_pem)?
            + start;
        let b64: String = text[start..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| {
                ModelError::Certificate(format!("the PEM block is not valid base64: {e}"))
            })?;
        Self::from_der(&der)
    }

    pub fn from_der(der: &[u8]) -> Result<Self, ModelError> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| ModelError::Certificate(format!("not an X.509 certificate: {e}")))?;
        let validity = cert.validity();
        Ok(Self {
            serial_number: cert.raw_serial_as_string(),
            issuer: name(cert.issuer()),
            subject: name(cert.subject()),
            not_before: rfc3339(validity.not_before.timestamp()),
            not_after: rfc3339(validity.not_after.timestamp()),
            sha256_fingerprint: base64::engine::general_purpose::URL_SAFE
                .encode(Sha256::digest(der)),
        })
    }

    /// `clientCertificate` of a connection event.
    pub fn to_event_json(&self) -> Value {
        json!({"certificates": {"leaf": {
            "serialNumber": self.serial_number,
            "issuer": self.issuer,
            "subject": self.subject,
            "validity": {"notBefore": self.not_before, "notAfter": self.not_after},
            "sha256Fingerprint": self.sha256_fingerprint,
        }}})
    }
}

/// What a connection event holds besides the certificate.
#[derive(Debug, Clone)]
pub struct ConnectionContext {
    pub client_ip: String,
    /// The distribution's domain name.
    pub endpoint: String,
    pub distribution_id: String,
    pub connection_id: String,
}

/// A connection function's event: the documented structure, with `clientCertificate` only when
/// the viewer presented one (optional mode).
pub fn connection_event(cert: Option<&ClientCertificate>, ctx: &ConnectionContext) -> Value {
    let mut event = serde_json::Map::new();
    if let Some(cert) = cert {
        event.insert("clientCertificate".into(), cert.to_event_json());
    }
    for (key, value) in [
        ("clientIp", &ctx.client_ip),
        ("endpoint", &ctx.endpoint),
        ("distributionId", &ctx.distribution_id),
        ("connectionId", &ctx.connection_id),
    ] {
        event.insert(key.into(), Value::String(value.clone()));
    }
    Value::Object(event)
}

fn no_pem() -> ModelError {
    ModelError::Certificate("no `-----BEGIN CERTIFICATE-----` block".to_owned())
}

/// x509-parser writes names as the documented example does (`C=US, O=Ram, CN=mTLS-CA`).
fn name(n: &X509Name<'_>) -> String {
    n.to_string()
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, Howard Hinnant's
/// algorithm), so no date crate is needed for one format.
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_757_547_790), "2025-09-10T23:43:10Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn text_without_a_certificate_is_refused() {
        let err = ClientCertificate::from_pem("hello").unwrap_err();
        assert!(err.to_string().contains("BEGIN CERTIFICATE"), "{err}");
    }
}
