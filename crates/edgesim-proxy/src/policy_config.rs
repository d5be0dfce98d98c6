//! The policy tables of `edgesim.toml` and their conversion to [`crate::policy`]: a policy is
//! either a managed policy's name or id (`cache_policy = "CachingOptimized"`) or an inline
//! table in CloudFront's shape (`cache_policy = { default_ttl = 60, query_strings = "all" }`).
//! The keys are listed in docs/cloudfront/cache-and-origin.md ("Config keys").

use std::time::Duration;

use serde::Deserialize;

use crate::config::{CacheConfig, KeyList};
use crate::policy::{
    managed_cache_policy, managed_origin_request_policy, managed_response_headers_policy,
    CachePolicy, Cors, CustomErrorResponse, Names, OriginRequestPolicy, PolicyHeader,
    ResponseHeadersPolicy, CUSTOM_ERROR_CODES, CUSTOM_RESPONSE_CODES, MANAGED_CACHE_POLICIES,
    MANAGED_ORIGIN_REQUEST_POLICIES, MANAGED_RESPONSE_HEADERS_POLICIES,
};

/// A managed policy by name or id, or an inline one.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PolicyRef<T> {
    Managed(String),
    Inline(T),
}

/// `"none"`, `"all"`, `["a", "b"]` or `{ all_except = ["a"] }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum NamesConfig {
    Keyword(String),
    List(Vec<String>),
    Except { all_except: Vec<String> },
}

impl Default for NamesConfig {
    fn default() -> Self {
        NamesConfig::Keyword("none".to_owned())
    }
}

impl NamesConfig {
    /// `extra` is the keyword accepted besides `none`/`all` (`all_viewer` for headers).
    pub fn to_names(&self) -> Result<Names, String> {
        match self {
            NamesConfig::Keyword(k) if k == "none" => Ok(Names::None),
            NamesConfig::Keyword(k) if k == "all" || k == "all_viewer" => Ok(Names::All),
            NamesConfig::Keyword(k) => Err(format!(
                "expected \"none\", \"all\", a list of names or {{ all_except = [...] }}, got {k:?}"
            )),
            NamesConfig::List(names) => Ok(Names::Only(names.clone())),
            NamesConfig::Except { all_except } => Ok(Names::AllExcept(all_except.clone())),
        }
    }
}

/// An inline cache policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachePolicyConfig {
    #[serde(default)]
    pub min_ttl: u64,
    #[serde(default = "default_ttl")]
    pub default_ttl: u64,
    #[serde(default = "default_max_ttl")]
    pub max_ttl: u64,
    /// Header names in the key (CloudFront allows only a list here).
    #[serde(default)]
    pub headers: Vec<String>,
    #[serde(default)]
    pub cookies: NamesConfig,
    #[serde(default)]
    pub query_strings: NamesConfig,
    /// `EnableAcceptEncodingGzip`.
    #[serde(default)]
    pub gzip: bool,
    /// `EnableAcceptEncodingBrotli`.
    #[serde(default)]
    pub brotli: bool,
}

/// An inline origin request policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginRequestPolicyConfig {
    /// `"none"`, `"all_viewer"`, a list, `{ all_except = [...] }` or
    /// `{ all_viewer_and_cloudfront = [...] }`.
    #[serde(default)]
    pub headers: HeadersConfig,
    #[serde(default)]
    pub cookies: NamesConfig,
    #[serde(default)]
    pub query_strings: NamesConfig,
}

/// The header part of an origin request policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum HeadersConfig {
    Names(NamesConfig),
    WithCloudFront {
        all_viewer_and_cloudfront: Vec<String>,
    },
}

impl Default for HeadersConfig {
    fn default() -> Self {
        HeadersConfig::Names(NamesConfig::default())
    }
}

