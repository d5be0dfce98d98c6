//! The origin-response phase: clean the origin's response head, decide whether and how long
//! to cache it, and store it — buffering only bodies up to the configured object size; larger
//! ones stream through uncached.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::response::Parts;
use http::{HeaderMap, HeaderName};
use http_body_util::BodyExt;

use crate::body::{Body, Prefixed};
use crate::cache::{Cache, CachedObject};

/// Response headers CloudFront drops or sets itself.
const REMOVED: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-connection",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "x-cache",
    "via",
];

/// Removes hop-by-hop headers and the ones CloudFront sets on every response.
pub fn clean(headers: &mut HeaderMap) {
    for name in REMOVED {
        headers.remove(name);
    }
    let edge: Vec<HeaderName> = headers
        .keys()
        .filter(|n| n.as_str().starts_with("x-amz-cf-"))
        .cloned()
        .collect();
    for name in edge {
        headers.remove(name);
    }
}

/// Stores the response under `key` for `ttl` if its body fits and returns the stored object;
/// a body too large to cache comes back as `Err` with the stream to send on.
pub async fn store(
    cache: &Cache,
    key: String,
    ttl: Duration,
    max_object_bytes: usize,
    head: &Parts,
    body: Body,
) -> Result<Arc<CachedObject>, Body> {
    let declared = head
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max_object_bytes) {
        return Err(body);
    }
    let mut body = body;
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut size = 0;
    loop {
        match body.frame().await {
            None => break,
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    size += data.len();
                    chunks.push(data);
                    if size > max_object_bytes {
                        // Too big after all: replay what we have, then stream the rest.
                        return Err(Prefixed::body(chunks, body));
                    }
                }
            }
            Some(Err(e)) => {
                // The origin broke off mid-body: send what we have, cache nothing.
                tracing::warn!("origin body failed: {e}");
                return Err(Prefixed::body(chunks, crate::body::empty()));
            }
        }
    }
    let bytes: Bytes = if chunks.len() == 1 {
        chunks.pop().unwrap_or_default()
    } else {
        chunks.concat().into()
    };
    let object = Arc::new(CachedObject::new(
        head.status,
        head.headers.clone(),
        bytes,
        ttl,
    ));
    cache.put(key, object.clone());
    Ok(object)
}

/// A stale object the origin confirmed with 304: the 304's headers update the stored ones
/// (RFC 9111 §4.3.4) and the age starts again; the caller sets the TTL from the result.
pub fn refreshed(stale: &CachedObject, not_modified: &HeaderMap) -> CachedObject {
    let mut headers = stale.headers.clone();
    for name in not_modified.keys() {
        if name == CONTENT_LENGTH {
            continue;
        }
        headers.remove(name);
        for value in not_modified.get_all(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    CachedObject::new(stale.status, headers, stale.body.clone(), Duration::ZERO)
}
