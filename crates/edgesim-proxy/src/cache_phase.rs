//! The cache phase of a request: the cache key (made by the behavior's
//! [`CachePolicy::key`](crate::cache::CachePolicy::key)), the lookup, the conditional headers
//! sent to the origin on a miss, and, once the origin answered, refreshing or storing the
//! object. Only GET and HEAD are looked up (and OPTIONS when the behavior's cached methods
//! include it), and nothing when the behavior caches nothing.
//!
//! On a cacheable request CloudFront fetches the whole object for its cache and answers the
//! viewer's conditional and range headers itself (from the stored object).

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use http::header::{
    AGE, CONTENT_LENGTH, CONTENT_RANGE, ETAG, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE,
    IF_UNMODIFIED_SINCE, LAST_MODIFIED, RANGE,
};
use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode};

use crate::body::{empty, full, Body};
use crate::cache::{Cache, CachedObject};
use crate::conditional::{not_modified, ByteRange};
use crate::context::RequestCtx;
use crate::observe::Phase;
use crate::origin_response;

pub const HIT: &str = "Hit from cloudfront";
pub const MISS: &str = "Miss from cloudfront";
pub const REFRESH_HIT: &str = "RefreshHit from cloudfront";

/// What the lookup found.
pub enum Lookup {
    /// A fresh object, answered from the cache.
    Hit(Response<Body>),
    /// Go to the origin; `Some` when the answer may be cached.
    Miss(Option<Pending>),
}

/// A cacheable miss waiting for the origin's answer.
pub struct Pending {
    key: String,
    /// The stale copy, revalidated with the origin (304 → RefreshHit).
    stale: Option<Arc<CachedObject>>,
    /// The viewer's request head, conditional and range headers included.
    viewer: Parts,
    /// Only a whole GET response is stored.
    storable: bool,
}

/// Looks the request up. On a miss, `parts` (the request about to go to the origin) loses the
/// viewer's conditional headers and gains the stale copy's validators.
pub fn lookup(cache: &Cache, ctx: &mut RequestCtx<'_>, parts: &mut Parts) -> Lookup {
    let behavior = ctx.behavior;
    let options = parts.method == Method::OPTIONS;
    let cacheable = !behavior.cache.is_disabled()
        && (parts.method == Method::GET
            || parts.method == Method::HEAD
            || (options && behavior.caches_options));
    if !cacheable {
        return Lookup::Miss(None);
    }
    let key = ctx.log.time(Phase::Cache, || {
        let key = behavior.cache.key(ctx.behavior_index, parts);
        // OPTIONS answers are cached apart from the GET/HEAD object of the same URL.
        if options {
            format!("OPTIONS {key}")
        } else {
            key
        }
    });
    let mut stale = None;
    if let Some(object) = ctx.log.time(Phase::Cache, || cache.get(&key)) {
        if object.is_fresh() {
            return Lookup::Hit(from_object(&object, parts, true));
        }
        stale = Some(object);
    }
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
    Lookup::Miss(Some(Pending {
        key,
        stale,
        viewer,
        storable: (parts.method == Method::GET || options) && !ranged,
    }))
}

/// The origin's answer to a miss: a 304 refreshes the stale copy, a cacheable response is
/// stored. Returns the response for the viewer and its `X-Cache`.
pub async fn store(
    cache: &Cache,
    max_object_bytes: usize,
    ctx: &mut RequestCtx<'_>,
    pending: Option<Pending>,
    response: Response<Body>,
) -> (Response<Body>, &'static str) {
    let Some(pending) = pending else {
        return (response, MISS);
    };
    let behavior = ctx.behavior;
    let (head, body) = response.into_parts();
    if let Some(object) = pending
        .stale
        .filter(|_| head.status == StatusCode::NOT_MODIFIED)
    {
        let started = Instant::now();
        let mut refreshed = origin_response::refreshed(&object, &head.headers);
        // The merged caching headers set the new TTL; if they now forbid storing, the
        // confirmed copy is served this once and the stale one stays.
        let ttl = behavior.cache.ttl(refreshed.status, &refreshed.headers);
        refreshed.ttl = ttl.unwrap_or_default();
        let refreshed = Arc::new(refreshed);
        if ttl.is_some() {
            cache.put(pending.key, refreshed.clone());
        }
        ctx.log.add(Phase::Cache, started.elapsed());
        return (from_object(&refreshed, &pending.viewer, true), REFRESH_HIT);
    }
    let ttl = behavior.cache.ttl(head.status, &head.headers);
    match ttl {
        Some(ttl) if pending.storable => {
            let started = Instant::now();
            let stored =
                origin_response::store(cache, pending.key, ttl, max_object_bytes, &head, body)
                    .await;
            ctx.log.add(Phase::Cache, started.elapsed());
            let response = match stored {
                Ok(object) => from_object(&object, &pending.viewer, false),
                Err(stream) => Response::from_parts(head, stream),
            };
            (response, MISS)
        }
        _ => (Response::from_parts(head, body), MISS),
    }
}

/// A response from a cached (or just stored) object, answering the viewer's conditional and
/// range headers. `hit` adds `Age`.
fn from_object(object: &CachedObject, request: &Parts, hit: bool) -> Response<Body> {
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
    let (status, body) = if ok && not_modified(&request.headers, etag, modified) {
        headers.remove(CONTENT_LENGTH);
        (StatusCode::NOT_MODIFIED, empty())
    } else if ok {
        let len = object.body.len() as u64;
        match ByteRange::parse(&request.headers, len) {
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
