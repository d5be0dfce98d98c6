//! Requests to replay through a distribution: CloudFront standard access logs (gzipped or not)
//! and JSON Lines files. A line that cannot be used is counted and reported with its line
//! number; it never stops the run.
//!
//! Access-log format (docs/cloudfront/access-logs.md): tab-separated, `#Version:` and
//! `#Fields:` header lines name the columns, `-` is an empty field, and CloudFront URL-encodes
//! field values (so a `%` the viewer sent appears as `%25`).

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::ProxyError;

/// One request to replay.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayRequest {
    /// Line in the source file (1-based).
    pub line: usize,
    pub method: String,
    /// The viewer's Host header, when the source has it.
    pub host: Option<String>,
    /// Path and query, as on the wire: `/a/b?x=1`.
    pub uri: String,
    pub headers: Vec<(String, String)>,
}

/// A line that could not be turned into a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Malformed {
    pub line: usize,
    pub reason: String,
}

/// What a replay source held.
#[derive(Debug, Default)]
pub struct Replay {
    pub requests: Vec<ReplayRequest>,
    pub malformed: Vec<Malformed>,
}

/// Reads `path`: JSON Lines when it ends in `.jsonl`/`.ndjson`, else a CloudFront access log
/// (gzip detected by its magic bytes, whatever the name).
pub fn load(path: &Path) -> Result<Replay, ProxyError> {
    let bad =
        |e: std::io::Error| ProxyError::BenchInput(format!("{}: cannot read: {e}", path.display()));
    let bytes = std::fs::read(path).map_err(bad)?;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = String::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_string(&mut out)
            .map_err(|e| {
                ProxyError::BenchInput(format!("{}: not a readable gzip file: {e}", path.display()))
            })?;
        out
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let replay = if super::events::is_json_lines(path) {
        json_lines(&text)
    } else {
        access_log(&text)
    };
    if replay.requests.is_empty() {
        return Err(ProxyError::BenchInput(format!(
            "{}: no usable requests ({} malformed line(s){}); expected a CloudFront access log (#Fields: header, tab-separated) or a .jsonl file of {{\"method\",\"uri\",\"headers\"}} objects",
            path.display(),
            replay.malformed.len(),
            replay
                .malformed
                .first()
                .map(|m| format!(", line {}: {}", m.line, m.reason))
                .unwrap_or_default()
        )));
    }
    Ok(replay)
}

/// The column names of CloudFront's standard log when a file has no `#Fields:` line.
const DEFAULT_FIELDS: &str = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end";

/// Parses a CloudFront standard access log.
pub fn access_log(text: &str) -> Replay {
    let mut fields: Vec<String> = DEFAULT_FIELDS.split(' ').map(str::to_owned).collect();
    let mut out = Replay::default();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() || raw.starts_with("#Version") {
            continue;
        }
        if let Some(names) = raw.strip_prefix("#Fields:") {
            fields = names.split_whitespace().map(str::to_owned).collect();
            continue;
        }
        if raw.starts_with('#') {
            continue;
        }
        match log_line(&fields, raw, line) {
            Ok(r) => out.requests.push(r),
            Err(reason) => out.malformed.push(Malformed { line, reason }),
        }
    }
    out
}

fn log_line(fields: &[String], raw: &str, line: usize) -> Result<ReplayRequest, String> {
    let values: Vec<&str> = raw.split('\t').collect();
    if values.len() != fields.len() {
        return Err(format!(
            "{} tab-separated fields, the #Fields header names {}",
            values.len(),
            fields.len()
        ));
    }
    let get = |name: &str| {
        fields
            .iter()
            .position(|f| f == name)
            .map(|i| values[i])
            .filter(|v| !v.is_empty() && *v != "-")
    };
    let method = get("cs-method").ok_or("cs-method: missing")?;
    if !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(format!("cs-method: {method:?} is not an HTTP method"));
    }
    let stem = get("cs-uri-stem").ok_or("cs-uri-stem: missing")?;
    let stem = decode_keeping_uri(stem);
    if !stem.starts_with('/') {
        return Err(format!("cs-uri-stem: {stem:?} does not start with /"));
    }
    let uri = match get("cs-uri-query") {
        Some(q) => format!("{stem}?{}", decode_keeping_uri(q)),
        None => stem,
    };
    uri.parse::<http::Uri>().map_err(|e| {
        format!("cs-uri-stem/cs-uri-query: {uri:?} is not a valid request target: {e}")
    })?;
    let mut headers = Vec::new();
    for (field, header) in [
        ("cs(User-Agent)", "user-agent"),
        ("cs(Referer)", "referer"),
        ("cs(Cookie)", "cookie"),
    ] {
        if let Some(v) = get(field) {
            headers.push((header.to_owned(), percent_decode(v)));
        }
    }
    // The viewer's country, where the log has it, through serve's test header.
    if let Some(c) = get("c-country") {
        headers.push(("x-edgesim-viewer-country".to_owned(), c.to_owned()));
    }
    Ok(ReplayRequest {
        line,
        method: method.to_ascii_uppercase(),
        host: get("x-host-header").or(get("cs(Host)")).map(percent_decode),
        uri,
        headers,
    })
}

