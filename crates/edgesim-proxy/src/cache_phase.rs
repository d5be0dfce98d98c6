//! The cache phase of a request (docs/cloudfront/cache-and-origin.md): the cache key (made
//! by the behavior's policies, `forwarding.rs`), the lookup, request collapsing, the
//! conditional headers sent to the origin on a miss, and, once the origin answered,
//! refreshing, storing (compressed when CloudFront would compress) or serving a stale copy
//! when the origin fails. GET and HEAD are looked up, OPTIONS when the behavior caches it,
//! and nothing when the behavior's cache policy caches nothing.
//!
//! On a cacheable request CloudFront fetches the whole object for its cache and answers the
//! viewer's conditional and range headers itself (from the stored object).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use http::header::{
    AGE, CONTENT_LENGTH, CONTENT_RANGE, ETAG, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE,
    IF_UNMODIFIED_SINCE, LAST_MODIFIED, RANGE,
};
use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode, Version};
use tokio::sync::watch;

use crate::behavior::Behavior;
use crate::body::{empty, full, Body};
use crate::cache::{Cache, CachedObject};
use crate::compress::{self, Coding};
use crate::conditional::{not_modified, precondition_failed, range_applies, ByteRange};
use crate::context::RequestCtx;
use crate::observe::Phase;
use crate::origin_response;
use crate::policy::CustomErrorResponse;
use crate::ttl;

pub const HIT: &str = "Hit from cloudfront";
pub const MISS: &str = "Miss from cloudfront";
pub const REFRESH_HIT: &str = "RefreshHit from cloudfront";

/// How long a request waits for a simultaneous miss on its key before going to the origin
/// itself (the origin's own timeouts normally end the wait first).
const COLLAPSE_WAIT: Duration = Duration::from_secs(60);

/// Keys with an origin fetch in flight, for request collapsing.
#[derive(Debug, Default)]
pub struct Inflight {
    map: Mutex<HashMap<String, watch::Receiver<()>>>,
}

/// Held by the request fetching a key; dropping it wakes the requests waiting for it.
pub struct Leader<'a> {
    inflight: &'a Inflight,
    key: String,
    _done: watch::Sender<()>,
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        // Removed under the lock before the sender goes, so every waiter subscribed first.
        let mut map = self.inflight.map.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&self.key);
    }
}

impl Inflight {
    /// Becomes the leader for `key`, or returns the receiver to wait on.
    fn join(&self, key: &str) -> Result<Leader<'_>, watch::Receiver<()>> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rx) = map.get(key) {
            return Err(rx.clone());
        }
        let (tx, rx) = watch::channel(());
        map.insert(key.to_owned(), rx);
        Ok(Leader {
            inflight: self,
            key: key.to_owned(),
            _done: tx,
        })
    }
}

/// What the lookup found.
pub enum Lookup<'a> {
    /// A fresh object, answered from the cache.
    Hit(Response<Body>),
    /// Go to the origin; `Some` when the answer may be cached.
    Miss(Option<Pending<'a>>),
}

/// A cacheable miss waiting for the origin's answer.
pub struct Pending<'a> {
    key: String,
    /// The stale copy, revalidated with the origin (304 → RefreshHit).
    stale: Option<Arc<CachedObject>>,
    /// The viewer's request head, conditional and range headers included.
    viewer: Parts,
    /// Only a whole GET (or OPTIONS) response is stored.
    storable: bool,
    /// The encoding to compress to, when the behavior compresses and the viewer accepts it.
    coding: Option<Coding>,
    _leader: Option<Leader<'a>>,
}

/// Whether the request's method is one the behavior caches.
fn cached_method(ctx: &RequestCtx<'_>, method: &Method) -> bool {
    *method == Method::GET
        || *method == Method::HEAD
        || (*method == Method::OPTIONS && ctx.behavior.caches_options)
}

fn make_key(
    behavior: &Behavior,
    index: usize,
    parts: &Parts,
    encoding: Option<&'static str>,
) -> String {
    let forwarding = behavior.forwarding();
    let mut headers = parts.headers.clone();
    if let Some(e) = encoding {
        headers.insert(http::header::ACCEPT_ENCODING, HeaderValue::from_static(e));
    }
    let key = forwarding.key(index, parts.uri.path(), parts.uri.query(), &headers);
    // OPTIONS answers are a different object from GET/HEAD ones.
    if parts.method == Method::OPTIONS {
        format!("OPTIONS {key}")
    } else {
        key
    }
}

