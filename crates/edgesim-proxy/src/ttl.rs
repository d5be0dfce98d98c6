//! How long CloudFront keeps a response (docs/cloudfront/cache-and-origin.md, "TTLs" and
//! "Error caching"):
//!
//! - `s-maxage` wins over `max-age`; `Expires` counts only without either; no caching header
//!   means the policy's DefaultTTL; the result is clamped to `[MinTTL, MaxTTL]`;
//! - `no-store`, `no-cache` and `private` keep it out of the cache, unless MinTTL > 0, in which
//!   case it is kept for MinTTL;
//! - `stale-while-revalidate` / `stale-if-error` extend the time a stale copy may be served;
//! - errors: 404, 414 and 500–504 are cached for the error caching minimum TTL (10 s unless a
//!   custom error response says otherwise) or the origin's `max-age`/`s-maxage`/`Expires` if
//!   longer; 400, 403, 405, 412 and 415 only when the origin sends `max-age` or `s-maxage`;
//!   416 never; any other 4xx/5xx is not cached.

use std::time::{Duration, SystemTime};

use http::header::{CACHE_CONTROL, EXPIRES};
use http::HeaderMap;

use crate::policy::CachePolicy;

/// Error statuses CloudFront caches even without caching headers.
pub const ALWAYS_CACHED_ERRORS: [u16; 7] = [404, 414, 500, 501, 502, 503, 504];
/// Error statuses CloudFront caches only when the origin sends `max-age` or `s-maxage`.
pub const CACHED_WITH_MAX_AGE: [u16; 5] = [400, 403, 405, 412, 415];
/// Errors that `Cache-Control: no-store`, `no-cache` or `private` keep out of the cache (410
/// is in the page's list too, and is not cached anyway).
pub const ERRORS_HONOURING_NO_STORE: [u16; 3] = [404, 414, 501];
/// The error caching minimum TTL without a custom error response.
pub const DEFAULT_ERROR_CACHING_MIN_TTL: Duration = Duration::from_secs(10);

/// How long a stored response is fresh, and how long after that a stale copy may still serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Freshness {
    pub ttl: Duration,
    /// Served stale (and refreshed in the background) this long after `ttl`.
    pub stale_while_revalidate: Duration,
    /// Served stale when the origin fails this long after `ttl`; `None`: no directive.
    pub stale_if_error: Option<Duration>,
}

/// The parsed `Cache-Control` of a response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    pub no_store: bool,
    pub no_cache: bool,
    pub private: bool,
    pub max_age: Option<u64>,
    pub s_maxage: Option<u64>,
    pub stale_while_revalidate: Option<u64>,
    pub stale_if_error: Option<u64>,
}

/// The header names a response keeps out of the cache with `no-cache="A, B"` or
/// `private="A"` (lower case): the viewer that caused the fetch gets them, cached copies do
/// not (docs/cloudfront/cache-and-origin.md, "Toward the viewer": `no-cache="Set-Cookie"`).
pub fn uncached_fields(headers: &HeaderMap) -> Vec<String> {
    let mut names = Vec::new();
    for value in headers.get_all(CACHE_CONTROL).iter() {
        let Ok(text) = value.to_str() else { continue };
        let mut rest = text;
        while let Some(at) = rest.find('"') {
            let before = rest[..at].trim_end();
            let after = &rest[at + 1..];
            let Some(end) = after.find('"') else { break };
            let directive = before.strip_suffix('=').map(|d| {
                d.rsplit([',', ' '])
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase()
            });
            if matches!(directive.as_deref(), Some("no-cache" | "private")) {
                names.extend(
                    after[..end]
                        .split(',')
                        .map(|n| n.trim().to_ascii_lowercase())
                        .filter(|n| !n.is_empty()),
                );
            }
            rest = &after[end + 1..];
        }
    }
    names
}

