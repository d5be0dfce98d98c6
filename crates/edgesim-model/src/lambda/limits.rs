//! Lambda@Edge quotas that apply to events and to what functions return (lambda-edge.md §5,
//! `classic` profile: the values documented 2017–2024 and enforced at deployment).
//!
//! Source: <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge>
//! and <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html>.

use std::time::Duration;

/// Function timeout cap for viewer-request and viewer-response functions (§5.1).
pub const VIEWER_TIMEOUT: Duration = Duration::from_secs(5);
/// Function timeout cap for origin-request and origin-response functions (§5.1).
pub const ORIGIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Request body exposed to viewer-request with IncludeBody; longer bodies are truncated (§2.5).
pub const VIEWER_BODY_EXPOSED: usize = 40 * 1024;
/// Request body exposed to origin-request with IncludeBody; longer bodies are truncated (§2.5).
pub const ORIGIN_BODY_EXPOSED: usize = 1024 * 1024;

/// Replacement request body returned by viewer-request, `encoding: "text"` (§5.1).
pub const VIEWER_BODY_TEXT: usize = 40 * 1024;
/// Replacement request body returned by viewer-request, `encoding: "base64"`: 53.2 KB (§5.1).
pub const VIEWER_BODY_BASE64: usize = 53_200;
/// Replacement request body returned by origin-request, `encoding: "text"` (§5.1).
pub const ORIGIN_BODY_TEXT: usize = 1024 * 1024;
/// Replacement request body returned by origin-request, `encoding: "base64"`: 1.33 MB (§5.1).
pub const ORIGIN_BODY_BASE64: usize = 1_330_000;

/// Generated response, headers and body together, from a viewer trigger (§5.1).
pub const VIEWER_GENERATED_RESPONSE: usize = 40 * 1024;
/// Generated response, headers and body together, from an origin trigger (§5.1).
pub const ORIGIN_GENERATED_RESPONSE: usize = 1024 * 1024;

/// URI plus query string must be shorter than this many characters (§4.5, §5.3).
pub const MAX_URI_AND_QUERY: usize = 8192;

/// Lowest and highest status a function may generate or set (§4.1).
pub const STATUS_RANGE: std::ops::RangeInclusive<u16> = 200..=599;

/// `request.origin.custom.domainName` length cap (§2.4).
pub const MAX_CUSTOM_DOMAIN_NAME: usize = 253;
/// `request.origin.s3.domainName` length cap (§2.4).
pub const MAX_S3_DOMAIN_NAME: usize = 128;
/// `request.origin.*.path` length cap (§2.4).
pub const MAX_ORIGIN_PATH: usize = 255;
/// `keepaliveTimeout` range in seconds (§2.4).
pub const KEEPALIVE_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 1..=60;
/// `readTimeout` range in seconds (§2.4).
pub const READ_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 4..=60;
