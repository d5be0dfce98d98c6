//! The edge cache: the cache key built after viewer-request, the TTL CloudFront derives from
//! the origin's headers and the behavior's min/default/max TTL, and a size-bounded store.
//!
//! TTL rules (CloudFront "Managing how long content stays in the cache"):
//! - `s-maxage` (preferred) or `max-age`: that value, clamped to `[min_ttl, max_ttl]`;
//! - `no-cache`, `no-store` or `private`: not cached when `min_ttl` is 0, else `min_ttl`;
//! - `Expires` only: its distance from now, clamped;
//! - no caching headers: `default_ttl` for cacheable statuses, the error caching minimum TTL
//!   (10 s) for the 4xx/5xx CloudFront caches.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::header::{CACHE_CONTROL, COOKIE, EXPIRES};
use http::{HeaderMap, StatusCode};

use crate::config::{CacheConfig, KeyList};

/// Which query parameters or cookies go into the cache key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySelect {
    None,
    All,
    Only(Vec<String>),
}

impl KeySelect {
    pub fn from_config(list: &KeyList) -> Result<KeySelect, String> {
        match list {
            KeyList::Keyword(k) if k == "none" => Ok(KeySelect::None),
            KeyList::Keyword(k) if k == "all" => Ok(KeySelect::All),
            KeyList::Keyword(k) => Err(format!(
                "expected \"none\", \"all\" or a list of names, got {k:?}"
            )),
            KeyList::Names(names) => Ok(KeySelect::Only(names.clone())),
        }
    }

    fn wants(&self, name: &str) -> bool {
        match self {
            KeySelect::None => false,
            KeySelect::All => true,
            KeySelect::Only(names) => names.iter().any(|n| n == name),
        }
    }
}

/// A behavior's cache policy.
#[derive(Debug, Clone)]
pub struct CachePolicy {
    pub min_ttl: Duration,
    pub default_ttl: Duration,
    pub max_ttl: Duration,
    pub error_ttl: Duration,
    pub query_strings: KeySelect,
    /// Lower-case header names.
    pub headers: Vec<String>,
    pub cookies: KeySelect,
}

/// 4xx/5xx statuses CloudFront caches (error caching minimum TTL).
const CACHED_ERRORS: [u16; 11] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];
/// Statuses cached with the default TTL when the origin sends no caching headers.
const CACHED_BY_DEFAULT: [u16; 6] = [200, 203, 204, 300, 301, 410];
/// Cached only when the origin says for how long.
const CACHED_WHEN_TOLD: [u16; 4] = [302, 303, 307, 308];

impl CachePolicy {
    pub fn from_config(c: &CacheConfig) -> Result<CachePolicy, String> {
        if !(c.min_ttl <= c.default_ttl && c.default_ttl <= c.max_ttl) {
            return Err("TTLs must satisfy min_ttl <= default_ttl <= max_ttl".to_owned());
        }
        Ok(CachePolicy {
            min_ttl: Duration::from_secs(c.min_ttl),
            default_ttl: Duration::from_secs(c.default_ttl),
            max_ttl: Duration::from_secs(c.max_ttl),
            error_ttl: Duration::from_secs(c.error_ttl),
            query_strings: KeySelect::from_config(c.query_strings.get_ref())?,
            headers: c.headers.iter().map(|h| h.to_ascii_lowercase()).collect(),
            cookies: KeySelect::from_config(c.cookies.get_ref())?,
        })
    }

    /// All TTLs 0 (CloudFront's `CachingDisabled`): never look up or store.
    pub fn is_disabled(&self) -> bool {
        self.max_ttl.is_zero() && self.min_ttl.is_zero()
    }

