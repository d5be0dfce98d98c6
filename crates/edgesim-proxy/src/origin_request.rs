//! The origin-request phase, on a cache miss: which origin the request goes to (the
//! behavior's, unless a CloudFront Function called `selectRequestOriginById` /
//! `updateRequestOrigin`), the headers CloudFront adds and removes on the way
//! (docs/cloudfront/pipeline.md, "On the wire"), then the behavior's origin-request
//! Lambda@Edge function, which may change the request and its origin or answer itself.

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use edgesim_functions::OriginChange;
use edgesim_model::cff_http::BodyChange;
use edgesim_model::lambda::{
    self as lambda_event, CustomOrigin, LambdaOutput, Origin as EventOrigin, Trigger,
};
use edgesim_model::EdgeFailure;
use http::header::{CONTENT_LENGTH, HOST, SERVER, VIA};
use http::uri::Authority;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response};
use serde_json::Value;

use crate::body::{empty, full, Body};
use crate::context::RequestCtx;
use crate::forwarding::remove_connection_headers;
use crate::hook::{self, lambda_conversion_failure, LambdaHook};
use crate::observe::Phase;
use crate::origin::{Failover, ForwardHost, HttpClient, HttpTarget, Origin, OriginKind, Origins};
use crate::settings::Settings;
use crate::trigger::conversion_failure;

/// Request headers CloudFront never forwards: hop-by-hop ones and the listed always-removed.
const REMOVED: [&str; 13] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "expect",
    "x-forwarded-proto",
    "x-http-method-override",
    "x-real-ip",
];

/// The origin for this request after the functions' origin changes, applied in call order,
/// with the origin group's failover when there is one: the behavior's group, or one made by
/// `createRequestOriginGroup`. `selectRequestOriginById` leaves the group; with
/// `updateRequestOrigin` only the primary changes (docs/cloudfront/cache-and-origin.md,
/// "Origins chosen by functions").
pub fn select_origin<'a>(
    origins: &'a Origins,
    behavior_origin: usize,
    behavior_failover: Option<&Failover>,
    changes: &[OriginChange],
) -> Result<(Cow<'a, Origin>, Option<Failover>), EdgeFailure> {
    let mut origin = Cow::Borrowed(origins.get(behavior_origin));
    let mut failover = behavior_failover.cloned();
    for change in changes {
        if matches!(change, OriginChange::SelectRequestOriginById { .. }) {
            failover = None;
        }
        origin = match change {
            OriginChange::SelectRequestOriginById {
                origin_id,
                overrides,
            } => {
                let found = origins.by_id(origin_id).ok_or_else(|| {
                    conversion_failure(format!(
                        "selectRequestOriginById: no origin with id {origin_id:?}."
                    ))
                })?;
                let mut selected = Cow::Borrowed(found);
                if let Some(host) = overrides
                    .as_ref()
                    .and_then(|o| o.get("hostHeader"))
                    .and_then(Value::as_str)
                {
                    if let OriginKind::Http(target) = &mut selected.to_mut().kind {
                        target.host = host.to_owned();
                    }
                }
                selected
            }
            OriginChange::UpdateRequestOrigin(params) => {
                Cow::Owned(update_origin(&origins.dynamic_client, &origin, params)?)
            }
            OriginChange::CreateRequestOriginGroup(params) => {
                let (primary, group) = origin_group(origins, params)?;
                failover = Some(group);
                Cow::Borrowed(primary)
            }
        };
    }
    Ok((origin, failover))
}

/// `createRequestOriginGroup({ originIds, failoverCriteria: { statusCodes } })`.
fn origin_group<'a>(
    origins: &'a Origins,
    params: &Value,
) -> Result<(&'a Origin, Failover), EdgeFailure> {
    let ids: Vec<&str> = params
        .get("originIds")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(|f| {
                    f.as_str()
                        .or_else(|| f.get("originId").and_then(Value::as_str))
                })
                .collect()
        })
        .unwrap_or_default();
    let [primary, secondary] = ids.as_slice() else {
        return Err(conversion_failure(
            "createRequestOriginGroup: originIds must name two origins.",
        ));
    };
    let find = |id: &str| {
        origins.by_id(id).ok_or_else(|| {
            conversion_failure(format!(
                "createRequestOriginGroup: no origin with id {id:?}."
            ))
        })
    };
    let statuses = params
        .pointer("/failoverCriteria/statusCodes")
        .and_then(Value::as_array)
        .map(|codes| {
            codes
                .iter()
                .filter_map(|c| c.as_u64().and_then(|c| u16::try_from(c).ok()))
                .collect()
        })
        .unwrap_or_default();
    Ok((
        find(primary)?,
        Failover {
            secondary: find(secondary)?.clone(),
            statuses,
        },
    ))
}

