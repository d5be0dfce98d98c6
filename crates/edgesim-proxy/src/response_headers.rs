//! Applying a response headers policy to a response on its way to the viewer
//! (docs/cloudfront/cache-and-origin.md, "Response headers policies"):
//!
//! - CORS headers only for CORS requests (the viewer sent `Origin`) from an allowed origin. A
//!   preflight (`OPTIONS` with `Access-Control-Request-Method`) gets `Allow-Methods`,
//!   `Allow-Headers` and `Max-Age`; every CORS response gets `Allow-Origin`,
//!   `Allow-Credentials` and `Expose-Headers` when configured. Without `origin_override` the
//!   origin's own CORS headers win;
//! - security and custom headers: set unless the origin sent them and the header does not
//!   override;
//! - listed headers removed;
//! - `Server-Timing` with CloudFront's metric names, for the sampled share of requests.

use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::policy::{Cors, ResponseHeadersPolicy};

const ALL_METHODS: &str = "GET, DELETE, HEAD, OPTIONS, PATCH, POST, PUT";

/// Applies `policy` to `response` for a request with `method` and `request` headers.
pub fn apply(
    policy: &ResponseHeadersPolicy,
    method: &Method,
    request: &HeaderMap,
    response: &mut HeaderMap,
) {
    if let Some(cors) = &policy.cors {
        apply_cors(cors, method, request, response);
    }
    for header in &policy.headers {
        let Ok(name) = HeaderName::from_bytes(header.name.as_bytes()) else {
            continue;
        };
        if header.override_origin || !response.contains_key(&name) {
            if let Ok(v) = HeaderValue::from_str(&header.value) {
                response.insert(name, v);
            }
        }
    }
    for name in &policy.remove {
        response.remove(name.as_str());
    }
}

fn origin_allowed(allowed: &[String], origin: &str) -> bool {
    allowed.iter().any(|a| {
        a == "*"
            || a.eq_ignore_ascii_case(origin)
            || a.split_once("://*.").is_some_and(|(scheme, domain)| {
                origin
                    .strip_prefix(scheme)
                    .and_then(|rest| rest.strip_prefix("://"))
                    .is_some_and(|host| host.ends_with(&format!(".{domain}")))
            })
    })
}

fn apply_cors(cors: &Cors, method: &Method, request: &HeaderMap, response: &mut HeaderMap) {
    let Some(origin) = request.get("origin").and_then(|v| v.to_str().ok()) else {
        return;
    };
    if !origin_allowed(&cors.allow_origins, origin) {
        return;
    }
    let mut set = |name: &'static str, value: String| {
        if cors.origin_override || !response.contains_key(name) {
            if let Ok(v) = HeaderValue::from_str(&value) {
                response.insert(name, v);
            }
        }
    };
    let any = cors.allow_origins.iter().any(|o| o == "*") && !cors.allow_credentials;
    set(
        "access-control-allow-origin",
        if any {
            "*".to_owned()
        } else {
            origin.to_owned()
        },
    );
    if cors.allow_credentials {
        set("access-control-allow-credentials", "true".to_owned());
    }
    if !cors.expose_headers.is_empty() {
        set(
            "access-control-expose-headers",
            cors.expose_headers.join(", "),
        );
    }
    let preflight =
        method == Method::OPTIONS && request.contains_key("access-control-request-method");
    if preflight {
        let methods = if cors.allow_methods.iter().any(|m| m == "ALL") {
            ALL_METHODS.to_owned()
        } else {
            cors.allow_methods.join(", ")
        };
        set("access-control-allow-methods", methods);
        if !cors.allow_headers.is_empty() {
            set(
                "access-control-allow-headers",
                cors.allow_headers.join(", "),
            );
        }
        if let Some(age) = cors.max_age {
            set("access-control-max-age", age.to_string());
        }
    }
}

/// What a `Server-Timing` header from a response headers policy reports.
#[derive(Debug, Clone, Default)]
pub struct Timing<'a> {
    /// `Hit`, `Miss`, `RefreshHit`, `Error`, … (the `x-cache` result type).
    pub result: &'a str,
    pub pop: &'a str,
    pub request_id: &'a str,
    /// Milliseconds to connect to the origin and to its first byte, on a miss.
    pub upstream_connect_ms: Option<u64>,
    pub upstream_fbl_ms: Option<u64>,
    /// Milliseconds until the first byte toward the viewer.
    pub downstream_fbl_ms: u64,
}

