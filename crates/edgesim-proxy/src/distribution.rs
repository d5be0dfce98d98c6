//! A distribution ready to serve, and [`Distribution::handle`]: one viewer request through
//! CloudFront's phases, each in its own module (docs/cloudfront/pipeline.md, "Phases"):
//!
//! ```text
//! viewer ─► behavior (ORIGINAL path) ─► viewer_request ──response──► viewer (never cached)
//!                                           │ request
//!                                           ▼
//!                 cache_phase: key ─► lookup ─ fresh ───────────────────┐ Hit
//!                                     │ miss / stale                    │
//!                                     ▼                                 │
//!                 origin_request (origin choice, headers, function)     │
//!                                     ▼                                 │
//!                 origin (304 on stale → RefreshHit)                    │
//!                                     ▼                                 │
//!                 origin_response (clean, function) ─► cache_phase::store ┤ Miss
//!                                                                       ▼
//!                             viewer_response (skipped for status >= 400) ─► viewer
//! ```
//!
//! Every phase gets the per-request [`RequestCtx`] and only the parts of the distribution it
//! needs. Any failure becomes CloudFront's error page in `failure.rs`;
//! viewer-response never runs on those. Building a distribution from its config (and every
//! check that a bad config fails) is in `startup/`.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use edgesim_functions::OriginChange;
use edgesim_model::failure::{X_CACHE_FUNCTION_GENERATED, X_CACHE_LAMBDA_GENERATED};
use edgesim_model::EdgeFailure;
use http::header::VIA;
use http::{HeaderValue, Method, Request, Response, StatusCode};

use crate::behavior::Behaviors;
use crate::body::Body;
use crate::cache::Cache;
use crate::cache_phase::{self, Lookup, HIT};
use crate::context::{Refresh, RequestCtx};
use crate::failure::failure_response;
use crate::observe::{Phase, RequestLog};
use crate::origin::{Failover, Origin, OriginKind, Origins};
use crate::policy::{CustomErrorResponse, ResponseHeadersPolicy};
use crate::response_headers;
use crate::settings::Settings;
use crate::{
    origin_request, origin_response, upgrade, viewer_protocol, viewer_request, viewer_response,
    viewer_rules,
};

const ERROR: &str = "Error from cloudfront";

/// The distribution.
#[derive(Debug)]
pub struct Distribution {
    pub(crate) settings: Settings,
    pub(crate) origins: Origins,
    pub(crate) behaviors: Behaviors,
    /// Shared with the next distribution on a hot reload that keeps the cache.
    pub(crate) cache: Arc<Cache>,
    pub(crate) cache_max_bytes: usize,
    /// Keys being fetched, for request collapsing.
    pub(crate) inflight: cache_phase::Inflight,
    /// Itself, for background refreshes (`stale-while-revalidate`).
    pub(crate) me: std::sync::Weak<Distribution>,
    /// `[[custom_error_responses]]`.
    pub(crate) custom_errors: Vec<CustomErrorResponse>,
    /// The listen address from the config.
    pub(crate) listen: String,
    /// Mock origins that also listen on their own address: (origin index, address).
    pub(crate) standalone_mocks: Vec<(usize, String)>,
    /// The dashboard, when enabled.
    pub(crate) dashboard: Option<DashboardSettings>,
    /// The started Lambda@Edge functions, for a hot reload to reuse.
    pub(crate) lambdas: crate::startup::Started,
}