/// `updateRequestOrigin(params)`: properties left out are inherited (docs/cloudfront/
/// cache-and-origin.md, "Origins chosen by functions"). Locally every origin is plain HTTP;
/// `protocol: "https"` is sent over http.
fn update_origin(
    dynamic_client: &HttpClient,
    base: &Origin,
    params: &Value,
) -> Result<Origin, EdgeFailure> {
    let mut origin = base.clone();
    let str_param = |name: &str| params.get(name).and_then(Value::as_str);
    if let Some(domain) = str_param("domainName") {
        if domain.contains(':') || domain.parse::<IpAddr>().is_ok() || domain.len() > 253 {
            return Err(conversion_failure(
                "updateRequestOrigin: domainName must be a host name (no port, not an IP address).",
            ));
        }
        let port = params
            .pointer("/customOriginConfig/port")
            .and_then(Value::as_u64)
            .or(match &base.kind {
                OriginKind::Http(t) => t.authority.port_u16().map(u64::from),
                OriginKind::Mock(_) => None,
            })
            .unwrap_or(80);
        let authority = Authority::try_from(format!("{domain}:{port}").as_str())
            .map_err(|_| conversion_failure("updateRequestOrigin: invalid domainName or port."))?;
        let origin_path = match &base.kind {
            OriginKind::Http(t) => t.origin_path.clone(),
            OriginKind::Mock(_) => String::new(),
        };
        origin.kind = OriginKind::Http(HttpTarget {
            host: domain.to_owned(),
            authority,
            origin_path,
            tls: false,
        });
        origin.id = format!("{}(updated)", base.id);
        origin.client = dynamic_client.clone();
    }
    if let OriginKind::Http(target) = &mut origin.kind {
        if let Some(path) = str_param("originPath") {
            if !path.starts_with('/') || path.ends_with('/') {
                return Err(conversion_failure(
                    "updateRequestOrigin: originPath must start with '/' and not end with '/'.",
                ));
            }
            target.origin_path = path.to_owned();
        }
        if let Some(host) = str_param("hostHeader") {
            target.host = host.to_owned();
        }
    }
    if let Some(headers) = params.get("customHeaders").and_then(Value::as_object) {
        // `{}` clears the configured custom headers.
        origin.custom_headers = headers
            .iter()
            .map(|(name, value)| {
                let name = HeaderName::from_bytes(name.as_bytes());
                let value = HeaderValue::from_str(value.as_str().unwrap_or_default());
                match (name, value) {
                    (Ok(n), Ok(v)) => Ok((n, v)),
                    _ => Err(conversion_failure(
                        "updateRequestOrigin: invalid customHeaders.",
                    )),
                }
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(secs) = params
        .pointer("/timeouts/readTimeout")
        .and_then(Value::as_f64)
    {
        if let Ok(timeout) = Duration::try_from_secs_f64(secs) {
            origin.read_timeout = timeout;
        }
    }
    Ok(origin)
}

/// What origin-request produced.
// One value per request, moved once: boxing the large variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Outcome<'a> {
    /// Send this request to this origin; `object` is the request object the function
    /// returned, for origin-response (`None` when no function ran).
    Forward {
        request: Request<Body>,
        origin: Cow<'a, Origin>,
        object: Option<Value>,
    },
    /// A generated response: cached like an origin response; origin-response does not run.
    Respond(Response<Body>),
}

/// The port an HTTP origin is reached on.
fn port_of(target: &HttpTarget) -> u16 {
    target.authority.port_u16().unwrap_or(80)
}

/// `request.origin` as the function sees it. Locally every origin is plain HTTP; an origin
/// configured by IP address is shown as `localhost` (CloudFront origins are DNS names), and a
/// mock origin as `<id>.mock.edgesim.internal`.
pub fn event_origin(origin: &Origin) -> CustomOrigin {
    let mut custom = match &origin.kind {
        OriginKind::Http(target) => {
            let host = target.authority.host();
            let domain = if host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
                "localhost".to_owned()
            } else {
                host.to_owned()
            };
            let mut c = CustomOrigin::new(domain);
            c.port = port_of(target);
            c.path = target.origin_path.clone();
            c
        }
        OriginKind::Mock(_) => {
            let id: String = origin
                .id
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let mut c =
                CustomOrigin::new(format!("{}.mock.edgesim.internal", id.trim_matches('-')));
            c.port = 80;
            c
        }
    };
    custom.protocol = "http".to_owned();
    custom.read_timeout = origin.read_timeout.as_secs().clamp(4, 60);
    custom.custom_headers = origin
        .custom_headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    custom
}

/// Runs the behavior's origin-request function, if any, on the request as it would go to the
/// origin (built by [`build`]: Via and X-Forwarded-For added).
pub async fn run<'a>(
    settings: &Settings,
    origins: &Origins,
    ctx: &mut RequestCtx<'_>,
    request: Request<Body>,
    origin: Cow<'a, Origin>,
) -> Result<Outcome<'a>, EdgeFailure> {
    let behavior = ctx.behavior;
    let Some(hook) = &behavior.hooks.origin_request else {
        return Ok(Outcome::Forward {
            request,
            origin,
            object: None,
        });
    };
    let started = Instant::now();
    let outcome = run_lambda(settings, origins, ctx, hook, request, origin).await;
    ctx.log.add(Phase::OriginRequest, started.elapsed());
    outcome
}

