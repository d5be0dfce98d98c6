//! CloudFront's three policy kinds in CloudFront's own shape, and the managed policies with
//! their documented contents and ids (docs/cloudfront/cache-and-origin.md, "Policies").
//!
//! - A **cache policy** names what goes into the cache key (headers, cookies, query strings,
//!   the normalised `Accept-Encoding` when gzip/Brotli caching is on) and the TTL bounds.
//!   Everything in the key is also forwarded to the origin.
//! - An **origin request policy** forwards more to the origin without keying on it.
//! - A **response headers policy** adds or removes headers toward the viewer (CORS, security
//!   headers, custom headers, `Server-Timing`).

use std::time::Duration;

/// Which names of one kind (query strings, cookies, headers) a policy takes. CloudFront's
/// behaviors `none`, `whitelist`, `all` (for headers in an origin request policy:
/// `allViewer`) and `allExcept`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Names {
    None,
    All,
    Only(Vec<String>),
    AllExcept(Vec<String>),
}

impl Names {
    /// Whether `name` is taken. Header names compare case-insensitively (callers pass them
    /// lower-cased, and lists are stored lower-cased); query strings and cookies exactly.
    pub fn wants(&self, name: &str) -> bool {
        match self {
            Names::None => false,
            Names::All => true,
            Names::Only(names) => names.iter().any(|n| n == name),
            Names::AllExcept(names) => !names.iter().any(|n| n == name),
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Names::None)
    }

    fn lower(self) -> Names {
        let lower = |v: Vec<String>| v.into_iter().map(|n| n.to_ascii_lowercase()).collect();
        match self {
            Names::Only(v) => Names::Only(lower(v)),
            Names::AllExcept(v) => Names::AllExcept(lower(v)),
            other => other,
        }
    }
}

/// Headers CloudFront allows in origin request policies only, never in a cache key.
pub const ORIGIN_ONLY_HEADERS: [&str; 3] = [
    "cloudfront-viewer-address",
    "cloudfront-viewer-asn",
    "cloudfront-viewer-ja3-fingerprint",
];

/// A cache policy.
#[derive(Debug, Clone, PartialEq)]
pub struct CachePolicy {
    /// `Managed-CachingOptimized`, or `inline` for one written in the config.
    pub name: String,
    /// The managed policy's id (CloudFormation/API), `None` for inline ones.
    pub id: Option<&'static str>,
    pub min_ttl: Duration,
    pub default_ttl: Duration,
    pub max_ttl: Duration,
    /// Lower-case header names in the key (CloudFront: `none` or `whitelist` only).
    pub headers: Vec<String>,
    pub cookies: Names,
    pub query_strings: Names,
    /// `EnableAcceptEncodingGzip`.
    pub gzip: bool,
    /// `EnableAcceptEncodingBrotli`.
    pub brotli: bool,
}

impl CachePolicy {
    /// Checks the rules CloudFront enforces when a policy is created.
    pub fn validate(self) -> Result<CachePolicy, String> {
        if !(self.min_ttl <= self.default_ttl && self.default_ttl <= self.max_ttl) {
            return Err("TTLs must satisfy min_ttl <= default_ttl <= max_ttl".to_owned());
        }
        if let Some(h) = self
            .headers
            .iter()
            .find(|h| ORIGIN_ONLY_HEADERS.contains(&h.as_str()))
        {
            return Err(format!(
                "{h} can be forwarded with an origin request policy but not put in a cache key"
            ));
        }
        if self.is_disabled() && (self.gzip || self.brotli) {
            // CloudFront refuses EnableAcceptEncoding* on a policy that caches nothing.
            return Err("gzip/brotli cannot be enabled when all TTLs are 0".to_owned());
        }
        if self.is_disabled()
            && (!self.headers.is_empty()
                || !self.cookies.is_none()
                || !self.query_strings.is_none())
        {
            return Err(
                "a policy with all TTLs 0 caches nothing, so it cannot name headers, cookies or query strings (use an origin request policy to forward them)"
                    .to_owned(),
            );
        }
        Ok(self)
    }

    /// MaxTTL 0 (CloudFront's `CachingDisabled`): never look up or store.
    pub fn is_disabled(&self) -> bool {
        self.max_ttl.is_zero()
    }

