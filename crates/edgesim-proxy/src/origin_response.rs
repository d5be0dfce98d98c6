//! The origin-response phase: clean the origin's response head, run the behavior's
//! origin-response Lambda@Edge function on it (any status), decide whether and how long to
//! cache it, and store it — buffering only bodies up to the configured object size; larger
//! ones stream through uncached.

use std::time::{Duration, Instant};

use bytes::Bytes;
use edgesim_model::lambda::event::request_object as lambda_request_object;
use edgesim_model::lambda::{self as lambda_event, LambdaOutput, Origin as EventOrigin, Trigger};
use edgesim_model::EdgeFailure;
use http::header::CONTENT_LENGTH;
use http::response::Parts;
use http::{HeaderMap, HeaderName, Response};
use http_body_util::BodyExt;
use serde_json::Value;

use crate::body::{Body, Prefixed};
use crate::cache::CachedObject;
use crate::context::RequestCtx;
use crate::hook;
use crate::observe::Phase;
use crate::origin::{Origin, OriginKind};
use crate::origin_request::event_origin;
use crate::settings::Settings;

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

/// The request object the origin-response event will carry, taken before the request goes to
/// the origin: the one origin-request returned, else the request as sent, origin included.
/// `None` when the behavior has no origin-response function.
pub fn event_request(
    ctx: &RequestCtx<'_>,
    request: &http::request::Parts,
    origin: &Origin,
    from_origin_request: Option<Value>,
) -> Option<Value> {
    ctx.behavior.hooks.origin_response.as_ref()?;
    Some(
        from_origin_request.unwrap_or_else(|| sent_request_object(request, &ctx.viewer_ip, origin)),
    )
}

/// The request object of an origin-response event when no origin-request function ran: the
/// request as sent to the origin, with the origin.
fn sent_request_object(request: &http::request::Parts, viewer_ip: &str, origin: &Origin) -> Value {
    let mut object = lambda_request_object(request, viewer_ip);
    if let OriginKind::Http(target) = &origin.kind {
        if let Some(headers) = object.get_mut("headers").and_then(Value::as_object_mut) {
            let host = serde_json::json!([{ "key": "Host", "value": target.host }]);
            headers.insert("host".into(), host);
        }
    }
    if let Some(map) = object.as_object_mut() {
        map.insert(
            "origin".into(),
            EventOrigin::Custom(event_origin(origin)).to_json(),
        );
    }
    object
}

/// Runs the behavior's origin-response function on the (cleaned) origin response, if any;
/// `request` is from [`event_request`].
pub async fn run(
    settings: &Settings,
    ctx: &mut RequestCtx<'_>,
    request: Option<Value>,
    response: Response<Body>,
) -> Result<Response<Body>, EdgeFailure> {
    let behavior = ctx.behavior;
    let (Some(hook), Some(request)) = (&behavior.hooks.origin_response, request) else {
        return Ok(response);
    };
    let started = Instant::now();
    let (head, body) = response.into_parts();
    let event = lambda_event::response_event(
        Trigger::OriginResponse,
        &hook::event_config(settings, &ctx.request_id),
        &request,
        head.status,
        &head.headers,
    );
    let outcome = match hook.run(&event, &ctx.request_id).await {
        Ok(
            LambdaOutput::Response(object)
            | LambdaOutput::GeneratedResponse(object)
            | LambdaOutput::Request(object),
        ) => hook::response_from(&object, body),
        Err(failure) => Err(failure),
    };
    ctx.log.add(Phase::OriginResponse, started.elapsed());
    let mut response = outcome?;
    clean(response.headers_mut());
    Ok(response)
}

/// Reads a response body whole if it fits in `max_object_bytes` (to be cached); a body too
/// large, or one the origin broke off, comes back as `Err` with the stream to send on.
pub async fn buffer(head: &Parts, body: Body, max_object_bytes: usize) -> Result<Bytes, Body> {
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
    // A Content-Length the body does not match is not cached (custom origins, "Dropped TCP
    // connections").
    if declared.is_some_and(|len| len != size) {
        return Err(Prefixed::body(chunks, crate::body::empty()));
    }
    Ok(if chunks.len() == 1 {
        chunks.pop().unwrap_or_default()
    } else {
        chunks.concat().into()
    })
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