/// Looks the request up. On a miss, `parts` (the request about to go to the origin) loses the
/// viewer's conditional headers and gains the stale copy's validators. Simultaneous misses on
/// one key wait for the first one's answer.
/// `revalidate`: a background refresh, which goes to the origin even inside the
/// `stale-while-revalidate` window.
pub async fn lookup<'a>(
    cache: &Cache,
    inflight: &'a Inflight,
    ctx: &mut RequestCtx<'_>,
    parts: &mut Parts,
    revalidate: bool,
) -> Lookup<'a> {
    let behavior = ctx.behavior;
    if behavior.cache.is_disabled() || !cached_method(ctx, &parts.method) {
        return Lookup::Miss(None);
    }
    let http10 = parts.version == Version::HTTP_10;
    let encoding = if http10 {
        None
    } else {
        behavior.forwarding().encoding(&parts.headers)
    };
    let index = ctx.behavior_index;
    let key = ctx
        .log
        .time(Phase::Cache, || make_key(behavior, index, parts, encoding));
    // The first cached encoding wins: a viewer accepting both gets a cached gzip copy rather
    // than a new Brotli one.
    let gzip_key =
        (encoding == Some("br,gzip")).then(|| make_key(behavior, index, parts, Some("gzip")));
    // A HEAD is answered from the GET object of its key, else from a stored HEAD answer
    // (CloudFront caches GET and HEAD responses; the HEAD goes to the origin as HEAD).
    let is_head = parts.method == Method::HEAD;
    let head_key = format!("HEAD {key}");
    let find = |ctx: &mut RequestCtx<'_>| {
        ctx.log.time(Phase::Cache, || {
            cache
                .get(&key)
                .or_else(|| {
                    gzip_key
                        .as_ref()
                        .and_then(|k| cache.get(k))
                        .filter(|o| o.is_fresh())
                })
                .or_else(|| if is_head { cache.get(&head_key) } else { None })
        })
    };
    let mut found = find(ctx);
    if let Some(object) = found.as_ref().filter(|_| !revalidate) {
        if object.is_fresh() {
            return Lookup::Hit(from_object(object, parts, true));
        }
        if object.may_serve_while_revalidating() {
            // Inside `stale-while-revalidate` the stale copy is served at once and the first
            // such request refreshes it in the background (Distribution::handle).
            if object.start_refresh() {
                // The refresh fetches the whole object, as a GET, whatever this viewer asked.
                let mut refresh = parts.clone();
                if refresh.method == Method::HEAD {
                    refresh.method = Method::GET;
                }
                refresh.headers.remove(RANGE);
                refresh.headers.remove(IF_RANGE);
                ctx.refresh = Some(crate::context::Refresh {
                    parts: refresh,
                    origin_changes: Vec::new(),
                });
            }
            return Lookup::Hit(from_object(object, parts, true));
        }
    }
    // Request collapsing: wait for a fetch of the same key already in flight. Forwarding all
    // cookies keeps requests apart (CloudFront does not collapse them).
    let collapse = !matches!(behavior.cache.cookies, crate::policy::Names::All);
    let mut leader = None;
    if collapse {
        match inflight.join(&key) {
            Ok(l) => leader = Some(l),
            Err(mut rx) => {
                let _ = tokio::time::timeout(COLLAPSE_WAIT, rx.changed()).await;
                found = find(ctx);
                if let Some(object) = found.as_ref().filter(|o| o.is_fresh()) {
                    return Lookup::Hit(from_object(object, parts, true));
                }
                leader = inflight.join(&key).ok();
            }
        }
    }
    let stale = found;
    let ranged = parts.headers.contains_key(RANGE);
    let viewer = parts.clone();
    if !ranged {
        for name in [
            IF_NONE_MATCH,
            IF_MODIFIED_SINCE,
            IF_MATCH,
            IF_UNMODIFIED_SINCE,
            IF_RANGE,
        ] {
            parts.headers.remove(name);
        }
        if let Some(object) = &stale {
            for (name, validator) in [(IF_NONE_MATCH, ETAG), (IF_MODIFIED_SINCE, LAST_MODIFIED)] {
                if let Some(value) = object.headers.get(validator) {
                    parts.headers.insert(name, value.clone());
                }
            }
        }
    }
    // A HEAD answer has no body to compress (its Content-Length is the object's).
    let coding = behavior
        .compress
        .then(|| Coding::from_normalised(encoding))
        .flatten()
        .filter(|_| !is_head);
    let key = if is_head { head_key } else { key };
    Lookup::Miss(Some(Pending {
        key,
        stale,
        storable: [Method::GET, Method::HEAD, Method::OPTIONS].contains(&parts.method) && !ranged,
        viewer,
        coding,
        _leader: leader,
    }))
}