    fn managed(
        name: &str,
        id: &'static str,
        ttls: (u64, u64, u64),
        headers: &[&str],
        cookies: Names,
        query_strings: Names,
        compressed: bool,
    ) -> CachePolicy {
        CachePolicy {
            name: format!("Managed-{name}"),
            id: Some(id),
            min_ttl: Duration::from_secs(ttls.0),
            default_ttl: Duration::from_secs(ttls.1),
            max_ttl: Duration::from_secs(ttls.2),
            headers: headers.iter().map(|h| h.to_ascii_lowercase()).collect(),
            cookies,
            query_strings,
            gzip: compressed,
            brotli: compressed,
        }
    }
}

const YEAR: u64 = 31_536_000;
const DAY: u64 = 86_400;

/// Managed cache policies by name (with or without `Managed-`) or id.
pub fn managed_cache_policy(name_or_id: &str) -> Option<CachePolicy> {
    let name = name_or_id.strip_prefix("Managed-").unwrap_or(name_or_id);
    let origin_headers = [
        "host",
        "origin",
        "x-http-method-override",
        "x-http-method",
        "x-method-override",
    ];
    let all = [
        CachePolicy::managed(
            "CachingOptimized",
            "658327ea-f89d-4fab-a63d-7e88639e58f6",
            (1, DAY, YEAR),
            &[],
            Names::None,
            Names::None,
            true,
        ),
        CachePolicy::managed(
            "CachingOptimizedForUncompressedObjects",
            "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
            (1, DAY, YEAR),
            &[],
            Names::None,
            Names::None,
            false,
        ),
        CachePolicy::managed(
            "CachingDisabled",
            "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
            (0, 0, 0),
            &[],
            Names::None,
            Names::None,
            false,
        ),
        CachePolicy::managed(
            "UseOriginCacheControlHeaders",
            "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
            (0, 0, YEAR),
            &origin_headers,
            Names::All,
            Names::None,
            true,
        ),
        CachePolicy::managed(
            "UseOriginCacheControlHeaders-QueryStrings",
            "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
            (0, 0, YEAR),
            &origin_headers,
            Names::All,
            Names::All,
            true,
        ),
        CachePolicy::managed(
            "Elemental-MediaPackage",
            "08627262-05a9-4f76-9ded-b50ca2e3a84f",
            (0, DAY, YEAR),
            &["origin"],
            Names::None,
            Names::Only(
                ["aws.manifestfilter", "start", "end", "m"]
                    .map(String::from)
                    .to_vec(),
            ),
            true,
        ),
    ];
    all.into_iter()
        .find(|p| p.name == format!("Managed-{name}") || p.id == Some(name_or_id))
}

/// Names of the managed cache policies, for error messages.
pub const MANAGED_CACHE_POLICIES: &str = "CachingOptimized, CachingOptimizedForUncompressedObjects, CachingDisabled, UseOriginCacheControlHeaders, UseOriginCacheControlHeaders-QueryStrings, Elemental-MediaPackage";

/// An origin request policy.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginRequestPolicy {
    pub name: String,
    pub id: Option<&'static str>,
    /// Viewer headers (lower-case). `All` is CloudFront's `allViewer`.
    pub headers: Names,
    /// CloudFront-generated headers (`CloudFront-Viewer-*`, `CloudFront-Is-*-Viewer`, …)
    /// added on top (`allViewerAndWhitelistCloudFront`, or named in a whitelist).
    pub cloudfront_headers: Vec<String>,
    pub cookies: Names,
    pub query_strings: Names,
}

impl OriginRequestPolicy {
    /// Whether a (lower-case) header goes to the origin under this policy. CloudFront's own
    /// headers are never "viewer" headers: they go only when named.
    pub fn forwards_header(&self, name: &str) -> bool {
        if name.starts_with("cloudfront-") {
            return self.cloudfront_headers.iter().any(|h| h == name)
                || matches!(&self.headers, Names::Only(list) if list.iter().any(|h| h == name));
        }
        self.headers.wants(name)
    }

