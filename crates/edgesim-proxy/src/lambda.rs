//! Lambda@Edge associations: starting the functions at config load, and running them on the
//! four events (lambda-edge.md §1, §8): viewer-request and viewer-response on every request,
//! origin-request and origin-response only when CloudFront goes to the origin.
//!
//! A failed invocation is CloudFront's 503 (`LambdaExecutionError`, `LambdaLimitExceeded`); a
//! result CloudFront refuses is its 502 (`LambdaValidationError`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use edgesim_lambda::{LambdaFunction, LambdaOptions};
use edgesim_model::cff_http::BodyChange;
use edgesim_model::lambda::event::request_object;
use edgesim_model::lambda::validate::FAILED_VALIDATION_PREFIX;
use edgesim_model::lambda::{
    apply_request, request_event, response_event, response_parts, validate_output, CustomOrigin,
    EventConfig, LambdaOutput, LambdaValidationOptions, Origin as EventOrigin, Trigger,
};
use edgesim_model::EdgeFailure;
use http::header::{CONTENT_LENGTH, HOST, SERVER};
use http::uri::Authority;
use http::{HeaderName, HeaderValue, Request, Response};
use http_body_util::BodyExt;
use serde_json::Value;

use crate::body::{empty, full, Body};
use crate::config::{BehaviorConfig, Config, FunctionConfig};
use crate::distribution::{Distribution, Settings};
use crate::error::ProxyError;
use crate::origin::{HttpTarget, Origin, OriginKind};

/// One Lambda@Edge association: the started function and its settings.
#[derive(Debug)]
pub struct LambdaHook {
    pub trigger: Trigger,
    pub function: LambdaFunction,
    /// IncludeBody: the request body is in the event (request triggers).
    pub include_body: bool,
}

/// The Lambda@Edge functions of one behavior, one per event type.
#[derive(Debug, Clone, Default)]
pub struct LambdaHooks {
    pub viewer_request: Option<Arc<LambdaHook>>,
    pub origin_request: Option<Arc<LambdaHook>>,
    pub origin_response: Option<Arc<LambdaHook>>,
    pub viewer_response: Option<Arc<LambdaHook>>,
}

/// Started functions by `<behavior field>.<event>` (e.g. `behaviors[0].origin_request`).
pub type Started = HashMap<String, Arc<LambdaHook>>;

/// Every behavior of the config with its field name (`default_behavior`, `behaviors[i]`).
fn behaviors(config: &Config) -> impl Iterator<Item = (String, &BehaviorConfig)> {
    std::iter::once(("default_behavior".to_owned(), &config.default_behavior)).chain(
        config
            .behaviors
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("behaviors[{i}]"), b)),
    )
}

