//! Conditional and range requests (RFC 9110 §13–14), shared by the mock origin and by cache
//! hits: CloudFront answers viewers' `If-None-Match`/`If-Modified-Since` and `Range` from its
//! cache as an origin would.

use std::time::SystemTime;

use http::header::{
    IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, IF_UNMODIFIED_SINCE, RANGE,
};
use http::HeaderMap;

/// Whether a `GET`/`HEAD` with these request headers may be answered `304 Not Modified` for a
/// representation with the given validators. `If-None-Match` wins over `If-Modified-Since`.
pub fn not_modified(
    request: &HeaderMap,
    etag: Option<&str>,
    last_modified: Option<SystemTime>,
) -> bool {
    if let Some(tags) = request.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        let Some(etag) = etag else { return false };
        // Weak comparison: `W/"x"` matches `"x"`.
        let strip = |t: &str| t.trim().trim_start_matches("W/").to_owned();
        let etag = strip(etag);
        return tags.split(',').any(|t| t.trim() == "*" || strip(t) == etag);
    }
    let since = request
        .get(IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    match (since, last_modified) {
        (Some(since), Some(modified)) => {
            // HTTP dates have one-second resolution.
            let secs = |t: SystemTime| {
                t.duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
            };
            secs(modified) <= secs(since)
        }
        _ => false,
    }
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn header_date(request: &HeaderMap, name: http::header::HeaderName) -> Option<SystemTime> {
    request
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
}

/// Whether `If-Match` / `If-Unmodified-Since` fail for this representation, so the answer
/// is `412 Precondition Failed` (RFC 9110 §13.1.1, §13.1.4; strong comparison for
/// `If-Match`). `If-Match` wins over `If-Unmodified-Since`.
pub fn precondition_failed(
    request: &HeaderMap,
    etag: Option<&str>,
    last_modified: Option<SystemTime>,
) -> bool {
    if let Some(tags) = request.get(IF_MATCH).and_then(|v| v.to_str().ok()) {
        let Some(etag) = etag.filter(|e| !e.starts_with("W/")) else {
            return tags.trim() != "*" || etag.is_none();
        };
        return !tags.split(',').any(|t| t.trim() == "*" || t.trim() == etag);
    }
    match (header_date(request, IF_UNMODIFIED_SINCE), last_modified) {
        (Some(since), Some(modified)) => secs(modified) > secs(since),
        _ => false,
    }
}

/// Whether a `Range` header is to be honoured: without `If-Range`, yes; with it, only when
/// its validator matches (strong ETag match, or exactly the Last-Modified date). Otherwise
/// the whole representation is sent with 200 (RFC 9110 §13.1.5).
pub fn range_applies(
    request: &HeaderMap,
    etag: Option<&str>,
    last_modified: Option<SystemTime>,
) -> bool {
    let Some(value) = request.get(IF_RANGE).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let value = value.trim();
    if value.starts_with('"') || value.starts_with("W/") {
        return !value.starts_with("W/") && etag.is_some_and(|e| e == value);
    }
    match (httpdate::parse_http_date(value).ok(), last_modified) {
        (Some(date), Some(modified)) => secs(date) == secs(modified),
        _ => false,
    }
}

/// What a `Range` header asks of a representation of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// No (usable) range: send everything with 200.
    Full,
    /// Send bytes `start..=end` with 206.
    Partial { start: u64, end: u64 },
    /// 416 Range Not Satisfiable.
    Unsatisfiable,
}

impl ByteRange {
    /// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n`. Several ranges are answered with the
    /// whole representation, which RFC 9110 allows.
    pub fn parse(request: &HeaderMap, len: u64) -> ByteRange {
        let Some(spec) = request
            .get(RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().strip_prefix("bytes="))
        else {
            return ByteRange::Full;
        };
        if spec.contains(',') {
            return ByteRange::Full;
        }
        let Some((first, last)) = spec.split_once('-') else {
            return ByteRange::Full;
        };
        let (first, last) = (first.trim(), last.trim());
        let parsed = match (first.parse::<u64>(), last.parse::<u64>()) {
            (Ok(start), Ok(end)) if start <= end => Some((start, end.min(len.saturating_sub(1)))),
            (Ok(_), Ok(_)) => return ByteRange::Full,
            (Ok(start), Err(_)) if last.is_empty() => Some((start, len.saturating_sub(1))),
            (Err(_), Ok(suffix)) if first.is_empty() => {
                if suffix == 0 {
                    return ByteRange::Unsatisfiable;
                }
                Some((len.saturating_sub(suffix), len.saturating_sub(1)))
            }
            _ => return ByteRange::Full,
        };
        match parsed {
            Some((start, end)) if start < len && start <= end => ByteRange::Partial { start, end },
            _ => ByteRange::Unsatisfiable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &'static str, value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, value.parse().unwrap());
        map
    }

    #[test]
    fn ranges() {
        let p = |v: &str| ByteRange::parse(&h("range", v), 100);
        assert_eq!(p("bytes=0-9"), ByteRange::Partial { start: 0, end: 9 });
        assert_eq!(p("bytes=90-"), ByteRange::Partial { start: 90, end: 99 });
        assert_eq!(p("bytes=-10"), ByteRange::Partial { start: 90, end: 99 });
        assert_eq!(p("bytes=50-500"), ByteRange::Partial { start: 50, end: 99 });
        assert_eq!(p("bytes=100-"), ByteRange::Unsatisfiable);
        assert_eq!(p("bytes=0-1,5-6"), ByteRange::Full);
        assert_eq!(p("items=0-1"), ByteRange::Full);
        assert_eq!(ByteRange::parse(&HeaderMap::new(), 10), ByteRange::Full);
    }

    #[test]
    fn failing_if_match_and_if_unmodified_since_and_if_range() {
        assert!(precondition_failed(
            &h("if-match", "\"a\""),
            Some("\"b\""),
            None
        ));
        assert!(!precondition_failed(
            &h("if-match", "\"a\", \"b\""),
            Some("\"b\""),
            None
        ));
        assert!(!precondition_failed(
            &h("if-match", "*"),
            Some("\"b\""),
            None
        ));
        let t = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert!(precondition_failed(
            &h("if-unmodified-since", "Wed, 21 Oct 2015 07:27:59 GMT"),
            None,
            Some(t)
        ));
        assert!(!range_applies(
            &h("if-range", "\"old\""),
            Some("\"new\""),
            None
        ));
        assert!(range_applies(
            &h("if-range", "\"new\""),
            Some("\"new\""),
            None
        ));
        assert!(range_applies(
            &h("if-range", "Wed, 21 Oct 2015 07:28:00 GMT"),
            None,
            Some(t)
        ));
        assert!(range_applies(&HeaderMap::new(), None, None));
    }

    #[test]
    fn conditionals() {
        assert!(not_modified(
            &h("if-none-match", "\"a\", W/\"b\""),
            Some("\"b\""),
            None
        ));
        assert!(!not_modified(
            &h("if-none-match", "\"a\""),
            Some("\"b\""),
            None
        ));
        let t = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert!(not_modified(
            &h("if-modified-since", "Wed, 21 Oct 2015 07:28:00 GMT"),
            None,
            Some(t)
        ));
        assert!(!not_modified(
            &h("if-modified-since", "Wed, 21 Oct 2015 07:27:59 GMT"),
            None,
            Some(t)
        ));
    }
}