/// The error caching minimum TTL for `status`: its custom error response's, else the
/// behavior's.
pub fn error_min_ttl(
    ctx: &RequestCtx<'_>,
    custom: &[CustomErrorResponse],
    status: u16,
) -> Duration {
    custom
        .iter()
        .find(|c| c.error_code == status)
        .map_or(ctx.behavior.error_ttl, |c| c.min_ttl)
}

/// The stale copy, served because the origin failed (a 5xx, a timeout, a refused
/// connection): it stands in for the error caching minimum TTL, unless `stale-if-error`
/// says otherwise.
pub fn serve_stale(
    cache: &Cache,
    ctx: &RequestCtx<'_>,
    custom: &[CustomErrorResponse],
    pending: &Pending<'_>,
    status: u16,
) -> Option<Response<Body>> {
    let stale = pending.stale.as_ref()?;
    if !stale.may_serve_on_error() {
        return None;
    }
    let window = error_min_ttl(ctx, custom, status);
    if !window.is_zero() {
        let mut again = CachedObject::new(
            stale.status,
            stale.headers.clone(),
            stale.body.clone(),
            window,
        );
        again.stale_if_error = stale.stale_if_error;
        cache.put(pending.key.clone(), Arc::new(again));
    }
    Some(from_object(stale, &pending.viewer, true))
}