    /// Normalises names to lower case and moves CloudFront headers out of the viewer list.
    pub fn new(
        name: String,
        id: Option<&'static str>,
        headers: Names,
        cloudfront_headers: Vec<String>,
        cookies: Names,
        query_strings: Names,
    ) -> OriginRequestPolicy {
        OriginRequestPolicy {
            name,
            id,
            headers: headers.lower(),
            cloudfront_headers: cloudfront_headers
                .into_iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            cookies,
            query_strings,
        }
    }
}

/// CloudFront's request headers, as `allViewerAndCloudFrontHeaders` forwards them.
const CLOUDFRONT_HEADERS: [&str; 22] = [
    "cloudfront-forwarded-proto",
    "cloudfront-is-android-viewer",
    "cloudfront-is-desktop-viewer",
    "cloudfront-is-ios-viewer",
    "cloudfront-is-mobile-viewer",
    "cloudfront-is-smarttv-viewer",
    "cloudfront-is-tablet-viewer",
    "cloudfront-viewer-address",
    "cloudfront-viewer-asn",
    "cloudfront-viewer-city",
    "cloudfront-viewer-country",
    "cloudfront-viewer-country-name",
    "cloudfront-viewer-country-region",
    "cloudfront-viewer-country-region-name",
    "cloudfront-viewer-http-version",
    "cloudfront-viewer-ja3-fingerprint",
    "cloudfront-viewer-latitude",
    "cloudfront-viewer-longitude",
    "cloudfront-viewer-metro-code",
    "cloudfront-viewer-postal-code",
    "cloudfront-viewer-time-zone",
    "cloudfront-viewer-tls",
];

/// (name, id, viewer headers, CloudFront headers, cookies, query strings).
type ManagedOrigin = (&'static str, &'static str, Names, Vec<String>, Names, Names);

/// Managed origin request policies by name (with or without `Managed-`) or id.
pub fn managed_origin_request_policy(name_or_id: &str) -> Option<OriginRequestPolicy> {
    let name = name_or_id.strip_prefix("Managed-").unwrap_or(name_or_id);
    let only = |h: &[&str]| Names::Only(h.iter().map(|s| s.to_string()).collect());
    let cf = CLOUDFRONT_HEADERS.map(String::from).to_vec();
    let all: [ManagedOrigin; 7] = [
        (
            "AllViewer",
            "216adef6-5c7f-47e4-b989-5492eafa07d3",
            Names::All,
            vec![],
            Names::All,
            Names::All,
        ),
        (
            "AllViewerAndCloudFrontHeaders-2022-06",
            "33f36d7e-f396-46d9-90e0-52428a34d9dc",
            Names::All,
            cf,
            Names::All,
            Names::All,
        ),
        (
            "AllViewerExceptHostHeader",
            "b689b0a8-53d0-40ab-baf2-68738e2966ac",
            Names::AllExcept(vec!["host".into()]),
            vec![],
            Names::All,
            Names::All,
        ),
        (
            "CORS-CustomOrigin",
            "59781a5b-3903-41f3-afcb-af62929ccde1",
            only(&["origin"]),
            vec![],
            Names::None,
            Names::None,
        ),
        (
            "CORS-S3Origin",
            "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
            only(&[
                "origin",
                "access-control-request-headers",
                "access-control-request-method",
            ]),
            vec![],
            Names::None,
            Names::None,
        ),
        (
            "UserAgentRefererHeaders",
            "acba4595-bd28-49b8-b9fe-13317c0390fa",
            only(&["user-agent", "referer"]),
            vec![],
            Names::None,
            Names::None,
        ),
        (
            "Elemental-MediaTailor-PersonalizedManifests",
            "775133bc-15f2-49f9-abea-afb2e0bf67d2",
            only(&[
                "origin",
                "access-control-request-headers",
                "access-control-request-method",
                "user-agent",
                "x-forwarded-for",
            ]),
            vec![],
            Names::None,
            Names::All,
        ),
    ];
    all.into_iter()
        .find(|(n, id, ..)| *n == name || *id == name_or_id)
        .map(|(n, id, headers, cf, cookies, query)| {
            OriginRequestPolicy::new(
                format!("Managed-{n}"),
                Some(id),
                headers,
                cf,
                cookies,
                query,
            )
        })
}