async fn run_lambda<'a>(
    settings: &Settings,
    origins: &Origins,
    ctx: &RequestCtx<'_>,
    hook: &LambdaHook,
    request: Request<Body>,
    origin: Cow<'a, Origin>,
) -> Result<Outcome<'a>, EdgeFailure> {
    let (mut parts, body) = request.into_parts();
    // CloudFront sets Host to the origin's domain (docs/cloudfront/pipeline.md, "On the
    // wire"): that is what the function sees, and what it may change.
    if let OriginKind::Http(target) = &origin.kind {
        if let Ok(host) = HeaderValue::from_str(&target.host) {
            parts.headers.insert(HOST, host);
        }
    }
    let (body_bytes, body) = if hook.include_body {
        let (bytes, body) = hook::read_body(Trigger::OriginRequest, body).await?;
        (Some(bytes), body)
    } else {
        (None, body)
    };
    let sent = event_origin(&origin);
    let event = lambda_event::request_event(
        Trigger::OriginRequest,
        &hook::event_config(settings, &ctx.request_id),
        &parts,
        &ctx.viewer_ip,
        body_bytes.as_deref(),
        Some(&EventOrigin::Custom(sent.clone())),
    );
    let object = match hook.run(&event, &ctx.request_id).await? {
        LambdaOutput::Request(object) => object,
        LambdaOutput::GeneratedResponse(object) | LambdaOutput::Response(object) => {
            let mut response = hook::response_from(&object, empty())?;
            response
                .headers_mut()
                .insert(SERVER, HeaderValue::from_static("CloudFront"));
            return Ok(Outcome::Respond(response));
        }
    };
    let changes =
        lambda_event::apply_request(&mut parts, &object).map_err(lambda_conversion_failure)?;
    let body = match changes.body {
        BodyChange::Keep => body,
        BodyChange::Replace(bytes) => {
            parts.headers.remove(CONTENT_LENGTH);
            full(bytes)
        }
    };
    let origin = match changes.origin {
        None => origin,
        Some(returned) => changed_origin(&origins.dynamic_client, origin, &sent, &returned)?,
    };
    // The Host header the function left is the one the origin gets.
    let mut origin = origin;
    if let (Some(host), OriginKind::Http(target)) = (
        parts.headers.get(HOST).and_then(|h| h.to_str().ok()),
        &origin.kind,
    ) {
        if host != target.host {
            let host = host.to_owned();
            if let OriginKind::Http(target) = &mut origin.to_mut().kind {
                target.host = host;
            }
        }
    }
    Ok(Outcome::Forward {
        request: Request::from_parts(parts, body),
        origin,
        object: Some(object),
    })
}

