//! The cache key and what reaches the origin, from a behavior's cache policy and origin
//! request policy (docs/cloudfront/cache-and-origin.md, "Cache key" and "What reaches the
//! origin"):
//!
//! - the key is the path, the query parameters, headers and cookies the cache policy names,
//!   and the normalised `Accept-Encoding` when gzip/Brotli caching is on. Header names are
//!   case-insensitive and their order does not matter; header values, query parameter order
//!   and case are significant;
//! - the origin gets what the key names plus what the origin request policy names; other
//!   headers, cookies and query parameters are dropped. `User-Agent` becomes
//!   `Amazon CloudFront` unless forwarded;
//! - toward the viewer, `Set-Cookie` is removed when no cookie is forwarded, and `Vary` keeps
//!   only the values CloudFront keeps.

use http::header::{ACCEPT_ENCODING, COOKIE, SET_COOKIE, USER_AGENT, VARY};
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::policy::{CachePolicy, Names, OriginRequestPolicy};

/// Request headers that reach the origin whatever the policies say: those about the body,
/// conditional and range headers, and the ones CloudFront documents as always forwarded.
const ALWAYS_FORWARDED: [&str; 18] = [
    "content-length",
    "content-type",
    "content-encoding",
    "content-md5",
    "transfer-encoding",
    "cache-control",
    "pragma",
    "max-forwards",
    "request-range",
    "range",
    "if-range",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "via",
    "x-forwarded-for",
    "x-amz-cf-id",
];

/// The policies of one behavior, as they decide keys and forwarding.
#[derive(Debug, Clone, Copy)]
pub struct Forwarding<'a> {
    pub cache: &'a CachePolicy,
    pub origin: Option<&'a OriginRequestPolicy>,
}