pub const MANAGED_ORIGIN_REQUEST_POLICIES: &str = "AllViewer, AllViewerAndCloudFrontHeaders-2022-06, AllViewerExceptHostHeader, CORS-CustomOrigin, CORS-S3Origin, UserAgentRefererHeaders, Elemental-MediaTailor-PersonalizedManifests";

/// One header a response headers policy sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyHeader {
    /// Lower-case.
    pub name: String,
    pub value: String,
    /// Replace the origin's value; otherwise the origin's header, when present, wins.
    pub override_origin: bool,
}

/// The CORS part of a response headers policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    pub allow_origins: Vec<String>,
    pub allow_headers: Vec<String>,
    pub allow_methods: Vec<String>,
    pub allow_credentials: bool,
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
    pub origin_override: bool,
}

/// A response headers policy.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHeadersPolicy {
    pub name: String,
    pub id: Option<&'static str>,
    pub cors: Option<Cors>,
    /// Security headers and custom headers, applied alike.
    pub headers: Vec<PolicyHeader>,
    /// Lower-case names removed from the response.
    pub remove: Vec<String>,
    /// `Server-Timing` header: the sampling rate in percent (0–100), if enabled.
    pub server_timing: Option<f64>,
}

fn security_headers() -> Vec<PolicyHeader> {
    let h = |name: &str, value: &str, override_origin| PolicyHeader {
        name: name.to_owned(),
        value: value.to_owned(),
        override_origin,
    };
    // The documented SecurityHeadersPolicy: only X-Content-Type-Options overrides the origin.
    vec![
        h("strict-transport-security", "max-age=31536000", false),
        h("x-content-type-options", "nosniff", true),
        h("x-frame-options", "SAMEORIGIN", false),
        h("referrer-policy", "strict-origin-when-cross-origin", false),
        h("x-xss-protection", "1; mode=block", false),
    ]
}

fn simple_cors() -> Cors {
    Cors {
        allow_origins: vec!["*".into()],
        allow_headers: vec![],
        allow_methods: vec!["GET".into(), "HEAD".into()],
        allow_credentials: false,
        expose_headers: vec![],
        max_age: None,
        origin_override: false,
    }
}

fn preflight_cors() -> Cors {
    Cors {
        allow_origins: vec!["*".into()],
        // The documented preflight answer has three headers: Allow-Methods, Allow-Origin and
        // Expose-Headers (docs/cloudfront/cache-and-origin.md).
        allow_headers: vec![],
        allow_methods: ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
            .map(String::from)
            .to_vec(),
        allow_credentials: false,
        expose_headers: vec!["*".into()],
        max_age: None,
        origin_override: false,
    }
}