/// An inline response headers policy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseHeadersPolicyConfig {
    pub cors: Option<CorsConfig>,
    pub security_headers: Option<SecurityHeadersConfig>,
    #[serde(default)]
    pub custom_headers: Vec<CustomHeaderConfig>,
    #[serde(default)]
    pub remove_headers: Vec<String>,
    pub server_timing: Option<ServerTimingConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsConfig {
    pub allow_origins: Vec<String>,
    #[serde(default)]
    pub allow_headers: Vec<String>,
    pub allow_methods: Vec<String>,
    #[serde(default)]
    pub allow_credentials: bool,
    #[serde(default)]
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
    /// Replace CORS headers the origin sent (CloudFront's `OriginOverride`).
    #[serde(default)]
    pub origin_override: bool,
}

/// Security headers; each is set when given. `override` applies to all of them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityHeadersConfig {
    pub strict_transport_security: Option<String>,
    #[serde(default)]
    pub content_type_options: bool,
    pub frame_options: Option<String>,
    pub referrer_policy: Option<String>,
    pub xss_protection: Option<String>,
    pub content_security_policy: Option<String>,
    #[serde(default, rename = "override")]
    pub override_origin: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomHeaderConfig {
    pub name: String,
    pub value: String,
    #[serde(default, rename = "override")]
    pub override_origin: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerTimingConfig {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Percent of requests that get the header (0–100).
    #[serde(default = "hundred")]
    pub sampling_rate: f64,
}

/// `[[custom_error_responses]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomErrorResponseConfig {
    pub error_code: u16,
    pub response_page_path: Option<String>,
    pub response_code: Option<u16>,
    pub error_caching_min_ttl: Option<u64>,
}

fn default_ttl() -> u64 {
    86_400
}
fn default_max_ttl() -> u64 {
    31_536_000
}
fn yes() -> bool {
    true
}
fn hundred() -> f64 {
    100.0
}

/// The legacy-style `cache = { ... }` table as an inline cache policy (its `error_ttl` is
/// the behavior's default error caching minimum TTL, kept by the caller).
pub fn legacy_cache_policy(c: &CacheConfig) -> Result<CachePolicy, String> {
    let names = |list: &KeyList| match list {
        KeyList::Keyword(k) => NamesConfig::Keyword(k.clone()).to_names(),
        KeyList::Names(n) => Ok(Names::Only(n.clone())),
    };
    CachePolicy {
        name: "inline".to_owned(),
        id: None,
        min_ttl: Duration::from_secs(c.min_ttl),
        default_ttl: Duration::from_secs(c.default_ttl),
        max_ttl: Duration::from_secs(c.max_ttl),
        headers: c.headers.iter().map(|h| h.to_ascii_lowercase()).collect(),
        cookies: names(c.cookies.get_ref())?,
        query_strings: names(c.query_strings.get_ref())?,
        gzip: false,
        brotli: false,
    }
    .validate()
}

/// A cache policy from the config.
pub fn cache_policy(r: &PolicyRef<CachePolicyConfig>) -> Result<CachePolicy, String> {
    let policy = match r {
        PolicyRef::Managed(name) => managed_cache_policy(name).ok_or_else(|| {
            format!("no managed cache policy {name:?} (known: {MANAGED_CACHE_POLICIES})")
        })?,
        PolicyRef::Inline(c) => CachePolicy {
            name: "inline".to_owned(),
            id: None,
            min_ttl: Duration::from_secs(c.min_ttl),
            default_ttl: Duration::from_secs(c.default_ttl),
            max_ttl: Duration::from_secs(c.max_ttl),
            headers: c.headers.iter().map(|h| h.to_ascii_lowercase()).collect(),
            cookies: c.cookies.to_names()?,
            query_strings: c.query_strings.to_names()?,
            gzip: c.gzip,
            brotli: c.brotli,
        },
    };
    policy.validate()
}