/// The origin after the function's `request.origin`: the configured one when domain, port and
/// path are unchanged (custom headers applied), else a new HTTP origin.
fn changed_origin<'a>(
    dynamic_client: &HttpClient,
    origin: Cow<'a, Origin>,
    sent: &CustomOrigin,
    returned: &EventOrigin,
) -> Result<Cow<'a, Origin>, EdgeFailure> {
    let (domain, port, path, headers, read_timeout) = match returned {
        EventOrigin::Custom(c) => (
            c.domain_name.as_str(),
            c.port,
            c.path.as_str(),
            &c.custom_headers,
            c.read_timeout,
        ),
        // Locally an S3 origin is just an HTTP server on port 80.
        EventOrigin::S3(s) => (
            s.domain_name.as_str(),
            80,
            s.path.as_str(),
            &s.custom_headers,
            sent.read_timeout,
        ),
    };
    let mut origin = origin;
    if domain != sent.domain_name || port != sent.port || path != sent.path {
        let authority = Authority::try_from(format!("{domain}:{port}").as_str()).map_err(|_| {
            lambda_conversion_failure("The origin is invalid: bad domainName or port.")
        })?;
        let owned = origin.to_mut();
        owned.id = format!("{}(lambda)", owned.id);
        owned.kind = OriginKind::Http(HttpTarget {
            authority,
            host: domain.to_owned(),
            origin_path: path.to_owned(),
            tls: false,
        });
        owned.client = dynamic_client.clone();
    }
    if *headers != sent.custom_headers {
        origin.to_mut().custom_headers = headers
            .iter()
            .map(|(n, v)| {
                match (
                    HeaderName::from_bytes(n.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    (Ok(n), Ok(v)) => Ok((n, v)),
                    _ => Err(lambda_conversion_failure(
                        "The origin is invalid: bad customHeaders.",
                    )),
                }
            })
            .collect::<Result<_, _>>()?;
    }
    if read_timeout != sent.read_timeout {
        origin.to_mut().read_timeout = Duration::from_secs(read_timeout);
    }
    Ok(origin)
}

/// The request CloudFront sends to the origin, built from the viewer's (post-function) head.
pub fn build(
    settings: &Settings,
    ctx: &RequestCtx<'_>,
    mut parts: http::request::Parts,
    body: Body,
) -> Request<Body> {
    let (viewer_ip, request_id) = (ctx.viewer_ip.as_str(), ctx.request_id.as_str());
    // Hop-by-hop headers named in Connection go first, then the always-removed ones.
    remove_connection_headers(&mut parts.headers);
    strip(&mut parts.headers);
    // Only what the cache key and the origin request policy name reaches the origin.
    let forwarding = ctx.behavior.forwarding();
    let http10 = parts.version == http::Version::HTTP_10;
    forwarding.origin_headers(&parts.method, &mut parts.headers, http10);
    let query = forwarding.origin_query(parts.uri.query());
    let path_and_query = match &query {
        Some(q) => format!("{}?{q}", parts.uri.path()),
        None => parts.uri.path().to_owned(),
    };
    if let Ok(uri) = http::Uri::builder().path_and_query(path_and_query).build() {
        parts.uri = uri;
    }
    if forwarding.forwards_host() {
        parts.extensions.insert(ForwardHost);
    }
    // X-Forwarded-For: the viewer's address appended to any incoming value.
    let xff = match parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
    {
        Some(existing) => format!("{existing}, {viewer_ip}"),
        None => viewer_ip.to_owned(),
    };
    if let Ok(v) = HeaderValue::from_str(&xff) {
        parts.headers.insert("x-forwarded-for", v);
    }
    // The hop names the protocol CloudFront received from the viewer (RFC 9110 §7.6.3):
    // `2.0` for HTTP/2 viewers (as in AWS's sample events), `1.1` for HTTP/1.x ones
    // (docs/cloudfront/cache-and-origin.md, "What reaches the origin").
    let received = if parts.version == http::Version::HTTP_2 {
        "2.0"
    } else {
        "1.1"
    };
    let hop = format!("{received} {} (CloudFront)", settings.via_host);
    let via = match parts.headers.get(VIA).and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing}, {hop}"),
        None => hop,
    };
    if let Ok(v) = HeaderValue::from_str(&via) {
        parts.headers.insert(VIA, v);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        parts.headers.insert("x-amz-cf-id", v);
    }
    Request::from_parts(parts, body)
}

fn strip(headers: &mut HeaderMap) {
    for name in REMOVED {
        headers.remove(name);
    }
    let edge: Vec<HeaderName> = headers
        .keys()
        .filter(|n| n.as_str().starts_with("x-edge-") || n.as_str().starts_with("x-amz-cf-"))
        .cloned()
        .collect();
    for name in edge {
        headers.remove(name);
    }
}