/// Managed response headers policies by name (with or without `Managed-`) or id.
pub fn managed_response_headers_policy(name_or_id: &str) -> Option<ResponseHeadersPolicy> {
    let name = name_or_id.strip_prefix("Managed-").unwrap_or(name_or_id);
    let all: [(&str, &'static str, Option<Cors>, Vec<PolicyHeader>); 5] = [
        (
            "CORS-and-SecurityHeadersPolicy",
            "e61eb60c-9c35-4d20-a928-2b84e02af89c",
            Some(simple_cors()),
            security_headers(),
        ),
        (
            "CORS-With-Preflight",
            "5cc3b908-e619-4b99-88e5-2cf7f45965bd",
            Some(preflight_cors()),
            vec![],
        ),
        (
            "CORS-with-preflight-and-SecurityHeadersPolicy",
            "eaab4381-ed33-4a86-88ca-d9558dc6cd63",
            Some(preflight_cors()),
            security_headers(),
        ),
        (
            "SecurityHeadersPolicy",
            "67f7725c-6f97-4210-82d7-5512b31e9d03",
            None,
            security_headers(),
        ),
        (
            "SimpleCORS",
            "60669652-455b-4ae9-85a4-c4c02393f86c",
            Some(simple_cors()),
            vec![],
        ),
    ];
    all.into_iter()
        .find(|(n, id, ..)| *n == name || *id == name_or_id)
        .map(|(n, id, cors, headers)| ResponseHeadersPolicy {
            name: format!("Managed-{n}"),
            id: Some(id),
            cors,
            headers,
            remove: vec![],
            server_timing: None,
        })
}

pub const MANAGED_RESPONSE_HEADERS_POLICIES: &str = "CORS-and-SecurityHeadersPolicy, CORS-With-Preflight, CORS-with-preflight-and-SecurityHeadersPolicy, SecurityHeadersPolicy, SimpleCORS";

/// Status codes a custom error response may be configured for.
pub const CUSTOM_ERROR_CODES: [u16; 11] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];
/// Status codes a custom error response may answer with.
pub const CUSTOM_RESPONSE_CODES: [u16; 12] =
    [200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/// One `CustomErrorResponse` of the distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomErrorResponse {
    pub error_code: u16,
    /// The page to fetch (through the behavior matching it), e.g. `/index.html`.
    pub page_path: Option<String>,
    /// The status sent to the viewer with the page (default: the original one).
    pub response_code: Option<u16>,
    /// `ErrorCachingMinTTL` for this status (default 10 s).
    pub min_ttl: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_cache_policies_have_their_documented_settings() {
        let opt = managed_cache_policy("CachingOptimized").unwrap();
        assert_eq!(opt.id, Some("658327ea-f89d-4fab-a63d-7e88639e58f6"));
        assert_eq!(opt.min_ttl, Duration::from_secs(1));
        assert_eq!(opt.default_ttl, Duration::from_secs(86_400));
        assert!(opt.gzip && opt.brotli);
        let by_id = managed_cache_policy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad").unwrap();
        assert_eq!(by_id.name, "Managed-CachingDisabled");
        assert!(by_id.is_disabled());
        let origin = managed_cache_policy("Managed-UseOriginCacheControlHeaders").unwrap();
        assert_eq!(origin.default_ttl, Duration::ZERO);
        assert!(origin.headers.contains(&"host".to_owned()));
        assert_eq!(origin.cookies, Names::All);
        assert!(managed_cache_policy("Nope").is_none());
        for p in MANAGED_CACHE_POLICIES.split(", ") {
            assert!(managed_cache_policy(p).unwrap().validate().is_ok(), "{p}");
        }
    }

    #[test]
    fn managed_origin_request_policies_forward_what_they_document() {
        let except = managed_origin_request_policy("AllViewerExceptHostHeader").unwrap();
        assert!(except.forwards_header("authorization"));
        assert!(!except.forwards_header("host"));
        assert!(!except.forwards_header("cloudfront-viewer-country"));
        let with_cf =
            managed_origin_request_policy("AllViewerAndCloudFrontHeaders-2022-06").unwrap();
        assert!(with_cf.forwards_header("cloudfront-viewer-country"));
        let ua = managed_origin_request_policy("UserAgentRefererHeaders").unwrap();
        assert!(ua.forwards_header("user-agent") && !ua.forwards_header("accept"));
        for p in MANAGED_ORIGIN_REQUEST_POLICIES.split(", ") {
            assert!(managed_origin_request_policy(p).is_some(), "{p}");
        }
    }

    #[test]
    fn managed_response_headers_policies_exist_by_name_and_id() {
        for p in MANAGED_RESPONSE_HEADERS_POLICIES.split(", ") {
            assert!(managed_response_headers_policy(p).is_some(), "{p}");
        }
        let simple = managed_response_headers_policy("60669652-455b-4ae9-85a4-c4c02393f86c");
        assert_eq!(simple.unwrap().name, "Managed-SimpleCORS");
    }

    #[test]
    fn cache_policy_rules_are_enforced() {
        let mut p = managed_cache_policy("CachingOptimized").unwrap();
        p.headers = vec!["cloudfront-viewer-address".into()];
        assert!(p.validate().unwrap_err().contains("origin request policy"));
        let mut p = managed_cache_policy("CachingDisabled").unwrap();
        p.gzip = true;
        assert!(p.validate().is_err());
        let mut p = managed_cache_policy("CachingOptimized").unwrap();
        p.min_ttl = Duration::from_secs(100_000);
        assert!(p.validate().is_err());
    }
}