impl Forwarding<'_> {
    /// Only `EnableAcceptEncodingGzip`/`Brotli` normalise `Accept-Encoding`, not the
    /// behavior's `compress` (the legacy `cache` table gets gzip from `compress` when it is
    /// built, startup/behaviors.rs).
    fn gzip(&self) -> bool {
        self.cache.gzip
    }

    fn normalises_encoding(&self) -> bool {
        (self.gzip() || self.cache.brotli)
            && !self.cache.headers.iter().any(|h| h == "accept-encoding")
    }

    /// The normalised `Accept-Encoding` for the key and the origin: `br,gzip`, `gzip`, `br`,
    /// `identity` (the viewer sent one without an encoding we cache), or `None` (no header,
    /// or normalisation off).
    pub fn encoding(&self, headers: &HeaderMap) -> Option<&'static str> {
        if !self.normalises_encoding() {
            return None;
        }
        let value = headers.get(ACCEPT_ENCODING)?.to_str().unwrap_or("");
        let has = |coding: &str| {
            value.split(',').any(|c| {
                let mut parts = c.split(';');
                let name = parts.next().unwrap_or("").trim();
                // `gzip;q=0` refuses gzip.
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        == Some(0.0)
                });
                name.eq_ignore_ascii_case(coding) && !refused
            })
        };
        let br = self.cache.brotli && has("br");
        let gzip = self.gzip() && has("gzip");
        Some(match (br, gzip) {
            (true, true) => "br,gzip",
            (true, false) => "br",
            (false, true) => "gzip",
            (false, false) => "identity",
        })
    }

    /// The cache key of a request as it stands after viewer-request. `behavior` keeps
    /// behaviors apart (they may have different origins).
    pub fn key(
        &self,
        behavior: usize,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
    ) -> String {
        let mut key = format!("{behavior}|{path}");
        if let Some(query) = query {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| !pair.is_empty() && self.cache.query_strings.wants(param_name(pair)))
                .collect();
            if !kept.is_empty() {
                key.push('?');
                key.push_str(&kept.join("&"));
            }
        }
        // Policy order, not request order: `A:1, B:2` and `B:2, A:1` are one key.
        let mut names = self.cache.headers.clone();
        names.sort();
        names.dedup();
        for name in &names {
            let values: Vec<String> = headers
                .get_all(name.as_str())
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect();
            if !values.is_empty() {
                key.push_str(&format!("\nh:{name}={}", values.join(",")));
            }
        }
        if !self.cache.cookies.is_none() {
            let mut cookies: Vec<String> = cookie_pairs(headers)
                .filter(|(name, _)| self.cache.cookies.wants(name))
                .map(|(_, pair)| pair.to_owned())
                .collect();
            // Cookie order is not documented as significant; the key is kept order-free.
            cookies.sort();
            for pair in cookies {
                key.push_str(&format!("\nc:{pair}"));
            }
        }
        if let Some(encoding) = self.encoding(headers).filter(|e| *e != "identity") {
            key.push_str(&format!("\ne:{encoding}"));
        }
        key
    }

    /// Whether any cookie reaches the origin (and so `Set-Cookie` reaches the viewer).
    pub fn forwards_cookies(&self) -> bool {
        !self.cache.cookies.is_none() || self.origin.is_some_and(|o| !o.cookies.is_none())
    }

    fn forwards_header(&self, name: &str) -> bool {
        self.cache.headers.iter().any(|h| h == name)
            || self.origin.is_some_and(|o| o.forwards_header(name))
    }

    /// Whether the viewer's `Host` goes to the origin (else the origin's domain is sent).
    pub fn forwards_host(&self) -> bool {
        self.forwards_header("host")
    }

    fn forwards_query(&self, name: &str) -> bool {
        self.cache.query_strings.wants(name)
            || self.origin.is_some_and(|o| o.query_strings.wants(name))
    }

    fn forwards_cookie(&self, name: &str) -> bool {
        self.cache.cookies.wants(name) || self.origin.is_some_and(|o| o.cookies.wants(name))
    }

    /// The query string sent to the origin, or `None` for none.
    pub fn origin_query(&self, query: Option<&str>) -> Option<String> {
        let kept: Vec<&str> = query?
            .split('&')
            .filter(|pair| !pair.is_empty() && self.forwards_query(param_name(pair)))
            .collect();
        (!kept.is_empty()).then(|| kept.join("&"))
    }

    /// Drops what the policies do not forward from the origin request's headers, and sets
    /// the headers CloudFront sets. `http10`: the viewer spoke HTTP/1.0 (no
    /// `Accept-Encoding` then).
    pub fn origin_headers(&self, method: &Method, headers: &mut HeaderMap, http10: bool) {
        let encoding = if http10 { None } else { self.encoding(headers) };
        let cookie: Vec<String> = cookie_pairs(headers)
            .filter(|(name, _)| self.forwards_cookie(name))
            .map(|(_, pair)| pair.to_owned())
            .collect();
        let user_agent_forwarded = self.forwards_header("user-agent");
        let names: Vec<HeaderName> = headers.keys().cloned().collect();
        for name in names {
            let n = name.as_str();
            let keep = match n {
                "cookie" | "accept-encoding" | "user-agent" => continue,
                "host" => true,
                "authorization" => {
                    // Forwarded on methods that change things; on GET, HEAD and OPTIONS
                    // only when a policy names it.
                    let reads = [Method::GET, Method::HEAD, Method::OPTIONS].contains(method);
                    !reads || self.forwards_header(n)
                }
                _ => ALWAYS_FORWARDED.contains(&n) || self.forwards_header(n),
            };
            if !keep {
                headers.remove(&name);
            }
        }
        headers.remove(COOKIE);
        if !cookie.is_empty() {
            if let Ok(v) = HeaderValue::from_str(&cookie.join("; ")) {
                headers.insert(COOKIE, v);
            }
        }
        if self.normalises_encoding() || http10 {
            headers.remove(ACCEPT_ENCODING);
            if let Some(e) = encoding {
                headers.insert(ACCEPT_ENCODING, HeaderValue::from_static(e));
            }
        } else if !self.forwards_header("accept-encoding") {
            headers.remove(ACCEPT_ENCODING);
        }
        if !user_agent_forwarded || !headers.contains_key(USER_AGENT) {
            headers.insert(USER_AGENT, HeaderValue::from_static("Amazon CloudFront"));
        }
    }

    /// Toward the viewer: `Set-Cookie` only when cookies are forwarded; `Vary` reduced to
    /// `Accept-Encoding`, `Cookie`, forwarded header names, and `User-Agent` when device
    /// headers are forwarded.
    pub fn viewer_response_headers(&self, headers: &mut HeaderMap) {
        if !self.forwards_cookies() {
            headers.remove(SET_COOKIE);
        }
        if !headers.contains_key(VARY) {
            return;
        }
        let device = self.cache.headers.iter().any(|h| is_device_header(h))
            || self.origin.is_some_and(|o| {
                o.cloudfront_headers.iter().any(|h| is_device_header(h))
                    || matches!(&o.headers, Names::Only(l) if l.iter().any(|h| is_device_header(h)))
            });
        let kept: Vec<String> = headers
            .get_all(VARY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| {
                t == "accept-encoding"
                    || t == "cookie"
                    || (t == "user-agent" && device)
                    || (t != "*" && self.forwards_header(t))
            })
            .collect();
        headers.remove(VARY);
        if !kept.is_empty() {
            if let Ok(v) = HeaderValue::from_str(&kept.join(", ")) {
                headers.insert(VARY, v);
            }
        }
    }
}