/// The four event slots of a behavior config.
fn slots(b: &BehaviorConfig) -> [(Trigger, &'static str, Option<&FunctionConfig>); 4] {
    [
        (
            Trigger::ViewerRequest,
            "viewer_request",
            b.viewer_request.as_ref(),
        ),
        (
            Trigger::OriginRequest,
            "origin_request",
            b.origin_request.as_ref(),
        ),
        (
            Trigger::OriginResponse,
            "origin_response",
            b.origin_response.as_ref(),
        ),
        (
            Trigger::ViewerResponse,
            "viewer_response",
            b.viewer_response.as_ref(),
        ),
    ]
}

/// Whether any behavior has a Lambda@Edge association.
pub fn any_lambda(config: &Config) -> bool {
    behaviors(config).any(|(_, b)| {
        slots(b)
            .iter()
            .any(|(_, _, f)| f.is_some_and(|f| f.is_lambda()))
    })
}

/// The checks CloudFront makes at deploy time: CloudFront Functions only on viewer events,
/// never mixed with Lambda@Edge on the viewer events of one behavior (lambda-edge.md §9), and
/// each association's settings.
pub fn check_associations(config: &Config) -> Result<(), ProxyError> {
    for (field, b) in behaviors(config) {
        let mut viewer_cff = None;
        let mut viewer_lambda = None;
        for (trigger, event, f) in slots(b) {
            let Some(f) = f else { continue };
            let at = format!("{field}.{event}");
            if f.is_lambda() {
                check_lambda(config, f, trigger, &at)?;
                if trigger.is_viewer() {
                    viewer_lambda = Some((at, f));
                }
            } else {
                if !trigger.is_viewer() {
                    return Err(config.error_at(
                        Some(f.runtime.span()),
                        &at,
                        "CloudFront Functions run on viewer events only; use a Lambda@Edge function here (`runtime = \"nodejs20.x\"`, `handler = \"dir/index.handler\"`)",
                    ));
                }
                if f.code.is_none() {
                    return Err(config.error_at(
                        Some(f.runtime.span()),
                        &at,
                        "give `code = \"file.js\"` (CloudFront Function) or `handler = \"dir/file.export\"` with a Lambda runtime (Lambda@Edge)",
                    ));
                }
                if f.include_body || f.timeout_ms.is_some() {
                    return Err(config.error_at(
                        Some(f.runtime.span()),
                        &at,
                        "include_body and timeout_ms are Lambda@Edge settings; a CloudFront Function has neither",
                    ));
                }
                viewer_cff = Some(at);
            }
        }
        if let (Some(cff), Some((lambda, f))) = (viewer_cff, viewer_lambda) {
            let span = f.handler.as_ref().map(|h| h.span());
            return Err(config.error_at(
                span,
                &lambda,
                &format!(
                    "CloudFront does not allow a CloudFront Function ({cff}) and a Lambda@Edge function on the viewer events of the same cache behavior; move one of them, e.g. the Lambda@Edge function to origin_request / origin_response"
                ),
            ));
        }
    }
    Ok(())
}

fn check_lambda(
    config: &Config,
    f: &FunctionConfig,
    trigger: Trigger,
    at: &str,
) -> Result<(), ProxyError> {
    let span = f.handler.as_ref().map(|h| h.span());
    let err = |m: &str| Err(config.error_at(span.clone(), at, m));
    if f.handler.is_none() {
        return err("a Lambda@Edge function needs `handler = \"dir/file.export\"`");
    }
    let runtime = f.runtime.get_ref();
    if !(runtime.starts_with("nodejs") || runtime.starts_with("python")) {
        return err(&format!(
            "`{runtime}` is not a Lambda@Edge runtime; give `runtime = \"nodejs20.x\"` or `runtime = \"python3.12\"` with a handler"
        ));
    }
    if f.code.is_some() || f.kvs.is_some() || f.budget_ms.is_some() {
        return err("code, kvs and budget_ms are CloudFront Function settings; a Lambda@Edge function has a handler");
    }
    if f.include_body && !trigger.is_request() {
        return err("include_body is for viewer_request and origin_request only");
    }
    if let Some(ms) = f.timeout_ms {
        let max = trigger.max_timeout();
        if ms == 0 || Duration::from_millis(ms) > max {
            return err(&format!(
                "timeout_ms must be 1–{} on {trigger} (Lambda@Edge quota)",
                max.as_millis()
            ));
        }
    }
    Ok(())
}

/// Starts every Lambda@Edge function of the config (after [`check_associations`]). A handler
/// that does not load is a config error.
pub async fn start_all(config: &Config) -> Result<Started, ProxyError> {
    let mut started = Started::new();
    for (field, b) in behaviors(config) {
        for (trigger, event, f) in slots(b) {
            let Some(f) = f.filter(|f| f.is_lambda()) else {
                continue;
            };
            let at = format!("{field}.{event}");
            let handler = f.handler.as_ref().map(|h| h.get_ref().clone());
            let mut options =
                LambdaOptions::new(f.runtime.get_ref().clone(), handler.unwrap_or_default());
            options.base_dir = config.source.base_dir.clone();
            options.timeout = f
                .timeout_ms
                .map_or(trigger.max_timeout(), Duration::from_millis);
            let function = LambdaFunction::start(options).await.map_err(|e| {
                config.error_at(
                    f.handler.as_ref().map(|h| h.span()),
                    &at,
                    &format!("cannot start the Lambda@Edge function: {e}"),
                )
            })?;
            for warning in function.warnings() {
                tracing::warn!(target: "edgesim::lambda", function = function.function_name(), "{warning}");
            }
            started.insert(
                at,
                Arc::new(LambdaHook {
                    trigger,
                    function,
                    include_body: f.include_body,
                }),
            );
        }
    }
    Ok(started)
}

/// The hooks of one behavior, from the started functions.
pub fn hooks_for(started: &Started, field: &str) -> LambdaHooks {
    let get = |event: &str| started.get(&format!("{field}.{event}")).cloned();
    LambdaHooks {
        viewer_request: get("viewer_request"),
        origin_request: get("origin_request"),
        origin_response: get("origin_response"),
        viewer_response: get("viewer_response"),
    }
}

/// `cf.config` of the events of one request.
pub fn event_config(settings: &Settings, request_id: &str) -> EventConfig {
    EventConfig {
        distribution_domain_name: settings.domain_name.clone(),
        distribution_id: settings.distribution_id.clone(),
        request_id: request_id.to_owned(),
    }
}

impl LambdaHook {
    /// Invokes the function on `event` and checks its result: a failed invocation is a 503, a
    /// refused result a 502.
    pub async fn run(&self, event: &Value, request_id: &str) -> Result<LambdaOutput, EdgeFailure> {
        let name = self.function.function_name();
        let trigger = self.trigger.as_str();
        if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug!(target: "edgesim::lambda", function = name, request_id, trigger, "event in: {event}");
        }
        let invocation = self.function.invoke_ref(event).await;
        for line in &invocation.logs {
            tracing::info!(target: "edgesim::lambda", function = name, request_id, "{line}");
        }
        let payload = match invocation.outcome {
            Err(error) => {
                tracing::warn!(target: "edgesim::lambda", function = name, request_id, trigger, "{error}");
                return Err(error.edge_failure());
            }
            Ok(payload) => payload,
        };
        if tracing::enabled!(tracing::Level::DEBUG) {
            // JSON, as the function wrote it (`null` when it returned nothing).
            let returned = payload
                .as_ref()
                .map_or_else(|| "null".to_owned(), Value::to_string);
            tracing::debug!(target: "edgesim::lambda", function = name, request_id, "returned: {returned}");
        }
        match validate_output(
            self.trigger,
            event,
            payload.as_ref(),
            &LambdaValidationOptions::default(),
        ) {
            Ok(verdict) => {
                for warning in &verdict.warnings {
                    tracing::warn!(target: "edgesim::lambda", function = name, request_id, "{warning}");
                }
                Ok(verdict.output)
            }
            Err(error) => {
                tracing::warn!(target: "edgesim::lambda", function = name, request_id, trigger, rule = error.rule, "{error}");
                Err(EdgeFailure::from(error))
            }
        }
    }
}