/// An origin request policy from the config.
pub fn origin_request_policy(
    r: &PolicyRef<OriginRequestPolicyConfig>,
) -> Result<OriginRequestPolicy, String> {
    match r {
        PolicyRef::Managed(name) => managed_origin_request_policy(name).ok_or_else(|| {
            format!(
                "no managed origin request policy {name:?} (known: {MANAGED_ORIGIN_REQUEST_POLICIES})"
            )
        }),
        PolicyRef::Inline(c) => {
            let (headers, cloudfront) = match &c.headers {
                HeadersConfig::Names(names) => {
                    let names = names.to_names()?;
                    // CloudFront headers named in a whitelist are "added by CloudFront".
                    let cf = match &names {
                        Names::Only(list) => list
                            .iter()
                            .filter(|h| h.to_ascii_lowercase().starts_with("cloudfront-"))
                            .cloned()
                            .collect(),
                        _ => vec![],
                    };
                    (names, cf)
                }
                HeadersConfig::WithCloudFront {
                    all_viewer_and_cloudfront,
                } => (Names::All, all_viewer_and_cloudfront.clone()),
            };
            Ok(OriginRequestPolicy::new(
                "inline".to_owned(),
                None,
                headers,
                cloudfront,
                c.cookies.to_names()?,
                c.query_strings.to_names()?,
            ))
        }
    }
}

/// A response headers policy from the config.
pub fn response_headers_policy(
    r: &PolicyRef<ResponseHeadersPolicyConfig>,
) -> Result<ResponseHeadersPolicy, String> {
    let c = match r {
        PolicyRef::Managed(name) => {
            return managed_response_headers_policy(name).ok_or_else(|| {
                format!(
                    "no managed response headers policy {name:?} (known: {MANAGED_RESPONSE_HEADERS_POLICIES})"
                )
            })
        }
        PolicyRef::Inline(c) => c,
    };
    let mut headers = Vec::new();
    if let Some(s) = &c.security_headers {
        let mut add = |name: &str, value: &Option<String>| {
            if let Some(value) = value {
                headers.push(PolicyHeader {
                    name: name.to_owned(),
                    value: value.clone(),
                    override_origin: s.override_origin,
                });
            }
        };
        add("strict-transport-security", &s.strict_transport_security);
        add("x-frame-options", &s.frame_options);
        add("referrer-policy", &s.referrer_policy);
        add("x-xss-protection", &s.xss_protection);
        add("content-security-policy", &s.content_security_policy);
        if s.content_type_options {
            headers.push(PolicyHeader {
                name: "x-content-type-options".to_owned(),
                value: "nosniff".to_owned(),
                override_origin: s.override_origin,
            });
        }
    }
    for h in &c.custom_headers {
        if http::HeaderName::from_bytes(h.name.as_bytes()).is_err()
            || http::HeaderValue::from_str(&h.value).is_err()
        {
            return Err(format!("custom_headers: invalid header {:?}", h.name));
        }
        headers.push(PolicyHeader {
            name: h.name.to_ascii_lowercase(),
            value: h.value.clone(),
            override_origin: h.override_origin,
        });
    }
    let cors = c.cors.as_ref().map(|cors| Cors {
        allow_origins: cors.allow_origins.clone(),
        allow_headers: cors.allow_headers.clone(),
        allow_methods: cors.allow_methods.clone(),
        allow_credentials: cors.allow_credentials,
        expose_headers: cors.expose_headers.clone(),
        max_age: cors.max_age,
        origin_override: cors.origin_override,
    });
    if let Some(cors) = &cors {
        if cors.allow_credentials && cors.allow_origins.iter().any(|o| o == "*") {
            // CloudFront refuses this combination, as browsers do.
            return Err(
                "cors: allow_credentials cannot be used with allow_origins = [\"*\"]".into(),
            );
        }
    }
    let server_timing = match &c.server_timing {
        Some(t) if t.enabled => {
            if !(0.0..=100.0).contains(&t.sampling_rate) {
                return Err("server_timing.sampling_rate must be between 0 and 100".into());
            }
            Some(t.sampling_rate)
        }
        _ => None,
    };
    Ok(ResponseHeadersPolicy {
        name: "inline".to_owned(),
        id: None,
        cors,
        headers,
        remove: c
            .remove_headers
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect(),
        server_timing,
    })
}