fn is_device_header(name: &str) -> bool {
    name.starts_with("cloudfront-is-") && name.ends_with("-viewer")
}

fn param_name(pair: &str) -> &str {
    pair.split('=').next().unwrap_or("")
}

/// `(name, "name=value")` for each cookie in the `Cookie` headers.
fn cookie_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| (pair.split('=').next().unwrap_or("").trim(), pair))
}

/// Removes the headers a `Connection` header names (hop-by-hop, RFC 9110 §7.6.1), then
/// `Connection` itself.
pub fn remove_connection_headers(headers: &mut HeaderMap) {
    let named: Vec<String> = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    for name in named {
        // Never let a viewer strip what CloudFront itself adds.
        if !["x-amz-cf-id", "via", "x-forwarded-for", "host"].contains(&name.as_str()) {
            headers.remove(name.as_str());
        }
    }
    headers.remove(http::header::CONNECTION);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{managed_cache_policy, managed_origin_request_policy};

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (n, v) in pairs {
            m.append(*n, v.parse().unwrap());
        }
        m
    }

    fn inline(headers: &[&str], cookies: Names, query: Names) -> CachePolicy {
        let mut p = managed_cache_policy("CachingOptimized").unwrap();
        p.headers = headers.iter().map(|s| s.to_string()).collect();
        p.cookies = cookies;
        p.query_strings = query;
        p
    }

    #[test]
    fn header_names_are_case_insensitive_values_case_sensitive_order_free() {
        let p = inline(&["x-a", "x-b"], Names::None, Names::None);
        let f = Forwarding {
            cache: &p,
            origin: None,
        };
        let k1 = f.key(0, "/p", None, &h(&[("X-A", "1"), ("x-b", "2")]));
        let k2 = f.key(0, "/p", None, &h(&[("x-b", "2"), ("x-a", "1")]));
        let k3 = f.key(0, "/p", None, &h(&[("x-a", "ONE"), ("x-b", "2")]));
        assert_eq!(k1, k2);
        assert_ne!(k1, k3);
    }

    #[test]
    fn query_order_and_case_are_significant() {
        let p = inline(&[], Names::None, Names::All);
        let f = Forwarding {
            cache: &p,
            origin: None,
        };
        let none = HeaderMap::new();
        assert_ne!(
            f.key(0, "/", Some("a=1&b=2"), &none),
            f.key(0, "/", Some("b=2&a=1"), &none)
        );
        assert_ne!(
            f.key(0, "/", Some("a=1"), &none),
            f.key(0, "/", Some("A=1"), &none)
        );
        let p = inline(&[], Names::None, Names::AllExcept(vec!["utm".into()]));
        let f = Forwarding {
            cache: &p,
            origin: None,
        };
        assert_eq!(
            f.key(0, "/", Some("a=1&utm=x"), &none),
            f.key(0, "/", Some("a=1"), &none)
        );
    }

    #[test]
    fn accept_encoding_is_normalised() {
        let p = managed_cache_policy("CachingOptimized").unwrap();
        let f = Forwarding {
            cache: &p,
            origin: None,
        };
        let enc = |v: &str| f.encoding(&h(&[("accept-encoding", v)]));
        assert_eq!(enc("gzip, deflate, br"), Some("br,gzip"));
        assert_eq!(enc("gzip"), Some("gzip"));
        assert_eq!(enc("deflate, zstd"), Some("identity"));
        assert_eq!(enc("br;q=0, gzip"), Some("gzip"));
        assert_eq!(f.encoding(&HeaderMap::new()), None);
        let un = managed_cache_policy("CachingOptimizedForUncompressedObjects").unwrap();
        let f = Forwarding {
            cache: &un,
            origin: None,
        };
        assert_eq!(f.encoding(&h(&[("accept-encoding", "gzip")])), None);
    }

    #[test]
    fn only_key_and_origin_policy_values_reach_the_origin() {
        let p = inline(
            &["x-key"],
            Names::Only(vec!["s".into()]),
            Names::Only(vec!["q".into()]),
        );
        let orp = managed_origin_request_policy("UserAgentRefererHeaders").unwrap();
        let f = Forwarding {
            cache: &p,
            origin: Some(&orp),
        };
        let mut headers = h(&[
            ("x-key", "1"),
            ("x-other", "2"),
            ("referer", "http://r"),
            ("user-agent", "curl"),
            ("cookie", "s=1; t=2"),
            ("accept-language", "de"),
            ("authorization", "Bearer x"),
            ("host", "viewer.example"),
        ]);
        f.origin_headers(&Method::GET, &mut headers, false);
        assert_eq!(headers.get("x-key").unwrap(), "1");
        assert!(headers.get("x-other").is_none());
        assert!(headers.get("accept-language").is_none());
        assert!(headers.get("authorization").is_none());
        assert_eq!(headers.get("referer").unwrap(), "http://r");
        assert_eq!(headers.get("user-agent").unwrap(), "curl");
        assert_eq!(headers.get("cookie").unwrap(), "s=1");
        assert_eq!(f.origin_query(Some("q=1&z=2")), Some("q=1".into()));

        let f = Forwarding {
            cache: &p,
            origin: None,
        };
        let mut headers = h(&[("user-agent", "curl"), ("authorization", "x")]);
        f.origin_headers(&Method::POST, &mut headers, false);
        assert_eq!(headers.get("user-agent").unwrap(), "Amazon CloudFront");
        assert_eq!(headers.get("authorization").unwrap(), "x");
    }

    #[test]
    fn set_cookie_and_vary_toward_the_viewer() {
        let p = inline(&["x-key"], Names::None, Names::None);
        let f = Forwarding {
            cache: &p,
            origin: None,
        };
        let mut headers = h(&[
            ("set-cookie", "a=1"),
            ("vary", "Accept-Encoding, X-Key, X-Other, *"),
        ]);
        f.viewer_response_headers(&mut headers);
        assert!(headers.get("set-cookie").is_none());
        assert_eq!(headers.get("vary").unwrap(), "accept-encoding, x-key");
    }

    #[test]
    fn connection_named_headers_are_removed() {
        let mut headers = h(&[
            ("connection", "close, x-secret"),
            ("x-secret", "1"),
            ("x-ok", "2"),
        ]);
        remove_connection_headers(&mut headers);
        assert!(headers.get("x-secret").is_none() && headers.get("connection").is_none());
        assert!(headers.get("x-ok").is_some());
    }
}
