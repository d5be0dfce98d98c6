//! The CloudFront request pipeline, one phase after another (lambda-edge.md §1):
//!
//! ```text
//! viewer ─► behavior (ORIGINAL path) ─► viewer-request fn ──response──► viewer (never cached)
//!                                           │ request
//!                                           ▼
//!                      cache key ─► lookup ─ fresh ─────────────────────┐ Hit
//!                                     │ miss / stale                    │
//!                                     ▼                                 │
//!                 origin-request (origin choice, headers) ─► origin     │
//!                                     │ (304 on stale → RefreshHit)     │
//!                                     ▼                                 │
//!                 origin-response (clean, TTL, store) ──────────────────┤ Miss
//!                                                                       ▼
//!                             viewer-response fn (skipped for status >= 400) ─► viewer
//! ```
//!
//! Any failure becomes CloudFront's error page through [`EdgeFailure`]; viewer-response
//! never runs on those.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use edgesim_model::failure::{X_CACHE_FUNCTION_GENERATED, X_CACHE_LAMBDA_GENERATED};
use edgesim_model::EdgeFailure;
use http::header::{
    AGE, CONTENT_LENGTH, CONTENT_RANGE, ETAG, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE,
    IF_UNMODIFIED_SINCE, LAST_MODIFIED, RANGE, VIA,
};
use http::{HeaderValue, Method, Request, Response, StatusCode};

use crate::behavior::Behavior;
use crate::body::{empty, full, Body};
use crate::cache::CachedObject;
use crate::conditional::{not_modified, ByteRange};
use crate::distribution::Distribution;
use crate::lambda::{self, OriginRequestOutcome, RequestOutcome};
use crate::observe::{Phase, RequestLog};
use crate::{ids, origin_request, origin_response, viewer_request, viewer_response};

const HIT: &str = "Hit from cloudfront";
const MISS: &str = "Miss from cloudfront";
const REFRESH_HIT: &str = "RefreshHit from cloudfront";
const ERROR: &str = "Error from cloudfront";

/// What the phases before viewer-response produced.
struct Served {
    response: Response<Body>,
    x_cache: Cow<'static, str>,
    /// The request as forwarded (after viewer-request), for the viewer-response event.
    request: Option<http::request::Parts>,
}

impl Distribution {
    /// Serves one viewer request through the whole pipeline. Never fails: every failure is
    /// CloudFront's error response. `viewer` is the client's address.
    pub async fn handle(&self, req: Request<Body>, viewer: SocketAddr) -> Response<Body> {
        let request_id = ids::request_id();
        let mut log = RequestLog::new();
        let method = req.method().clone();
        let uri = req.uri().to_string();
        let (mut parts, body) = req.into_parts();
        let viewer_ip =
            viewer_request::prepare(&mut parts, &self.settings, viewer.ip().to_string());
        let (index, behavior) = self.behaviors.select(parts.uri.path());

        let outcome = self
            .serve(
                behavior,
                index,
                parts,
                body,
                &viewer_ip,
                &request_id,
                &mut log,
            )
            .await;
        let (mut response, x_cache) = match outcome {
            Ok(served) => {
                self.viewer_response(behavior, served, &viewer_ip, &request_id, &mut log)
                    .await
            }
            Err(failure) => (
                failure_response(&failure, &request_id),
                failure.x_cache().into(),
            ),
        };
        self.finish(&mut response, &x_cache, &request_id, &log);
        log.emit(
            method.as_str(),
            &uri,
            response.status().as_u16(),
            &x_cache,
            &request_id,
        );
        response
    }

    /// Viewer-request, cache and origin.
    #[allow(clippy::too_many_arguments)]
    async fn serve(
        &self,
        behavior: &Behavior,
        index: usize,
        parts: http::request::Parts,
        body: Body,
        viewer_ip: &str,
        request_id: &str,
        log: &mut RequestLog,
    ) -> Result<Served, EdgeFailure> {
        let (mut parts, body, origin_changes) =
            match (&behavior.viewer_request, &behavior.lambda.viewer_request) {
                (_, Some(hook)) => {
                    let started = Instant::now();
                    let outcome =
                        lambda::viewer_request(self, hook, parts, body, viewer_ip, request_id)
                            .await;
                    log.add(Phase::ViewerRequest, started.elapsed());
                    match outcome? {
                        RequestOutcome::Continue(parts, body) => (parts, body, Vec::new()),
                        RequestOutcome::Respond(response) => {
                            return Ok(Served {
                                response,
                                x_cache: X_CACHE_LAMBDA_GENERATED.into(),
                                request: None,
                            })
                        }
                    }
                }
                (None, None) => (parts, body, Vec::new()),
                (Some(function), None) => {
                    let started = Instant::now();
                    let (outcome, utilization) =
                        viewer_request::run(self, function, parts, viewer_ip, request_id);
                    log.add(Phase::ViewerRequest, started.elapsed());
                    log.function("viewer-request", function.name(), utilization);
                    match outcome? {
                        viewer_request::Outcome::Continue(parts, changes) => (parts, body, changes),
                        viewer_request::Outcome::Respond(response) => {
                            return Ok(Served {
                                response,
                                x_cache: X_CACHE_FUNCTION_GENERATED.into(),
                                request: None,
                            })
                        }
                    }
                }
            };
        let origin = origin_request::select_origin(self, behavior.origin, &origin_changes)?;
        let has_viewer_response =
            behavior.viewer_response.is_some() || behavior.lambda.viewer_response.is_some();
        let for_viewer_response = has_viewer_response.then(|| parts.clone());
        let served = |response, x_cache: &'static str, request| Served {
            response,
            x_cache: x_cache.into(),
            request,
        };

