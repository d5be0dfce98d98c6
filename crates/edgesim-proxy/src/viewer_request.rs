//! The viewer-request phase: the headers CloudFront derives from the viewer (geo, device), then
//! the behavior's viewer-request function (a CloudFront Function or Lambda@Edge), which either
//! hands back the request to continue with or a response that goes straight to the viewer,
//! never cached.
//!
//! Testing geo/device logic locally: a request may carry `x-edgesim-viewer-<name>: <value>`
//! to set `cloudfront-viewer-<name>` (e.g. `x-edgesim-viewer-country: DE`), plus the special
//! `x-edgesim-viewer-ip` (the viewer address functions see) and `x-edgesim-viewer-device`
//! (`desktop`, `mobile`, `tablet`, `smarttv`). All `x-edgesim-*` headers are removed before
//! any function or origin sees the request.

use std::time::Instant;

use edgesim_functions::{CloudFrontFunction, InvokeInput, OriginChange};
use edgesim_model::cff_http::{
    apply_request, apply_response, request_event, BodyChange, EventContext,
};
use edgesim_model::failure::{X_CACHE_FUNCTION_GENERATED, X_CACHE_LAMBDA_GENERATED};
use edgesim_model::lambda::{self as lambda_event, LambdaOutput, Trigger};
use edgesim_model::{EdgeFailure, EventType, Normalized};
use http::header::{CONTENT_LENGTH, SERVER};
use http::request::Parts;
use http::{HeaderName, HeaderValue, Response};
use serde_json::{json, Value};

use crate::body::{empty, full, Body};
use crate::context::RequestCtx;
use crate::hook::{self, Hook, LambdaHook};
use crate::observe::Phase;
use crate::settings::Settings;
use crate::trigger::{self, conversion_failure};
use crate::viewer_rules;

const OVERRIDE_PREFIX: &str = "x-edgesim-";
const DEVICES: [(&str, &str); 4] = [
    ("desktop", "cloudfront-is-desktop-viewer"),
    ("mobile", "cloudfront-is-mobile-viewer"),
    ("tablet", "cloudfront-is-tablet-viewer"),
    ("smarttv", "cloudfront-is-smarttv-viewer"),
];

/// Sets the viewer headers CloudFront adds (replacing any the viewer sent itself) and removes
/// `x-edgesim-*` overrides after applying them. Returns the viewer's IP address.
pub fn prepare(parts: &mut Parts, settings: &Settings, peer_ip: String) -> String {
    let mut ip = peer_ip;
    let mut device = settings.viewer_device.clone();
    let mut overrides: Vec<(HeaderName, HeaderValue)> = Vec::new();
    let names: Vec<HeaderName> = parts.headers.keys().cloned().collect();
    for name in names {
        let text = name.as_str();
        let spoofed = text.starts_with("cloudfront-viewer-")
            || (text.starts_with("cloudfront-is-") && text.ends_with("-viewer"));
        if spoofed {
            parts.headers.remove(&name);
            continue;
        }
        let Some(field) = text.strip_prefix(OVERRIDE_PREFIX) else {
            continue;
        };
        if let Some(value) = parts.headers.remove(&name) {
            match field.strip_prefix("viewer-") {
                Some("ip") => ip = value.to_str().unwrap_or_default().to_owned(),
                Some("device") => device = value.to_str().unwrap_or_default().to_ascii_lowercase(),
                Some(rest) => {
                    if let Ok(header) =
                        HeaderName::from_bytes(format!("cloudfront-viewer-{rest}").as_bytes())
                    {
                        overrides.push((header, value));
                    }
                }
                None => {}
            }
        }
    }
    if let Ok(country) = HeaderValue::from_str(&settings.viewer_country) {
        parts.headers.insert("cloudfront-viewer-country", country);
    }
    for (name, value) in &settings.viewer_headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    for (name, header) in DEVICES {
        let value = if name == device { "true" } else { "false" };
        parts
            .headers
            .insert(header, HeaderValue::from_static(value));
    }
    for (name, value) in overrides {
        parts.headers.insert(name, value);
    }
    ip
}