/// A validated result that still cannot be turned into HTTP: the function's fault, a 502.
fn conversion_failure(error: impl std::fmt::Display) -> EdgeFailure {
    EdgeFailure::LambdaValidation(format!("{FAILED_VALIDATION_PREFIX}{error}"))
}

/// Reads a whole request body (for IncludeBody).
async fn read_body(body: Body) -> Result<Bytes, EdgeFailure> {
    body.collect().await.map(|c| c.to_bytes()).map_err(|e| {
        tracing::warn!("viewer request body failed: {e}");
        EdgeFailure::Internal
    })
}

/// The response a request trigger generated, or a response trigger returned, as HTTP. `body`
/// is what [`BodyChange::Keep`] keeps.
fn response_from(object: &Value, body: Body) -> Result<Response<Body>, EdgeFailure> {
    let parts = response_parts(object).map_err(conversion_failure)?;
    let mut headers = parts.headers;
    let body = match parts.body {
        BodyChange::Keep => body,
        BodyChange::Replace(bytes) => {
            headers.remove(CONTENT_LENGTH);
            full(bytes)
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = parts.status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// Where a request trigger leaves the request.
pub enum RequestOutcome {
    /// Go on with this request.
    Continue(http::request::Parts, Body),
    /// Answer with this response.
    Respond(Response<Body>),
}

/// viewer-request: every request, before the cache.
pub async fn viewer_request(
    dist: &Distribution,
    hook: &LambdaHook,
    mut parts: http::request::Parts,
    body: Body,
    viewer_ip: &str,
    request_id: &str,
) -> Result<RequestOutcome, EdgeFailure> {
    let (body_bytes, body) = if hook.include_body {
        let bytes = read_body(body).await?;
        (Some(bytes.clone()), full(bytes))
    } else {
        (None, body)
    };
    let event = request_event(
        Trigger::ViewerRequest,
        &event_config(&dist.settings, request_id),
        &parts,
        viewer_ip,
        body_bytes.as_deref(),
        None,
    );
    match hook.run(&event, request_id).await? {
        LambdaOutput::Request(object) => {
            let changes = apply_request(&mut parts, &object).map_err(conversion_failure)?;
            let body = match changes.body {
                BodyChange::Keep => body,
                BodyChange::Replace(bytes) => {
                    parts.headers.remove(CONTENT_LENGTH);
                    full(bytes)
                }
            };
            Ok(RequestOutcome::Continue(parts, body))
        }
        LambdaOutput::GeneratedResponse(object) | LambdaOutput::Response(object) => {
            let mut response = response_from(&object, empty())?;
            response
                .headers_mut()
                .insert(SERVER, HeaderValue::from_static("CloudFront"));
            Ok(RequestOutcome::Respond(response))
        }
    }
}

/// What origin-request produced.
// One value per request, moved once: boxing the large variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum OriginRequestOutcome<'a> {
    /// Send this request to this origin; `request` is the request object for origin-response.
    Forward {
        request: Request<Body>,
        origin: Cow<'a, Origin>,
        object: Value,
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

/// origin-request: on a miss, with the request as it would go to the origin (Via and
/// X-Forwarded-For added).
pub async fn origin_request<'a>(
    dist: &Distribution,
    hook: &LambdaHook,
    request: Request<Body>,
    origin: Cow<'a, Origin>,
    viewer_ip: &str,
    request_id: &str,
) -> Result<OriginRequestOutcome<'a>, EdgeFailure> {
    let (mut parts, body) = request.into_parts();
    // CloudFront sets Host to the origin's domain (lambda-edge.md §10): that is what the
    // function sees, and what it may change.
    if let OriginKind::Http(target) = &origin.kind {
        if let Ok(host) = HeaderValue::from_str(&target.host) {
            parts.headers.insert(HOST, host);
        }
    }
    let (body_bytes, body) = if hook.include_body {
        let bytes = read_body(body).await?;
        (Some(bytes.clone()), full(bytes))
    } else {
        (None, body)
    };
    let sent = event_origin(&origin);
    let event = request_event(
        Trigger::OriginRequest,
        &event_config(&dist.settings, request_id),
        &parts,
        viewer_ip,
        body_bytes.as_deref(),
        Some(&EventOrigin::Custom(sent.clone())),
    );
    let object = match hook.run(&event, request_id).await? {
        LambdaOutput::Request(object) => object,
        LambdaOutput::GeneratedResponse(object) | LambdaOutput::Response(object) => {
            let mut response = response_from(&object, empty())?;
            response
                .headers_mut()
                .insert(SERVER, HeaderValue::from_static("CloudFront"));
            return Ok(OriginRequestOutcome::Respond(response));
        }
    };
    let changes = apply_request(&mut parts, &object).map_err(conversion_failure)?;
    let body = match changes.body {
        BodyChange::Keep => body,
        BodyChange::Replace(bytes) => {
            parts.headers.remove(CONTENT_LENGTH);
            full(bytes)
        }
    };
    let origin = match changes.origin {
        None => origin,
        Some(returned) => changed_origin(dist, origin, &sent, &returned)?,
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
    Ok(OriginRequestOutcome::Forward {
        request: Request::from_parts(parts, body),
        origin,
        object,
    })
}

/// The origin after the function's `request.origin`: the configured one when domain, port and
/// path are unchanged (custom headers applied), else a new HTTP origin.
fn changed_origin<'a>(
    dist: &Distribution,
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
        let authority = Authority::try_from(format!("{domain}:{port}").as_str())
            .map_err(|_| conversion_failure("The origin is invalid: bad domainName or port."))?;
        let owned = origin.to_mut();
        owned.id = format!("{}(lambda)", owned.id);
        owned.kind = OriginKind::Http(HttpTarget {
            authority,
            host: domain.to_owned(),
            origin_path: path.to_owned(),
        });
        owned.client = dist.dynamic_client.clone();
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
                    _ => Err(conversion_failure(
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

/// The request object of an origin-response event when no origin-request function ran: the
/// request as sent to the origin, with the origin.
pub fn origin_request_object(
    parts: &http::request::Parts,
    viewer_ip: &str,
    origin: &Origin,
) -> Value {
    let mut object = request_object(parts, viewer_ip);
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

/// origin-response: the origin's answer (any status) before it is cached.
pub async fn origin_response(
    dist: &Distribution,
    hook: &LambdaHook,
    request_object: &Value,
    response: Response<Body>,
    request_id: &str,
) -> Result<Response<Body>, EdgeFailure> {
    let (head, body) = response.into_parts();
    let event = response_event(
        Trigger::OriginResponse,
        &event_config(&dist.settings, request_id),
        request_object,
        head.status,
        &head.headers,
    );
    match hook.run(&event, request_id).await? {
        LambdaOutput::Response(object)
        | LambdaOutput::GeneratedResponse(object)
        | LambdaOutput::Request(object) => response_from(&object, body),
    }
}

/// viewer-response: the response about to leave (status < 400).
pub async fn viewer_response(
    dist: &Distribution,
    hook: &LambdaHook,
    request: &http::request::Parts,
    response: Response<Body>,
    viewer_ip: &str,
    request_id: &str,
) -> Result<Response<Body>, EdgeFailure> {
    let (head, body) = response.into_parts();
    let event = response_event(
        Trigger::ViewerResponse,
        &event_config(&dist.settings, request_id),
        &request_object(request, viewer_ip),
        head.status,
        &head.headers,
    );
    match hook.run(&event, request_id).await? {
        LambdaOutput::Response(object)
        | LambdaOutput::GeneratedResponse(object)
        | LambdaOutput::Request(object) => response_from(&object, body),
    }
}