        // Cache lookup: GET and HEAD only, unless the behavior caches nothing.
        let cacheable = !behavior.cache.is_disabled()
            && (parts.method == Method::GET || parts.method == Method::HEAD);
        let key = cacheable.then(|| log.time(Phase::Cache, || behavior.cache.key(index, &parts)));
        let mut stale = None;
        if let Some(key) = &key {
            if let Some(object) = log.time(Phase::Cache, || self.cache.get(key)) {
                if object.is_fresh() {
                    let response = from_object(&object, &parts, true);
                    return Ok(served(response, HIT, for_viewer_response));
                }
                stale = Some(object);
            }
        }

        // Origin request. On a cacheable request CloudFront fetches the whole object for its
        // cache and answers the viewer's conditional/range headers itself.
        let ranged = parts.headers.contains_key(RANGE);
        let viewer_parts = cacheable.then(|| parts.clone());
        if cacheable && !ranged {
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
                for (name, validator) in [(IF_NONE_MATCH, ETAG), (IF_MODIFIED_SINCE, LAST_MODIFIED)]
                {
                    if let Some(value) = object.headers.get(validator) {
                        parts.headers.insert(name, value.clone());
                    }
                }
            }
        }
        let is_get = parts.method == Method::GET;
        let request =
            origin_request::build(parts, body, viewer_ip, request_id, &self.settings.via_host);
        let (head, body) = self
            .exchange(behavior, request, origin, viewer_ip, request_id, log)
            .await?
            .into_parts();

        let (Some(key), Some(viewer_parts)) = (key, viewer_parts) else {
            return Ok(served(
                Response::from_parts(head, body),
                MISS,
                for_viewer_response,
            ));
        };
        if let Some(object) = stale.filter(|_| head.status == StatusCode::NOT_MODIFIED) {
            let started = Instant::now();
            let mut refreshed = origin_response::refreshed(&object, &head.headers);
            // The merged caching headers set the new TTL; if they now forbid storing, the
            // confirmed copy is served this once and the stale one stays.
            let ttl = behavior.cache.ttl(refreshed.status, &refreshed.headers);
            refreshed.ttl = ttl.unwrap_or_default();
            let refreshed = Arc::new(refreshed);
            if ttl.is_some() {
                self.cache.put(key, refreshed.clone());
            }
            log.add(Phase::Cache, started.elapsed());
            let response = from_object(&refreshed, &viewer_parts, true);
            return Ok(served(response, REFRESH_HIT, for_viewer_response));
        }
        let ttl = behavior.cache.ttl(head.status, &head.headers);
        match ttl {
            Some(ttl) if is_get && !ranged => {
                let started = Instant::now();
                let stored = origin_response::store(
                    &self.cache,
                    key,
                    ttl,
                    self.settings.max_object_bytes,
                    &head,
                    body,
                )
                .await;
                log.add(Phase::Cache, started.elapsed());
                let response = match stored {
                    Ok(object) => from_object(&object, &viewer_parts, false),
                    Err(stream) => Response::from_parts(head, stream),
                };
                Ok(served(response, MISS, for_viewer_response))
            }
            _ => Ok(served(
                Response::from_parts(head, body),
                MISS,
                for_viewer_response,
            )),
        }
    }

    /// origin-request, the origin, origin-response: what CloudFront caches for a miss. A
    /// response generated by origin-request skips the origin and origin-response.
    async fn exchange(
        &self,
        behavior: &Behavior,
        request: Request<Body>,
        origin: Cow<'_, crate::origin::Origin>,
        viewer_ip: &str,
        request_id: &str,
        log: &mut RequestLog,
    ) -> Result<Response<Body>, EdgeFailure> {
        let hooks = &behavior.lambda;
        let (request, origin, object) = match &hooks.origin_request {
            None => (request, origin, None),
            Some(hook) => {
                let started = Instant::now();
                let outcome =
                    lambda::origin_request(self, hook, request, origin, viewer_ip, request_id)
                        .await;
                log.add(Phase::OriginRequest, started.elapsed());
                match outcome? {
                    OriginRequestOutcome::Forward {
                        request,
                        origin,
                        object,
                    } => (request, origin, Some(object)),
                    OriginRequestOutcome::Respond(mut response) => {
                        origin_response::clean(response.headers_mut());
                        return Ok(response);
                    }
                }
            }
        };
        // origin-response sees the request as sent to the origin, origin included.
        let (request, object) = match (&hooks.origin_response, object) {
            (None, _) => (request, None),
            (Some(_), Some(object)) => (request, Some(object)),
            (Some(_), None) => {
                let (parts, body) = request.into_parts();
                let object = lambda::origin_request_object(&parts, viewer_ip, &origin);
                (Request::from_parts(parts, body), Some(object))
            }
        };
        let started = Instant::now();
        let fetched = origin.fetch(request).await;
        log.add(Phase::Origin, started.elapsed());
        let mut response = fetched?;
        origin_response::clean(response.headers_mut());
        let (Some(hook), Some(object)) = (&hooks.origin_response, object) else {
            return Ok(response);
        };
        let started = Instant::now();
        let outcome = lambda::origin_response(self, hook, &object, response, request_id).await;
        log.add(Phase::OriginResponse, started.elapsed());
        response = outcome?;
        origin_response::clean(response.headers_mut());
        Ok(response)
    }

    /// Runs the viewer-response function when CloudFront would, and picks the final X-Cache.
    async fn viewer_response(
        &self,
        behavior: &Behavior,
        served: Served,
        viewer_ip: &str,
        request_id: &str,
        log: &mut RequestLog,
    ) -> (Response<Body>, Cow<'static, str>) {
        let Served {
            mut response,
            mut x_cache,
            request,
        } = served;
        // CloudFront labels origin error responses (status >= 400), fresh or cached, as
        // `Error from cloudfront`; generated responses keep their own label.
        if response.status().as_u16() >= 400
            && x_cache != X_CACHE_FUNCTION_GENERATED
            && x_cache != X_CACHE_LAMBDA_GENERATED
        {
            x_cache = ERROR.into();
        }
        // Via is on the response the function sees (and read-only there).
        if let Ok(via) =
            HeaderValue::from_str(&format!("1.1 {} (CloudFront)", self.settings.via_host))
        {
            response.headers_mut().insert(VIA, via);
        }
        let Some(request) = request else {
            return (response, x_cache);
        };
        if !viewer_response::applies(response.status()) {
            return (response, x_cache);
        }
        if let Some(hook) = &behavior.lambda.viewer_response {
            let started = Instant::now();
            let outcome =
                lambda::viewer_response(self, hook, &request, response, viewer_ip, request_id)
                    .await;
            log.add(Phase::ViewerResponse, started.elapsed());
            return match outcome {
                Ok(response) => (response, x_cache),
                Err(failure) => (
                    failure_response(&failure, request_id),
                    failure.x_cache().into(),
                ),
            };
        }
        let Some(function) = &behavior.viewer_response else {
            return (response, x_cache);
        };
        let (head, body) = response.into_parts();
        let started = Instant::now();
        let (outcome, utilization) =
            viewer_response::run(self, function, &request, head, body, viewer_ip, request_id);
        log.add(Phase::ViewerResponse, started.elapsed());
        log.function("viewer-response", function.name(), utilization);
        match outcome {
            Ok((head, body)) => (Response::from_parts(head, body), x_cache),
            Err(failure) => (
                failure_response(&failure, request_id),
                failure.x_cache().into(),
            ),
        }
    }

    /// The headers every CloudFront response carries.
    fn finish(
        &self,
        response: &mut Response<Body>,
        x_cache: &str,
        request_id: &str,
        log: &RequestLog,
    ) {
        let headers = response.headers_mut();
        if let Ok(via) =
            HeaderValue::from_str(&format!("1.1 {} (CloudFront)", self.settings.via_host))
        {
            headers.insert(VIA, via);
        }
        if let Ok(v) = HeaderValue::from_str(x_cache) {
            headers.insert("x-cache", v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.settings.pop) {
            headers.insert("x-amz-cf-pop", v);
        }
        if let Ok(v) = HeaderValue::from_str(request_id) {
            headers.insert("x-amz-cf-id", v);
        }
        if self.settings.server_timing {
            if let Some(v) = log.server_timing() {
                headers.insert("server-timing", v);
            }
        }
    }
}

/// A response from a cached (or just stored) object, answering the viewer's conditional and
/// range headers. `hit` adds `Age`.
fn from_object(object: &CachedObject, request: &http::request::Parts, hit: bool) -> Response<Body> {
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

/// CloudFront's error page for a failure (status, `Server: CloudFront`, HTML).
pub fn failure_response(failure: &EdgeFailure, request_id: &str) -> Response<Body> {
    let page = failure.response(request_id);
    let mut response = Response::new(full(page.body));
    *response.status_mut() = StatusCode::from_u16(page.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in page.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}