/// Where viewer-request leaves the request.
pub enum Outcome {
    /// Go on to the cache and origin with this request, after the origin changes a CloudFront
    /// Function asked for (`selectRequestOriginById` and the like).
    Continue(Parts, Body, Vec<OriginChange>),
    /// Answer the viewer with this response; the `X-Cache` says who generated it.
    Respond(Response<Body>, &'static str),
}

/// Runs the behavior's viewer-request function, if any.
pub async fn run(
    settings: &Settings,
    ctx: &mut RequestCtx<'_>,
    parts: Parts,
    body: Body,
) -> Result<Outcome, EdgeFailure> {
    let behavior = ctx.behavior;
    let Some(hook) = &behavior.hooks.viewer_request else {
        return Ok(Outcome::Continue(parts, body, Vec::new()));
    };
    let started = Instant::now();
    let outcome = match hook {
        Hook::Function(function) => {
            let (outcome, utilization) = run_function(settings, ctx, function, parts, body).await;
            ctx.log
                .function("viewer-request", function.name(), utilization);
            outcome.and_then(|o| within_limits(o, conversion_failure))
        }
        Hook::Lambda(lambda) => run_lambda(settings, ctx, lambda, parts, body)
            .await
            .and_then(|o| within_limits(o, hook::lambda_conversion_failure)),
    };
    ctx.log.add(Phase::ViewerRequest, started.elapsed());
    outcome
}

/// The headers the function left, on the request or the response it generated, within
/// CloudFront's limit; over it, the function's validation error (502).
fn within_limits(
    outcome: Outcome,
    refuse: fn(String) -> EdgeFailure,
) -> Result<Outcome, EdgeFailure> {
    let headers = match &outcome {
        Outcome::Continue(parts, _, _) => &parts.headers,
        Outcome::Respond(response, _) => response.headers(),
    };
    viewer_rules::check_function_headers(headers).map_err(refuse)?;
    Ok(outcome)
}

/// The event context shared by both viewer events of one request.
pub fn event_context(settings: &Settings, request_id: &str) -> EventContext {
    EventContext {
        distribution_domain_name: Some(settings.domain_name.clone()),
        endpoint: None,
        distribution_id: Some(settings.distribution_id.clone()),
        request_id: Some(request_id.to_owned()),
    }
}

/// A CloudFront Function. Returns the outcome and the function's ComputeUtilization.
async fn run_function(
    settings: &Settings,
    ctx: &RequestCtx<'_>,
    function: &CloudFrontFunction,
    parts: Parts,
    body: Body,
) -> (Result<Outcome, EdgeFailure>, u8) {
    let event = std::sync::Arc::new(request_event(
        &parts,
        &ctx.viewer_ip,
        &event_context(settings, &ctx.request_id),
    ));
    let input = InvokeInput {
        raw_query: parts.uri.query().map(str::to_owned),
        now: None,
        edge_location: Some(edge_location(settings)),
    };
    let run = trigger::run(
        function,
        EventType::ViewerRequest,
        &event,
        input,
        &ctx.request_id,
        &settings.validation,
    )
    .await;
    let outcome = run.output.and_then(|output| match output {
        Normalized::Request(map) => {
            let mut rebuilt = apply_request(&Value::Object(map), event.get("request"))
                .map_err(conversion_failure)?;
            rebuilt.version = parts.version;
            rebuilt.extensions = parts.extensions;
            Ok(Outcome::Continue(rebuilt, body, run.origin_changes))
        }
        Normalized::Response(map) => {
            let generated =
                apply_response(&Value::Object(map), None).map_err(conversion_failure)?;
            let body = match generated.body {
                BodyChange::Replace(bytes) if !bytes.is_empty() => full(bytes),
                _ => empty(),
            };
            let mut response = Response::new(body);
            *response.status_mut() = generated.status;
            *response.headers_mut() = generated.headers;
            response
                .headers_mut()
                .insert(SERVER, HeaderValue::from_static("CloudFront"));
            Ok(Outcome::Respond(response, X_CACHE_FUNCTION_GENERATED))
        }
    });
    (outcome, run.compute_utilization)
}

/// A Lambda@Edge function: the body is in the event with IncludeBody.
async fn run_lambda(
    settings: &Settings,
    ctx: &RequestCtx<'_>,
    hook: &LambdaHook,
    mut parts: Parts,
    body: Body,
) -> Result<Outcome, EdgeFailure> {
    let (body_bytes, body) = if hook.include_body {
        let (bytes, body) = hook::read_body(Trigger::ViewerRequest, body).await?;
        (Some(bytes), body)
    } else {
        (None, body)
    };
    let event = lambda_event::request_event(
        Trigger::ViewerRequest,
        &hook::event_config(settings, &ctx.request_id),
        &parts,
        &ctx.viewer_ip,
        body_bytes.as_deref(),
        None,
    );
    match hook.run(&event, &ctx.request_id).await? {
        LambdaOutput::Request(object) => {
            let changes = lambda_event::apply_request(&mut parts, &object)
                .map_err(hook::lambda_conversion_failure)?;
            let body = match changes.body {
                BodyChange::Keep => body,
                BodyChange::Replace(bytes) => {
                    parts.headers.remove(CONTENT_LENGTH);
                    full(bytes)
                }
            };
            Ok(Outcome::Continue(parts, body, Vec::new()))
        }
        LambdaOutput::GeneratedResponse(object) | LambdaOutput::Response(object) => {
            let mut response = hook::response_from(&object, empty())?;
            response
                .headers_mut()
                .insert(SERVER, HeaderValue::from_static("CloudFront"));
            Ok(Outcome::Respond(response, X_CACHE_LAMBDA_GENERATED))
        }
    }
}

/// `cf.edgeLocation`: the POP's airport code from `X-Amz-Cf-Pop` (`LHR50-C1` → `LHR`).
fn edge_location(settings: &Settings) -> Value {
    let name: String = settings
        .pop
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    json!({ "name": name, "serverIp": "127.0.0.1", "region": "us-east-1" })
}