/// CloudFront's `Server-Timing` value: `cdn-upstream-layer`, `cdn-upstream-dns`,
/// `cdn-upstream-connect`, `cdn-upstream-fbl`, `cdn-cache-hit|miss|refresh`, `cdn-pop`,
/// `cdn-rid`, `cdn-downstream-fbl`.
pub fn server_timing(t: &Timing<'_>) -> String {
    let mut parts = Vec::new();
    if let (Some(connect), Some(fbl)) = (t.upstream_connect_ms, t.upstream_fbl_ms) {
        parts.push("cdn-upstream-layer;desc=\"EDGE\"".to_owned());
        parts.push("cdn-upstream-dns;dur=0".to_owned());
        parts.push(format!("cdn-upstream-connect;dur={connect}"));
        parts.push(format!("cdn-upstream-fbl;dur={fbl}"));
    }
    let cache = match t.result {
        r if r.starts_with("Hit") => "cdn-cache-hit",
        r if r.starts_with("RefreshHit") => "cdn-cache-refresh",
        _ => "cdn-cache-miss",
    };
    parts.push(cache.to_owned());
    parts.push(format!("cdn-pop;desc=\"{}\"", t.pop));
    parts.push(format!("cdn-rid;desc=\"{}\"", t.request_id));
    parts.push(format!("cdn-downstream-fbl;dur={}", t.downstream_fbl_ms));
    parts.join(",")
}

/// Whether this request is in the sampled share (`rate` percent), decided from the request
/// id so it is stable for one request.
pub fn sampled(rate: f64, request_id: &str) -> bool {
    if rate >= 100.0 {
        return true;
    }
    let hash = request_id
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    ((hash % 10_000) as f64) < rate * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::managed_response_headers_policy;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (n, v) in pairs {
            m.append(*n, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn preflight_gets_methods_and_simple_requests_only_the_origin() {
        let p = managed_response_headers_policy("CORS-With-Preflight").unwrap();
        let req = h(&[
            ("origin", "https://a.example"),
            ("access-control-request-method", "PUT"),
        ]);
        let mut res = HeaderMap::new();
        apply(&p, &Method::OPTIONS, &req, &mut res);
        assert_eq!(res.get("access-control-allow-origin").unwrap(), "*");
        assert!(res
            .get("access-control-allow-methods")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("PUT"));
        let mut res = HeaderMap::new();
        apply(
            &p,
            &Method::GET,
            &h(&[("origin", "https://a.example")]),
            &mut res,
        );
        assert!(res.get("access-control-allow-methods").is_none());
        let mut res = HeaderMap::new();
        apply(&p, &Method::GET, &HeaderMap::new(), &mut res);
        assert!(res.is_empty(), "not a CORS request");
    }

    #[test]
    fn origin_headers_win_unless_overridden() {
        let p = managed_response_headers_policy("SecurityHeadersPolicy").unwrap();
        let mut res = h(&[("x-frame-options", "DENY"), ("x-content-type-options", "x")]);
        apply(&p, &Method::GET, &HeaderMap::new(), &mut res);
        assert_eq!(res.get("x-frame-options").unwrap(), "DENY");
        assert_eq!(res.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(
            res.get("strict-transport-security").unwrap(),
            "max-age=31536000"
        );
    }

    #[test]
    fn wildcard_subdomains_and_sampling() {
        assert!(origin_allowed(
            &["https://*.example.com".into()],
            "https://a.example.com"
        ));
        assert!(!origin_allowed(
            &["https://*.example.com".into()],
            "https://example.org"
        ));
        assert!(sampled(100.0, "x"));
        assert!(!sampled(0.0, "x"));
        let t = server_timing(&Timing {
            result: "Hit from cloudfront",
            pop: "LHR50-C1",
            request_id: "abc",
            ..Timing::default()
        });
        assert!(
            t.starts_with("cdn-cache-hit,cdn-pop;desc=\"LHR50-C1\""),
            "{t}"
        );
    }
}