/// Where the dashboard lives.
#[derive(Debug, Clone)]
pub struct DashboardSettings {
    /// Normalised: `/_edgesim/`.
    pub path: String,
    pub recent_requests: usize,
}

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
        let log = RequestLog::new();
        let method = req.method().clone();
        let uri = req.uri().to_string();
        let (mut parts, body) = req.into_parts();
        // Size and Host are judged on the request as the viewer sent it.
        let received = viewer_rules::check_request(&parts);
        let listener = viewer_protocol::listener(&parts);
        let viewer_ip =
            viewer_request::prepare(&mut parts, &self.settings, viewer.ip().to_string());
        viewer_protocol::forwarded_proto(&mut parts, listener);
        let (index, behavior) = self.behaviors.select(parts.uri.path());
        let mut ctx = RequestCtx::new(viewer_ip, index, behavior, log);
        // What the response headers policy looks at, kept before the request moves on.
        let mut cors_request = http::HeaderMap::new();
        for name in ["origin", "access-control-request-method"] {
            if let Some(v) = parts.headers.get(name) {
                cors_request.insert(name, v.clone());
            }
        }
        // A custom error page is fetched with the viewer's Accept-Encoding, so it is
        // compressed (and cached) like any object for this viewer.
        let mut page_headers = http::HeaderMap::new();
        if let Some(v) = parts.headers.get(http::header::ACCEPT_ENCODING) {
            page_headers.insert(http::header::ACCEPT_ENCODING, v.clone());
        }
        let page_version = parts.version;

        // Refused by the viewer protocol policy (redirect-to-https, https-only): answered
        // before any function runs (docs/cloudfront/dev-loop.md, "Viewer protocol policy").
        let early = received.as_ref().ok().and_then(|()| {
            viewer_protocol::enforce(
                ctx.behavior.viewer_protocol_policy,
                listener,
                &parts,
                &ctx.request_id,
            )
        });
        let (mut response, x_cache) = if let Some((response, x_cache)) = early {
            (response, Cow::from(x_cache))
        } else {
            let outcome = match received {
                Ok(()) => match self.serve(&mut ctx, parts, body).await {
                    Ok(served) => Ok(self
                        .custom_error(&mut ctx, served, &page_headers, page_version)
                        .await),
                    // An origin that cannot be reached (502, 504) gets the custom error page
                    // too: the usual maintenance page (docs/cloudfront/cache-and-origin.md,
                    // "Custom error responses").
                    Err(
                        failure @ (EdgeFailure::OriginDns
                        | EdgeFailure::OriginUnreachable
                        | EdgeFailure::OriginTimeout),
                    ) => match self
                        .error_page(&mut ctx, failure.status(), &page_headers, page_version)
                        .await
                    {
                        Some(response) => Ok(Served {
                            response,
                            x_cache: ERROR.into(),
                            request: None,
                        }),
                        None => Err(failure),
                    },
                    Err(failure) => Err(failure),
                },
                Err(failure) => Err(failure),
            };
            match outcome {
                Ok(served) => self.viewer_response(&mut ctx, served).await,
                Err(failure) => (
                    failure_response(&failure, &ctx.request_id),
                    failure.x_cache().into(),
                ),
            }
        };
        self.finish(&mut response, &x_cache, &ctx);
        if let Some(policy) = &ctx.behavior.response_headers_policy {
            response_headers::apply(policy, &method, &cors_request, response.headers_mut());
            self.cdn_server_timing(policy, &mut response, &x_cache, &ctx);
        }
        ctx.log.emit(
            method.as_str(),
            &uri,
            response.status().as_u16(),
            &x_cache,
            &ctx.request_id,
        );
        if let Some(refresh) = ctx.refresh.take() {
            self.refresh_in_background(ctx.behavior_index, ctx.viewer_ip.clone(), refresh);
        }
        response
    }

    /// `stale-while-revalidate`: the stale copy went to the viewer; this fetches the object
    /// again (origin-request, the origin, origin-response, store) on its own task, with the
    /// stale copy's validators, so a 304 just refreshes it (docs/cloudfront/
    /// cache-and-origin.md, "TTLs").
    fn refresh_in_background(&self, index: usize, viewer_ip: String, refresh: Refresh) {
        let Some(me) = self.me.upgrade() else {
            return;
        };
        tokio::spawn(async move {
            let behavior = me.behaviors.at(index);
            let mut ctx = RequestCtx::new(viewer_ip, index, behavior, RequestLog::new());
            let outcome = me
                .cache_or_origin(
                    &mut ctx,
                    refresh.parts,
                    crate::body::empty(),
                    &refresh.origin_changes,
                    true,
                )
                .await;
            if let Err(failure) = outcome {
                tracing::debug!("stale-while-revalidate refresh failed: {failure:?}");
            }
        });
    }

    /// Viewer-request, cache and origin.
    async fn serve(
        &self,
        ctx: &mut RequestCtx<'_>,
        parts: http::request::Parts,
        body: Body,
    ) -> Result<Served, EdgeFailure> {
        viewer_rules::check_method(ctx.behavior.allowed_methods, &parts)?;
        let (parts, body, origin_changes) =
            match viewer_request::run(&self.settings, ctx, parts, body).await? {
                viewer_request::Outcome::Continue(parts, body, changes) => (parts, body, changes),
                viewer_request::Outcome::Respond(response, x_cache) => {
                    return Ok(Served {
                        response,
                        x_cache: x_cache.into(),
                        request: None,
                    })
                }
            };
        self.cache_or_origin(ctx, parts, body, &origin_changes, false)
            .await
    }

    /// The cache, and on a miss origin-request, the origin (with failover for an origin
    /// group) and origin-response.
    async fn cache_or_origin(
        &self,
        ctx: &mut RequestCtx<'_>,
        mut parts: http::request::Parts,
        body: Body,
        origin_changes: &[OriginChange],
        revalidate: bool,
    ) -> Result<Served, EdgeFailure> {
        let (origin, failover) = origin_request::select_origin(
            &self.origins,
            ctx.behavior.origin,
            ctx.behavior.failover.as_ref(),
            origin_changes,
        )?;
        // A WebSocket (or other) upgrade to an HTTP origin: relayed, never cached
        // (docs/cloudfront/dev-loop.md, "WebSocket").
        if upgrade::is_upgrade(&parts.headers) && matches!(origin.kind, OriginKind::Http(_)) {
            if let Some(viewer) = parts.extensions.remove::<hyper::upgrade::OnUpgrade>() {
                let handshake = upgrade::handshake_headers(&parts.headers);
                let request = origin_request::build(&self.settings, ctx, parts, body);
                let started = std::time::Instant::now();
                let relayed = upgrade::forward(&origin, viewer, request, handshake).await;
                ctx.log.add(Phase::Origin, started.elapsed());
                if let Some(relayed) = relayed {
                    let mut response = relayed?;
                    // A 101 keeps its Upgrade/Connection headers: they complete the handshake.
                    if response.status() != http::StatusCode::SWITCHING_PROTOCOLS {
                        origin_response::clean(response.headers_mut());
                    }
                    return Ok(Served {
                        response,
                        x_cache: cache_phase::MISS.into(),
                        request: None,
                    });
                }
                return Err(EdgeFailure::Internal);
            }
        }
        let for_viewer_response = ctx
            .behavior
            .hooks
            .viewer_response
            .is_some()
            .then(|| parts.clone());

        let pending =
            match cache_phase::lookup(&self.cache, &self.inflight, ctx, &mut parts, revalidate)
                .await
            {
                Lookup::Hit(response) => {
                    if let Some(refresh) = &mut ctx.refresh {
                        refresh.origin_changes = origin_changes.to_vec();
                    }
                    return Ok(Served {
                        response,
                        x_cache: HIT.into(),
                        request: for_viewer_response,
                    });
                }
                Lookup::Miss(pending) => pending,
            };
        let request = origin_request::build(&self.settings, ctx, parts, body);
        let response = match self.failover(ctx, request, origin, failover).await {
            Ok(response) => response,
            Err(failure) => {
                // An expired copy stands in for an origin that cannot be reached.
                let status = failure_response(&failure, &ctx.request_id)
                    .status()
                    .as_u16();
                let stale = pending.as_ref().and_then(|p| {
                    cache_phase::serve_stale(&self.cache, ctx, &self.custom_errors, p, status)
                });
                return match stale {
                    Some(response) => Ok(Served {
                        response,
                        x_cache: HIT.into(),
                        request: for_viewer_response,
                    }),
                    None => Err(failure),
                };
            }
        };
        let (response, x_cache) = cache_phase::store(
            &self.cache,
            self.settings.max_object_bytes,
            &self.custom_errors,
            ctx,
            pending,
            response,
        )
        .await;
        Ok(Served {
            response,
            x_cache: x_cache.into(),
            request: for_viewer_response,
        })
    }

    /// One origin, or an origin group: the primary first, then the secondary when the
    /// primary answers a failover status, refuses the connection or times out — for GET,
    /// HEAD and OPTIONS only. Origin hooks run once per origin tried.
    async fn failover(
        &self,
        ctx: &mut RequestCtx<'_>,
        request: Request<Body>,
        origin: Cow<'_, Origin>,
        failover: Option<Failover>,
    ) -> Result<Response<Body>, EdgeFailure> {
        let method = request.method().clone();
        let Some(failover) =
            failover.filter(|_| [Method::GET, Method::HEAD, Method::OPTIONS].contains(&method))
        else {
            return self.exchange(ctx, request, origin).await;
        };
        let (parts, body) = request.into_parts();
        let first = self
            .exchange(ctx, Request::from_parts(parts.clone(), body), origin)
            .await;
        let fail_over = match &first {
            Ok(response) => failover.statuses.contains(&response.status().as_u16()),
            Err(failure) => matches!(
                failure,
                EdgeFailure::OriginUnreachable | EdgeFailure::OriginTimeout
            ),
        };
        if !fail_over {
            return first;
        }
        tracing::debug!(secondary = %failover.secondary.id, "origin group: failing over");
        self.exchange(
            ctx,
            Request::from_parts(parts, crate::body::empty()),
            Cow::Owned(failover.secondary),
        )
        .await
    }

    /// A custom error response for an error the origin (or the cache) answered: the page is
    /// fetched through the behavior that matches its path, and sent with the configured
    /// status. Viewer-response does not run on it.
    async fn custom_error(
        &self,
        ctx: &mut RequestCtx<'_>,
        served: Served,
        headers: &http::HeaderMap,
        version: http::Version,
    ) -> Served {
        let status = served.response.status().as_u16();
        let generated = served.x_cache == X_CACHE_FUNCTION_GENERATED
            || served.x_cache == X_CACHE_LAMBDA_GENERATED;
        if generated {
            return served;
        }
        match self.error_page(ctx, status, headers, version).await {
            Some(response) => Served {
                response,
                x_cache: ERROR.into(),
                request: None,
            },
            None => served,
        }
    }

    /// The custom error page for `status`, or `None` when none is configured: fetched
    /// through the behavior that matches its path (without viewer-request), sent with the
    /// configured response code, or with the page fetch's own status when that failed.
    /// `headers` and `version`: what of the viewer's request the page fetch keeps.
    async fn error_page(
        &self,
        ctx: &mut RequestCtx<'_>,
        status: u16,
        headers: &http::HeaderMap,
        version: http::Version,
    ) -> Option<Response<Body>> {
        let custom = self.custom_errors.iter().find(|c| c.error_code == status)?;
        let page_path = custom.page_path.as_ref()?;
        let (index, behavior) = self.behaviors.select(page_path);
        let mut page_ctx =
            RequestCtx::new(ctx.viewer_ip.clone(), index, behavior, RequestLog::new());
        page_ctx.request_id = ctx.request_id.clone();
        let request = Request::get(page_path.as_str())
            .body(crate::body::empty())
            .ok()?;
        let (mut parts, body) = request.into_parts();
        parts.headers = headers.clone();
        parts.version = version;
        let page = self
            .cache_or_origin(&mut page_ctx, parts, body, &[], false)
            .await;
        let mut response = match page {
            Ok(page) => page.response,
            Err(failure) => failure_response(&failure, &ctx.request_id),
        };
        // The page's own failure is what the viewer sees; else the configured status.
        if response.status().is_success() {
            if let Some(code) = custom
                .response_code
                .and_then(|c| StatusCode::from_u16(c).ok())
            {
                *response.status_mut() = code;
            } else if let Ok(code) = StatusCode::from_u16(status) {
                *response.status_mut() = code;
            }
        }
        Some(response)
    }

    /// origin-request, the origin, origin-response: what CloudFront caches for a miss. A
    /// response generated by origin-request skips the origin and origin-response.
    async fn exchange(
        &self,
        ctx: &mut RequestCtx<'_>,
        request: Request<Body>,
        origin: Cow<'_, Origin>,
    ) -> Result<Response<Body>, EdgeFailure> {
        let (request, origin, object) =
            match origin_request::run(&self.settings, &self.origins, ctx, request, origin).await? {
                origin_request::Outcome::Forward {
                    request,
                    origin,
                    object,
                } => (request, origin, object),
                origin_request::Outcome::Respond(mut response) => {
                    origin_response::clean(response.headers_mut());
                    return Ok(response);
                }
            };
        // origin-response sees the request as sent to the origin, origin included.
        let (parts, body) = request.into_parts();
        let object = origin_response::event_request(ctx, &parts, &origin, object);
        let request = Request::from_parts(parts, body);
        let started = std::time::Instant::now();
        let fetched = origin.fetch(request).await;
        ctx.log.add(Phase::Origin, started.elapsed());
        let mut response = fetched?;
        origin_response::clean(response.headers_mut());
        origin_response::run(&self.settings, ctx, object, response).await
    }

    /// Runs viewer-response when CloudFront would, and picks the final X-Cache.
    async fn viewer_response(
        &self,
        ctx: &mut RequestCtx<'_>,
        served: Served,
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
        match viewer_response::run(&self.settings, ctx, &request, response).await {
            Ok(response) => (response, x_cache),
            Err(failure) => (
                failure_response(&failure, &ctx.request_id),
                failure.x_cache().into(),
            ),
        }
    }

    /// The headers every CloudFront response carries.
    fn finish(&self, response: &mut Response<Body>, x_cache: &str, ctx: &RequestCtx<'_>) {
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
        if let Ok(v) = HeaderValue::from_str(&ctx.request_id) {
            headers.insert("x-amz-cf-id", v);
        }
        if self.settings.server_timing {
            if let Some(v) = ctx.log.server_timing() {
                headers.insert("server-timing", v);
            }
        }
        response.extensions_mut().insert(ctx.log.report(x_cache));
    }

    /// CloudFront's `Server-Timing` header from a response headers policy.
    fn cdn_server_timing(
        &self,
        policy: &ResponseHeadersPolicy,
        response: &mut Response<Body>,
        x_cache: &str,
        ctx: &RequestCtx<'_>,
    ) {
        let Some(rate) = policy.server_timing else {
            return;
        };
        if !response_headers::sampled(rate, &ctx.request_id) {
            return;
        }
        let origin_ms = ctx.log.phase(Phase::Origin).map(|d| d.as_millis() as u64);
        let value = response_headers::server_timing(&response_headers::Timing {
            result: x_cache,
            pop: &self.settings.pop,
            request_id: &ctx.request_id,
            upstream_connect_ms: origin_ms.map(|_| 0),
            upstream_fbl_ms: origin_ms,
            downstream_fbl_ms: ctx.log.elapsed().as_millis() as u64,
        });
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append("server-timing", v);
        }
    }

    /// The listen address the config gives.
    pub fn listen(&self) -> &str {
        &self.listen
    }

    /// Mock origins that also listen on their own address (`mock = { listen = … }`).
    pub fn standalone_mocks(&self) -> impl Iterator<Item = (&Origin, &str)> {
        self.standalone_mocks
            .iter()
            .map(|(index, addr)| (self.origins.get(*index), addr.as_str()))
    }
}