/// A custom error response from the config, checked as CloudFront checks it.
pub fn custom_error_response(c: &CustomErrorResponseConfig) -> Result<CustomErrorResponse, String> {
    if !CUSTOM_ERROR_CODES.contains(&c.error_code) {
        return Err(format!(
            "error_code {} cannot have a custom error response (allowed: {CUSTOM_ERROR_CODES:?})",
            c.error_code
        ));
    }
    if let Some(code) = c.response_code {
        if !CUSTOM_RESPONSE_CODES.contains(&code) {
            return Err(format!(
                "response_code {code} is not allowed (allowed: {CUSTOM_RESPONSE_CODES:?})"
            ));
        }
        if c.response_page_path.is_none() {
            return Err("response_code needs a response_page_path".to_owned());
        }
    }
    if let Some(path) = &c.response_page_path {
        if !path.starts_with('/') {
            return Err(format!(
                "response_page_path must start with '/', got {path:?}"
            ));
        }
    }
    Ok(CustomErrorResponse {
        error_code: c.error_code,
        page_path: c.response_page_path.clone(),
        response_code: c.response_code,
        min_ttl: Duration::from_secs(c.error_caching_min_ttl.unwrap_or(10)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        cache_policy: PolicyRef<CachePolicyConfig>,
        origin_request_policy: Option<PolicyRef<OriginRequestPolicyConfig>>,
        response_headers_policy: Option<PolicyRef<ResponseHeadersPolicyConfig>>,
    }

    fn doc(text: &str) -> Doc {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn policies_by_name_or_inline() {
        let d = doc("cache_policy = \"CachingOptimized\"\norigin_request_policy = \"AllViewer\"\nresponse_headers_policy = \"SimpleCORS\"\n");
        assert_eq!(
            cache_policy(&d.cache_policy).unwrap().name,
            "Managed-CachingOptimized"
        );
        let orp = origin_request_policy(d.origin_request_policy.as_ref().unwrap()).unwrap();
        assert_eq!(orp.cookies, Names::All);
        let rhp = response_headers_policy(d.response_headers_policy.as_ref().unwrap()).unwrap();
        assert!(rhp.cors.is_some());

        let d = doc(
            "cache_policy = { default_ttl = 5, query_strings = { all_except = [\"utm\"] }, headers = [\"X-Tenant\"], gzip = true }\norigin_request_policy = { headers = { all_viewer_and_cloudfront = [\"CloudFront-Viewer-Country\"] } }\n",
        );
        let p = cache_policy(&d.cache_policy).unwrap();
        assert_eq!(p.query_strings, Names::AllExcept(vec!["utm".into()]));
        assert_eq!(p.headers, vec!["x-tenant".to_owned()]);
        assert!(p.gzip && !p.brotli);
        let orp = origin_request_policy(d.origin_request_policy.as_ref().unwrap()).unwrap();
        assert!(orp.forwards_header("cloudfront-viewer-country"));
        assert!(orp.forwards_header("accept"));
    }

    #[test]
    fn unknown_managed_names_list_the_known_ones() {
        let d = doc("cache_policy = \"CachingOptimised\"\n");
        let err = cache_policy(&d.cache_policy).unwrap_err();
        assert!(err.contains("CachingOptimized, "), "{err}");
    }

    #[test]
    fn custom_error_responses_are_checked() {
        let ok = CustomErrorResponseConfig {
            error_code: 404,
            response_page_path: Some("/index.html".into()),
            response_code: Some(200),
            error_caching_min_ttl: None,
        };
        assert_eq!(
            custom_error_response(&ok).unwrap().min_ttl,
            Duration::from_secs(10)
        );
        let bad = CustomErrorResponseConfig {
            error_code: 401,
            ..ok.clone()
        };
        assert!(custom_error_response(&bad).is_err());
        let no_page = CustomErrorResponseConfig {
            response_page_path: None,
            ..ok
        };
        assert!(custom_error_response(&no_page).is_err());
    }
}