/// Undoes the log's URL-encoding of a URI part, unless that yields characters a request
/// target cannot carry (then the encoded form is what the viewer must have sent).
fn decode_keeping_uri(s: &str) -> String {
    let decoded = percent_decode(s);
    let ok = decoded.bytes().all(|b| b.is_ascii_graphic() && b != b'#');
    if ok {
        decoded
    } else {
        s.to_owned()
    }
}

/// `%XX` → byte; anything else as it is; invalid UTF-8 replaced.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses JSON Lines: `{"method": "GET", "uri": "/path?q", "host": "…", "headers": {…},
/// "country": "DE"}` per line; only `uri` is required.
pub fn json_lines(text: &str) -> Replay {
    let mut out = Replay::default();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        match json_line(raw, line) {
            Ok(r) => out.requests.push(r),
            Err(reason) => out.malformed.push(Malformed { line, reason }),
        }
    }
    out
}

fn json_line(raw: &str, line: usize) -> Result<ReplayRequest, String> {
    let v: Value = serde_json::from_str(raw).map_err(|e| format!("not valid JSON: {e}"))?;
    let obj = v.as_object().ok_or("expected an object")?;
    let text = |k: &str| -> Result<Option<String>, String> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("{k}: expected a string, got {other}")),
        }
    };
    let uri = text("uri")?.ok_or("uri: missing (expected \"/path?query\")")?;
    if !uri.starts_with('/') {
        return Err(format!("uri: {uri:?} does not start with /"));
    }
    uri.parse::<http::Uri>()
        .map_err(|e| format!("uri: {uri:?} is not a valid request target: {e}"))?;
    let mut headers = Vec::new();
    match obj.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                match value {
                    Value::String(s) => headers.push((name.to_ascii_lowercase(), s.clone())),
                    Value::Array(items) => {
                        for item in items {
                            let s = item.as_str().ok_or_else(|| {
                                format!("headers.{name}: expected strings, got {item}")
                            })?;
                            headers.push((name.to_ascii_lowercase(), s.to_owned()));
                        }
                    }
                    other => return Err(format!("headers.{name}: expected a string, got {other}")),
                }
            }
        }
        Some(other) => return Err(format!("headers: expected an object, got {other}")),
    }
    if let Some(c) = text("country")? {
        headers.push(("x-edgesim-viewer-country".to_owned(), c));
    }
    Ok(ReplayRequest {
        line,
        method: text("method")?
            .unwrap_or_else(|| "GET".to_owned())
            .to_ascii_uppercase(),
        host: text("host")?,
        uri,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-host-header c-country\n\
2026-01-12\t09:30:00\tFRA56-P1\t512\t203.0.113.10\tGET\td111111abcdef8.cloudfront.net\t/blog/\t200\thttps://www.example.com/\tMozilla/5.0%20(X11;%20Linux)\ta=1&b=%2520\tsid=k7x2\twww.example.com\tDE\n\
garbage line\n\
2026-01-12\t09:30:01\tFRA56-P1\t512\t203.0.113.11\tPOST\td111111abcdef8.cloudfront.net\t/api/hello\t200\t-\t-\t-\t-\t-\t-\n";

    #[test]
    fn an_access_log_maps_method_host_uri_query_and_headers() {
        let r = access_log(LOG);
        assert_eq!(r.requests.len(), 2);
        assert_eq!(r.malformed.len(), 1);
        assert_eq!(r.malformed[0].line, 4);
        let first = &r.requests[0];
        assert_eq!(first.line, 3);
        assert_eq!(first.method, "GET");
        assert_eq!(first.host.as_deref(), Some("www.example.com"));
        // The log encodes the viewer's `%20` as `%2520`; replay sends `%20` again.
        assert_eq!(first.uri, "/blog/?a=1&b=%20");
        assert!(first.headers.contains(&(
            "user-agent".to_owned(),
            "Mozilla/5.0 (X11; Linux)".to_owned()
        )));
        assert!(first
            .headers
            .contains(&("cookie".to_owned(), "sid=k7x2".to_owned())));
        assert!(first
            .headers
            .contains(&("x-edgesim-viewer-country".to_owned(), "DE".to_owned())));
        let second = &r.requests[1];
        assert_eq!(
            (second.method.as_str(), second.uri.as_str()),
            ("POST", "/api/hello")
        );
        assert_eq!(
            second.host.as_deref(),
            Some("d111111abcdef8.cloudfront.net")
        );
        assert!(second.headers.is_empty());
    }

    #[test]
    fn json_lines_report_bad_lines_with_their_numbers() {
        let r = json_lines("{\"uri\":\"/a\",\"headers\":{\"Accept\":\"text/html\"},\"country\":\"FR\"}\n{\"method\":\"GET\"}\nnot json\n\n{\"uri\":\"/b?x=1\",\"method\":\"head\"}\n");
        assert_eq!(r.requests.len(), 2);
        assert_eq!(r.requests[1].method, "HEAD");
        assert_eq!(r.requests[1].line, 5);
        let lines: Vec<usize> = r.malformed.iter().map(|m| m.line).collect();
        assert_eq!(lines, [2, 3]);
        assert!(r.malformed[0].reason.starts_with("uri: missing"));
    }

    #[test]
    fn percent_decoding_leaves_incomplete_escapes() {
        assert_eq!(percent_decode("a%20b%2"), "a b%2");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