impl Directives {
    pub fn parse(headers: &HeaderMap) -> Directives {
        let mut d = Directives::default();
        let directives = headers
            .get_all(CACHE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','));
        for directive in directives {
            let (name, value) = match directive.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim().trim_matches('"'))),
                None => (directive.trim(), None),
            };
            let secs = value.and_then(|v| v.parse::<u64>().ok());
            match name.to_ascii_lowercase().as_str() {
                "no-store" => d.no_store = true,
                // `no-cache="Set-Cookie"` names fields; only the bare form forbids storing.
                "no-cache" if value.is_none() => d.no_cache = true,
                "private" if value.is_none() => d.private = true,
                "max-age" => d.max_age = d.max_age.or(secs),
                "s-maxage" => d.s_maxage = d.s_maxage.or(secs),
                "stale-while-revalidate" => d.stale_while_revalidate = secs,
                "stale-if-error" => d.stale_if_error = secs,
                _ => {}
            }
        }
        d
    }

    /// The age CloudFront uses: `s-maxage` over `max-age`.
    pub fn shared_max_age(&self) -> Option<u64> {
        self.s_maxage.or(self.max_age)
    }
}

/// Time until `Expires`; an unparsable or past date means already expired (zero).
fn expires_in(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(EXPIRES)?.to_str().ok()?;
    let when = httpdate::parse_http_date(value).unwrap_or(SystemTime::UNIX_EPOCH);
    Some(when.duration_since(now).unwrap_or_default())
}