    /// The cache key of a request as it stands after viewer-request. The behavior index keeps
    /// behaviors with different origins apart; the host is not part of it (one distribution).
    pub fn key(&self, behavior: usize, parts: &http::request::Parts) -> String {
        let mut key = format!("{behavior}|{}", parts.uri.path());
        if let Some(query) = parts.uri.query() {
            // Order and case are kept: CloudFront caches `a=1&b=2` and `b=2&a=1` separately.
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| {
                    let name = pair.split('=').next().unwrap_or("");
                    !pair.is_empty() && self.query_strings.wants(name)
                })
                .collect();
            if !kept.is_empty() {
                key.push('?');
                key.push_str(&kept.join("&"));
            }
        }
        for name in &self.headers {
            for value in parts.headers.get_all(name.as_str()) {
                key.push_str(&format!(
                    "\nh:{name}={}",
                    String::from_utf8_lossy(value.as_bytes())
                ));
            }
        }
        if self.cookies != KeySelect::None {
            for line in parts.headers.get_all(COOKIE) {
                for pair in String::from_utf8_lossy(line.as_bytes()).split(';') {
                    let pair = pair.trim();
                    let name = pair.split('=').next().unwrap_or("");
                    if !pair.is_empty() && self.cookies.wants(name) {
                        key.push_str(&format!("\nc:{pair}"));
                    }
                }
            }
        }
        key
    }

    /// How long to keep a response, or `None` to not store it.
    pub fn ttl(&self, status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
        let code = status.as_u16();
        let directives = cache_control(headers);
        let has = |name: &str| directives.iter().any(|(n, _)| n == name);
        let seconds = |name: &str| {
            directives
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.as_deref()?.trim_matches('"').parse::<u64>().ok())
        };
        let ttl = if has("no-store") || has("no-cache") || has("private") {
            Some(self.min_ttl)
        } else if let Some(age) = seconds("s-maxage").or_else(|| seconds("max-age")) {
            Some(self.clamp(Duration::from_secs(age)))
        } else if let Some(expires) = expires_in(headers) {
            Some(self.clamp(expires))
        } else if CACHED_BY_DEFAULT.contains(&code) {
            Some(self.default_ttl)
        } else if CACHED_ERRORS.contains(&code) {
            Some(self.error_ttl)
        } else {
            None
        };
        let cacheable_status = CACHED_BY_DEFAULT.contains(&code)
            || CACHED_ERRORS.contains(&code)
            || CACHED_WHEN_TOLD.contains(&code);
        ttl.filter(|t| cacheable_status && !t.is_zero())
    }

    fn clamp(&self, ttl: Duration) -> Duration {
        ttl.clamp(self.min_ttl, self.max_ttl)
    }
}

/// `Cache-Control` directives, lower-cased names with optional values.
fn cache_control(headers: &HeaderMap) -> Vec<(String, Option<String>)> {
    headers
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|d| {
            let d = d.trim();
            match d.split_once('=') {
                Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(v.trim().to_owned())),
                None => (d.to_ascii_lowercase(), None),
            }
        })
        .collect()
}

/// Time left until `Expires`; an unparsable or past date means "already expired" (zero).
fn expires_in(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(EXPIRES)?.to_str().ok()?;
    let when = httpdate::parse_http_date(value).unwrap_or(SystemTime::UNIX_EPOCH);
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

/// A stored response.
#[derive(Debug)]
pub struct CachedObject {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub stored: Instant,
    pub ttl: Duration,
    last_used: AtomicU64,
}

impl CachedObject {
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes, ttl: Duration) -> Self {
        CachedObject {
            status,
            headers,
            body,
            stored: Instant::now(),
            ttl,
            last_used: AtomicU64::new(0),
        }
    }

    pub fn is_fresh(&self) -> bool {
        self.stored.elapsed() < self.ttl
    }

    /// Seconds since stored, for the `Age` header.
    pub fn age(&self) -> u64 {
        self.stored.elapsed().as_secs()
    }

    fn size(&self) -> usize {
        self.body.len()
            + self
                .headers
                .iter()
                .map(|(n, v)| n.as_str().len() + v.len())
                .sum::<usize>()
    }
}

/// The store: a map bounded by total size; when full, the least recently used objects go.
#[derive(Debug)]
pub struct Cache {
    inner: Mutex<Inner>,
    max_bytes: usize,
    clock: AtomicU64,
}

#[derive(Debug, Default)]
struct Inner {
    objects: HashMap<String, Arc<CachedObject>>,
    bytes: usize,
}

impl Cache {
    pub fn new(max_bytes: usize) -> Cache {
        Cache {
            inner: Mutex::new(Inner::default()),
            max_bytes,
            clock: AtomicU64::new(1),
        }
    }

    /// The stored object for a key, fresh or stale.
    pub fn get(&self, key: &str) -> Option<Arc<CachedObject>> {
        let object = self.lock().objects.get(key).cloned()?;
        object.last_used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        Some(object)
    }

    /// Stores (or replaces) an object, evicting the least recently used ones past the bound.
    pub fn put(&self, key: String, object: Arc<CachedObject>) {
        let size = object.size();
        if size > self.max_bytes {
            return;
        }
        object.last_used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        let mut inner = self.lock();
        if let Some(old) = inner.objects.insert(key, object) {
            inner.bytes -= old.size();
        }
        inner.bytes += size;
        while inner.bytes > self.max_bytes {
            // O(n) scan, but only when the store is full; eviction is rare in local use.
            let Some(victim) = inner
                .objects
                .iter()
                .min_by_key(|(_, o)| o.last_used.load(Ordering::Relaxed))
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(old) = inner.objects.remove(&victim) {
                inner.bytes -= old.size();
            }
        }
    }

    /// Number of stored objects.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().objects.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the map inconsistent (every update is a
        // single insert/remove), so a poisoned lock is safe to keep using.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