/// The origin's answer to a miss: a 304 refreshes the stale copy, a 5xx falls back on it, a
/// cacheable response is stored (compressed when CloudFront would). Returns the response for
/// the viewer and its `X-Cache`.
pub async fn store(
    cache: &Cache,
    max_object_bytes: usize,
    custom: &[CustomErrorResponse],
    ctx: &mut RequestCtx<'_>,
    pending: Option<Pending<'_>>,
    mut response: Response<Body>,
) -> (Response<Body>, &'static str) {
    let behavior = ctx.behavior;
    // `Vary: *` with MinTTL 0: every request goes to the origin (docs/cloudfront/
    // cache-and-origin.md, "Cache key"); with MinTTL > 0 it is like any other `Vary`.
    let vary_star = response
        .headers()
        .get_all(http::header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*");
    behavior
        .forwarding()
        .viewer_response_headers(response.headers_mut());
    let Some(pending) = pending.filter(|_| !(vary_star && behavior.cache.min_ttl.is_zero())) else {
        return (response, MISS);
    };
    let status = response.status().as_u16();
    if status >= 500 {
        if let Some(stale) = serve_stale(cache, ctx, custom, &pending, status) {
            return (stale, HIT);
        }
    }
    let (head, body) = response.into_parts();
    let now = SystemTime::now();
    if let Some(object) = pending
        .stale
        .as_ref()
        .filter(|_| head.status == StatusCode::NOT_MODIFIED)
    {
        let started = Instant::now();
        let mut refreshed = origin_response::refreshed(object, &head.headers);
        // The merged caching headers set the new TTL; if they now forbid storing, the
        // confirmed copy is served this once and the stale one stays.
        let fresh = ttl::freshness(
            &behavior.cache,
            refreshed.status.as_u16(),
            &refreshed.headers,
            error_min_ttl(ctx, custom, refreshed.status.as_u16()),
            now,
        );
        if let Some(f) = fresh {
            refreshed.ttl = f.ttl;
            refreshed.stale_while_revalidate = f.stale_while_revalidate;
            refreshed.stale_if_error = f.stale_if_error;
        }
        let refreshed = Arc::new(refreshed);
        if fresh.is_some() {
            cache.put(pending.key.clone(), refreshed.clone());
        }
        ctx.log.add(Phase::Cache, started.elapsed());
        return (from_object(&refreshed, &pending.viewer, true), REFRESH_HIT);
    }
    let fresh = ttl::freshness(
        &behavior.cache,
        status,
        &head.headers,
        error_min_ttl(ctx, custom, status),
        now,
    );
    let Some(fresh) = fresh.filter(|_| pending.storable) else {
        return (Response::from_parts(head, body), MISS);
    };
    let started = Instant::now();
    // A HEAD answer has no body; its Content-Length is the object's and is kept.
    let bytes = if pending.viewer.method == Method::HEAD {
        bytes::Bytes::new()
    } else {
        match origin_response::buffer(&head, body, max_object_bytes).await {
            Ok(bytes) => bytes,
            Err(stream) => return (Response::from_parts(head, stream), MISS),
        }
    };
    let mut headers = head.headers;
    let mut bytes = bytes;
    let compressible = !fresh.ttl.is_zero() && compress::eligible(status, &headers);
    if let Some(coding) = pending.coding.filter(|_| compressible) {
        let input = bytes.clone();
        let encoded = tokio::task::spawn_blocking(move || compress::encode(coding, &input)).await;
        if let Ok(Ok(encoded)) = encoded {
            compress::compressed_headers(&mut headers, coding, encoded.len());
            bytes = encoded.into();
        }
    }
    // `no-cache="Set-Cookie"`: this viewer gets the header, the cached copy does not.
    let mut withheld = Vec::new();
    for name in ttl::uncached_fields(&headers) {
        if let Ok(name) = http::HeaderName::from_bytes(name.as_bytes()) {
            for value in headers.get_all(&name) {
                withheld.push((name.clone(), value.clone()));
            }
            headers.remove(&name);
        }
    }
    let mut object = CachedObject::new(head.status, headers, bytes, fresh.ttl);
    object.stale_while_revalidate = fresh.stale_while_revalidate;
    object.stale_if_error = fresh.stale_if_error;
    let object = Arc::new(object);
    cache.put(pending.key.clone(), object.clone());
    ctx.log.add(Phase::Cache, started.elapsed());
    let mut response = from_object(&object, &pending.viewer, false);
    for (name, value) in withheld {
        response.headers_mut().append(name, value);
    }
    (response, MISS)
}

/// A response from a cached (or just stored) object, answering the viewer's conditional and
/// range headers. `hit` adds `Age`.
pub fn from_object(object: &CachedObject, request: &Parts, hit: bool) -> Response<Body> {
    let mut headers = object.headers.clone();
    if hit {
        headers.insert(AGE, HeaderValue::from(object.age()));
    }
    let etag = object.headers.get(ETAG).and_then(|v| v.to_str().ok());
    let modified: Option<SystemTime> = object
        .headers
        .get(LAST_MODIFIED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let is_head = request.method == Method::HEAD;
    let ok = object.status == StatusCode::OK;
    let (status, body) = if ok && precondition_failed(&request.headers, etag, modified) {
        headers.remove(CONTENT_LENGTH);
        (StatusCode::PRECONDITION_FAILED, empty())
    } else if ok && not_modified(&request.headers, etag, modified) {
        headers.remove(CONTENT_LENGTH);
        (StatusCode::NOT_MODIFIED, empty())
    } else if ok {
        let len = object.body.len() as u64;
        let range = if range_applies(&request.headers, etag, modified) {
            ByteRange::parse(&request.headers, len)
        } else {
            ByteRange::Full
        };
        match range {
            ByteRange::Full => (StatusCode::OK, full(object.body.clone())),
            ByteRange::Partial { start, end } => {
                if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                    headers.insert(CONTENT_RANGE, v);
                }
                headers.insert(CONTENT_LENGTH, HeaderValue::from(end - start + 1));
                let slice = object.body.slice(start as usize..=end as usize);
                (StatusCode::PARTIAL_CONTENT, full(slice))
            }
            ByteRange::Unsatisfiable => {
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    headers.insert(CONTENT_RANGE, v);
                }
                headers.remove(CONTENT_LENGTH);
                (StatusCode::RANGE_NOT_SATISFIABLE, empty())
            }
        }
    } else {
        (object.status, full(object.body.clone()))
    };
    let body = if is_head { empty() } else { body };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}