/// The freshness of a response with `status` and `headers` under `policy`, or `None` when
/// CloudFront does not store it. `error_min_ttl` is the error caching minimum TTL for this
/// status (from a custom error response, else [`DEFAULT_ERROR_CACHING_MIN_TTL`]).
pub fn freshness(
    policy: &CachePolicy,
    status: u16,
    headers: &HeaderMap,
    error_min_ttl: Duration,
    now: SystemTime,
) -> Option<Freshness> {
    if policy.is_disabled() {
        return None;
    }
    let d = Directives::parse(headers);
    let stale = |ttl: Duration| Freshness {
        ttl,
        stale_while_revalidate: Duration::from_secs(d.stale_while_revalidate.unwrap_or(0)),
        stale_if_error: d.stale_if_error.map(Duration::from_secs),
    };
    let header_ttl = d
        .shared_max_age()
        .map(Duration::from_secs)
        .or_else(|| expires_in(headers, now));
    match status {
        416 | 304 | 206 => None,
        // `no-store`, `no-cache` or `private` keeps these errors out of the cache; on every
        // other error CloudFront ignores them (docs/cloudfront/cache-and-origin.md, "Error
        // caching").
        s if ERRORS_HONOURING_NO_STORE.contains(&s) && (d.no_store || d.no_cache || d.private) => {
            None
        }
        s if ALWAYS_CACHED_ERRORS.contains(&s) => {
            let ttl = header_ttl.map_or(error_min_ttl, |h| h.max(error_min_ttl));
            let ttl = ttl.min(policy.max_ttl.max(error_min_ttl));
            (!ttl.is_zero()).then_some(Freshness {
                ttl,
                ..Freshness::default()
            })
        }
        s if CACHED_WITH_MAX_AGE.contains(&s) => {
            let age = Duration::from_secs(d.shared_max_age()?);
            let ttl = age
                .max(error_min_ttl)
                .min(policy.max_ttl.max(error_min_ttl));
            (!ttl.is_zero()).then_some(Freshness {
                ttl,
                ..Freshness::default()
            })
        }
        s if s >= 400 => None,
        s if !(200..400).contains(&s) => None,
        _ => {
            let ttl = if d.no_store || d.no_cache || d.private {
                policy.min_ttl
            } else {
                header_ttl
                    .unwrap_or(policy.default_ttl)
                    .clamp(policy.min_ttl, policy.max_ttl)
            };
            let f = stale(ttl);
            let keep = !ttl.is_zero()
                || (!(d.no_store || d.private)
                    && (!f.stale_while_revalidate.is_zero()
                        || f.stale_if_error.is_some_and(|s| !s.is_zero())));
            keep.then_some(f)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::managed_cache_policy;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (n, v) in pairs {
            m.append(*n, v.parse().unwrap());
        }
        m
    }

    fn ttl(policy: &CachePolicy, status: u16, pairs: &[(&'static str, &str)]) -> Option<u64> {
        freshness(
            policy,
            status,
            &h(pairs),
            DEFAULT_ERROR_CACHING_MIN_TTL,
            SystemTime::now(),
        )
        .map(|f| f.ttl.as_secs())
    }

    fn policy(min: u64, default: u64, max: u64) -> CachePolicy {
        let mut p = managed_cache_policy("CachingOptimized").unwrap();
        p.min_ttl = Duration::from_secs(min);
        p.default_ttl = Duration::from_secs(default);
        p.max_ttl = Duration::from_secs(max);
        p
    }

    #[test]
    fn s_maxage_wins_over_max_age_and_expires_counts_only_alone() {
        let p = policy(0, 100, 1000);
        assert_eq!(
            ttl(&p, 200, &[("cache-control", "max-age=5, s-maxage=50")]),
            Some(50)
        );
        assert_eq!(ttl(&p, 200, &[("cache-control", "max-age=5")]), Some(5));
        assert_eq!(
            ttl(&p, 200, &[("cache-control", "max-age=5000")]),
            Some(1000)
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(300));
        let by_expires = ttl(&p, 200, &[("expires", &later)]).unwrap();
        assert!((298..=300).contains(&by_expires), "{by_expires}");
        assert_eq!(
            ttl(
                &p,
                200,
                &[("cache-control", "max-age=7"), ("expires", &later)]
            ),
            Some(7)
        );
        assert_eq!(ttl(&p, 200, &[]), Some(100));
        assert_eq!(ttl(&p, 302, &[]), Some(100), "redirects are cached");
    }

    #[test]
    fn min_ttl_above_zero_overrides_no_store() {
        assert_eq!(
            ttl(&policy(0, 100, 1000), 200, &[("cache-control", "no-store")]),
            None
        );
        assert_eq!(
            ttl(
                &policy(30, 100, 1000),
                200,
                &[("cache-control", "no-store")]
            ),
            Some(30)
        );
        assert_eq!(
            ttl(
                &policy(30, 100, 1000),
                200,
                &[("cache-control", "max-age=1")]
            ),
            Some(30)
        );
        assert_eq!(
            ttl(&policy(0, 100, 1000), 200, &[("cache-control", "private")]),
            None
        );
    }

    #[test]
    fn errors_are_cached_by_status() {
        let p = policy(0, 100, 1000);
        for s in ALWAYS_CACHED_ERRORS {
            assert_eq!(ttl(&p, s, &[]), Some(10), "{s}");
        }
        assert_eq!(ttl(&p, 404, &[("cache-control", "max-age=60")]), Some(60));
        assert_eq!(ttl(&p, 503, &[("cache-control", "no-store")]), Some(10));
        for s in ERRORS_HONOURING_NO_STORE {
            for cc in ["no-store", "no-cache", "private"] {
                assert_eq!(ttl(&p, s, &[("cache-control", cc)]), None, "{s} {cc}");
            }
        }
        for s in CACHED_WITH_MAX_AGE {
            assert_eq!(ttl(&p, s, &[]), None, "{s}");
            assert_eq!(
                ttl(&p, s, &[("cache-control", "max-age=30")]),
                Some(30),
                "{s}"
            );
        }
        assert_eq!(ttl(&p, 416, &[("cache-control", "max-age=30")]), None);
        assert_eq!(ttl(&p, 401, &[("cache-control", "max-age=30")]), None);
        assert_eq!(ttl(&policy(0, 0, 0), 404, &[]), None, "CachingDisabled");
    }

    #[test]
    fn field_names_in_no_cache_and_private_are_found() {
        let h = h(&[(
            "cache-control",
            "max-age=60, no-cache=\"Set-Cookie, X-A\", private=\"x-b\"",
        )]);
        assert_eq!(uncached_fields(&h), ["set-cookie", "x-a", "x-b"]);
        assert_eq!(Directives::parse(&h).max_age, Some(60));
        assert!(!Directives::parse(&h).no_cache);
    }

    #[test]
    fn stale_directives_are_kept() {
        let f = freshness(
            &policy(0, 100, 1000),
            200,
            &h(&[(
                "cache-control",
                "max-age=0, stale-while-revalidate=30, stale-if-error=60",
            )]),
            DEFAULT_ERROR_CACHING_MIN_TTL,
            SystemTime::now(),
        )
        .unwrap();
        assert_eq!(f.ttl, Duration::ZERO);
        assert_eq!(f.stale_while_revalidate, Duration::from_secs(30));
        assert_eq!(f.stale_if_error, Some(Duration::from_secs(60)));
    }
}
