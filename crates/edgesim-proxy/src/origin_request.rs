//! The origin-request phase: which origin the request goes to (the behavior's, unless a
//! function called `selectRequestOriginById` / `updateRequestOrigin`), and the headers
//! CloudFront adds and removes on the way (lambda-edge.md §10).

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::Duration;

use edgesim_functions::OriginChange;
use edgesim_model::EdgeFailure;
use http::header::{ACCEPT_ENCODING, VIA};
use http::uri::Authority;
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use serde_json::Value;

use crate::body::Body;
use crate::distribution::Distribution;
use crate::origin::{HttpTarget, Origin, OriginKind};
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

/// The origin for this request after the functions' origin changes, applied in call order.
pub fn select_origin<'a>(
    dist: &'a Distribution,
    behavior_origin: usize,
    changes: &[OriginChange],
) -> Result<Cow<'a, Origin>, EdgeFailure> {
    let mut origin = Cow::Borrowed(&dist.origins[behavior_origin]);
    for change in changes {
        origin = match change {
            OriginChange::SelectRequestOriginById {
                origin_id,
                overrides,
            } => {
                let index = dist.origin_index(origin_id).ok_or_else(|| {
                    conversion_failure(format!(
                        "selectRequestOriginById: no origin with id {origin_id:?}."
                    ))
                })?;
                let mut selected = Cow::Borrowed(&dist.origins[index]);
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
                Cow::Owned(update_origin(dist, &origin, params)?)
            }
            OriginChange::CreateRequestOriginGroup(params) => {
                // Failover is not simulated: the group's primary origin serves.
                let first = params.get("originIds").and_then(|ids| ids.get(0));
                let id = first
                    .and_then(|f| {
                        f.as_str()
                            .or_else(|| f.get("originId").and_then(Value::as_str))
                    })
                    .ok_or_else(|| {
                        conversion_failure(
                            "createRequestOriginGroup: originIds must name two origins.",
                        )
                    })?;
                let index = dist.origin_index(id).ok_or_else(|| {
                    conversion_failure(format!(
                        "createRequestOriginGroup: no origin with id {id:?}."
                    ))
                })?;
                Cow::Borrowed(&dist.origins[index])
            }
        };
    }
    Ok(origin)
}

/// `updateRequestOrigin(params)`: properties left out are inherited (cloudfront-functions.md
/// §8.2). Locally every origin is plain HTTP; `protocol: "https"` is sent over http.
fn update_origin(
    dist: &Distribution,
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
        });
        origin.id = format!("{}(updated)", base.id);
        origin.client = dist.dynamic_client.clone();
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

/// The request CloudFront sends to the origin, built from the viewer's (post-function) head.
pub fn build(
    mut parts: http::request::Parts,
    body: Body,
    viewer_ip: &str,
    request_id: &str,
    via_host: &str,
) -> Request<Body> {
    strip(&mut parts.headers);
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
    let hop = format!("2.0 {via_host} (CloudFront)");
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
    normalize_accept_encoding(&mut parts.headers);
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

/// CloudFront normalises `Accept-Encoding` to the encodings it can cache separately.
fn normalize_accept_encoding(headers: &mut HeaderMap) {
    let Some(value) = headers.get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return;
    };
    let has = |coding: &str| {
        value.split(',').any(|c| {
            c.split(';')
                .next()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(coding))
        })
    };
    let normalized = match (has("br"), has("gzip")) {
        (true, true) => "br,gzip",
        (false, true) => "gzip",
        (true, false) => "br",
        (false, false) => return,
    };
    headers.insert(ACCEPT_ENCODING, HeaderValue::from_static(normalized));
}
