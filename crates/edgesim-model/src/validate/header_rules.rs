//! The header lists CloudFront enforces on function output (cloudfront-functions.md §5.1, §5.2).
//!
//! Names are stored lower-case, as they appear in event maps.

/// Headers functions never see and may not add (§5.1), matched exactly.
/// The same list applies to Lambda@Edge (lambda-edge.md §4.2).
pub const DISALLOWED_HEADERS: &[&str] = &[
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "trailer",
    "upgrade",
    "x-accel-buffering",
    "x-accel-charset",
    "x-accel-limit-rate",
    "x-accel-redirect",
    "x-amzn-auth",
    "x-amzn-cf-billing",
    "x-amzn-cf-id",
    "x-amzn-cf-xff",
    "x-amzn-errortype",
    "x-amzn-fle-profile",
    "x-amzn-header-count",
    "x-amzn-header-order",
    "x-amzn-lambda-integration-tag",
    "x-amzn-requestid",
    "x-cache",
    "x-forwarded-proto",
    "x-real-ip",
];

/// The wildcard families of §5.1: `X-Amz-Cf-*` and `X-Edge-*`.
pub const DISALLOWED_HEADER_PREFIXES: &[&str] = &["x-amz-cf-", "x-edge-"];

/// Read-only headers in viewer-request (§5.2).
pub const READ_ONLY_VIEWER_REQUEST: &[&str] = &[
    "cdn-loop",
    "content-length",
    "host",
    "transfer-encoding",
    "via",
];

/// Read-only headers in viewer-response, current documentation (§5.2, §17 #2).
pub const READ_ONLY_VIEWER_RESPONSE: &[&str] = &["warning", "via"];

/// The 2023 documentation's viewer-response list, for users who want the older, stricter rule
/// (§17 #2).
pub const READ_ONLY_VIEWER_RESPONSE_2023: &[&str] = &[
    "content-encoding",
    "content-length",
    "transfer-encoding",
    "warning",
    "via",
];

/// Whether a function may not set this header, in any letter case.
pub fn is_disallowed_header(name: &str) -> bool {
    // The lists are lower-case ASCII, so an ASCII case-insensitive comparison is the same as
    // lower-casing `name` first, without the allocation.
    let name = name.as_bytes();
    DISALLOWED_HEADERS
        .iter()
        .any(|listed| name.eq_ignore_ascii_case(listed.as_bytes()))
        || DISALLOWED_HEADER_PREFIXES.iter().any(|prefix| {
            name.get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_headers_are_disallowed_in_any_case() {
        assert!(is_disallowed_header("connection"));
        assert!(is_disallowed_header("X-Real-IP"));
        assert!(is_disallowed_header("x-amzn-requestid"));
    }

    #[test]
    fn the_wildcard_families_cover_every_suffix() {
        assert!(is_disallowed_header("x-amz-cf-id"));
        assert!(is_disallowed_header("x-amz-cf-pop"));
        assert!(is_disallowed_header("x-edge-location"));
    }

    #[test]
    fn ordinary_and_merely_similar_headers_are_allowed() {
        assert!(!is_disallowed_header("x-amz-date"));
        assert!(!is_disallowed_header("x-amzn-trace-id"));
        assert!(!is_disallowed_header("x-edgesim"));
        assert!(!is_disallowed_header("cache-control"));
    }

    #[test]
    fn prefixes_match_in_any_case_and_only_whole_names_match_the_list() {
        assert!(is_disallowed_header("X-Amz-Cf-Pop"));
        assert!(is_disallowed_header("X-EDGE-"));
        assert!(!is_disallowed_header("x-edge"));
        assert!(!is_disallowed_header("connectionx"));
        assert!(!is_disallowed_header("\u{e9}x-edge-"));
        assert!(!is_disallowed_header(""));
    }
}
