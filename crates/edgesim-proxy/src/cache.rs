//! The edge cache store: stored responses with their freshness, bounded by size (least
//! recently used objects go first). Keys and TTLs are decided elsewhere (`forwarding.rs`,
//! `ttl.rs`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// The path (and the query string kept in the key) of a cache key built by
/// `forwarding.rs` (`{behavior}|{path}?{query}\n...`): what invalidation paths are matched against.
pub fn key_path(key: &str) -> &str {
    let rest = key.split_once('|').map_or(key, |(_, rest)| rest);
    rest.split('\n').next().unwrap_or(rest)
}

/// A stored response.
#[derive(Debug)]
pub struct CachedObject {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub stored: Instant,
    pub ttl: Duration,
    /// `stale-while-revalidate`: served stale this long after `ttl` (refreshed meanwhile).
    pub stale_while_revalidate: Duration,
    /// `stale-if-error`, when the origin gave it.
    pub stale_if_error: Option<Duration>,
    last_used: AtomicU64,
    /// A background refresh was started for this copy (one per stale object).
    refreshing: AtomicBool,
}

impl CachedObject {
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes, ttl: Duration) -> Self {
        CachedObject {
            status,
            headers,
            body,
            stored: Instant::now(),
            ttl,
            stale_while_revalidate: Duration::ZERO,
            stale_if_error: None,
            last_used: AtomicU64::new(0),
            refreshing: AtomicBool::new(false),
        }
    }

    /// True for the first caller only: that one starts the background refresh.
    pub fn start_refresh(&self) -> bool {
        !self.refreshing.swap(true, Ordering::AcqRel)
    }

    pub fn is_fresh(&self) -> bool {
        self.stored.elapsed() < self.ttl
    }

    /// Expired, but within its `stale-while-revalidate` window.
    pub fn may_serve_while_revalidating(&self) -> bool {
        !self.is_fresh() && self.stored.elapsed() < self.ttl + self.stale_while_revalidate
    }

    /// How long after expiry it may stand in for a failing origin: its `stale-if-error`,
    /// else `error_ttl` (CloudFront serves stale on a 5xx).
    pub fn may_serve_on_error(&self) -> bool {
        match self.stale_if_error {
            Some(window) => self.stored.elapsed() < self.ttl + window,
            None => true,
        }
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

    /// Removes every object `remove` picks (invalidation); returns how many went.
    pub fn remove_where(&self, mut remove: impl FnMut(&str, &CachedObject) -> bool) -> usize {
        let mut inner = self.lock();
        let before = inner.objects.len();
        let mut freed = 0;
        inner.objects.retain(|key, object| {
            let gone = remove(key, object);
            if gone {
                freed += object.size();
            }
            !gone
        });
        inner.bytes -= freed;
        before - inner.objects.len()
    }

    /// A copy of the index (key and object), for the dashboard.
    pub fn entries(&self) -> Vec<(String, Arc<CachedObject>)> {
        let inner = self.lock();
        inner
            .objects
            .iter()
            .map(|(k, o)| (k.clone(), o.clone()))
            .collect()
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
