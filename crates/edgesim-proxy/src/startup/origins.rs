//! `[[origins]]` into [`Origin`]s: a mock origin with its routes and files, or an HTTP origin.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::uri::Authority;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};

use crate::config::{Config, OriginConfig};
use crate::error::ProxyError;
use crate::mock_origin::{MockOrigin, MockRoute};
use crate::origin::Failover;
use crate::origin::{
    default_tls, http_client, http_client_trusting, HttpClient, HttpTarget, Origin, OriginKind,
};
use crate::path_pattern::PathPattern;
use crate::tls::OriginTrust;

/// A timeout no longer than CloudFront allows (`max` seconds). Below CloudFront's 1 s minimum
/// is accepted: fractions of a second keep local tests fast (docs/cloudfront/cache-and-origin.md,
/// "Origin groups").
fn timeout(config: &Config, field: &str, value: f64, max: f64) -> Result<Duration, ProxyError> {
    if value > max {
        return Err(config.error_at(
            None,
            field,
            &format!("CloudFront allows at most {max} seconds, got {value}"),
        ));
    }
    seconds(config, field, value)
}

pub(crate) fn seconds(config: &Config, field: &str, value: f64) -> Result<Duration, ProxyError> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| config.error_at(None, field, "must be a positive number of seconds"))
}

pub(crate) fn build_origin(config: &Config, o: &OriginConfig) -> Result<Origin, ProxyError> {
    let id = o.id.get_ref();
    let field = |name: &str| format!("origins[{id}].{name}");
    let kind = match (&o.mock, &o.url) {
        (Some(mock), None) => {
            let routes = o
                .routes
                .iter()
                .map(|r| {
                    let pattern = PathPattern::parse(r.path.get_ref()).map_err(|m| {
                        config.error_at(Some(r.path.span()), &field("routes.path"), &m)
                    })?;
                    let status = StatusCode::from_u16(r.status).map_err(|_| {
                        config.error_at(
                            Some(r.path.span()),
                            &field("routes.status"),
                            "not an HTTP status",
                        )
                    })?;
                    let mut headers = HeaderMap::new();
                    for (name, value) in &r.headers {
                        let bad = || {
                            config.error_at(
                                Some(r.path.span()),
                                &field("routes.headers"),
                                &format!("invalid header {name:?}"),
                            )
                        };
                        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
                        headers.append(name, HeaderValue::from_str(value).map_err(|_| bad())?);
                    }
                    Ok(MockRoute {
                        pattern,
                        status,
                        headers,
                        body: Bytes::from(r.body.clone()),
                        delay: Duration::from_millis(r.delay_ms),
                        echo: r.echo,
                    })
                })
                .collect::<Result<Vec<_>, ProxyError>>()?;
            let root = mock.root.as_ref().map(|r| config.resolve(r));
            if let Some(root) = &root {
                if !root.is_dir() {
                    return Err(config.error_at(
                        Some(o.id.span()),
                        &field("mock.root"),
                        &format!("{} is not a directory", root.display()),
                    ));
                }
            }
            OriginKind::Mock(MockOrigin {
                root,
                routes,
                s3: mock.s3.then_some(mock.list_bucket),
            })
        }
        (None, Some(url)) => {
            if !o.routes.is_empty() {
                return Err(config.error_at(
                    Some(o.id.span()),
                    &field("routes"),
                    "routes are for mock origins only",
                ));
            }
            OriginKind::Http(
                parse_url(url.get_ref())
                    .map_err(|m| config.error_at(Some(url.span()), &field("url"), &m))?,
            )
        }
        _ => {
            return Err(config.error_at(
                Some(o.id.span()),
                &format!("origins[{id}]"),
                "give exactly one of `mock = {...}` or `url = \"http://…\"`",
            ))
        }
    };
    let (client, tls_config) = origin_client(config, o, &field)?;
    let mut custom_headers = Vec::new();
    for (name, value) in &o.custom_headers {
        let bad = || {
            config.error_at(
                Some(o.id.span()),
                &field("custom_headers"),
                &format!("invalid header {name:?}"),
            )
        };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
        custom_headers.push((header, HeaderValue::from_str(value).map_err(|_| bad())?));
    }
    Ok(Origin {
        id: id.clone(),
        kind,
        custom_headers,
        read_timeout: timeout(config, &field("read_timeout"), o.read_timeout, 120.0)?,
        connection_attempts: match o.connection_attempts {
            1..=3 => o.connection_attempts,
            _ => {
                return Err(config.error_at(
                    Some(o.id.span()),
                    &field("connection_attempts"),
                    "CloudFront allows 1 to 3 connection attempts",
                ))
            }
        },
        connect_timeout: timeout(config, &field("connect_timeout"), o.connect_timeout, 10.0)?,
        client,
        tls_config,
    })
}

/// The origin's client and its TLS config; `ca_file` adds trust for a dev server's own
/// certificate.
fn origin_client(
    config: &Config,
    o: &OriginConfig,
    field: &dyn Fn(&str) -> String,
) -> Result<(HttpClient, Option<Arc<rustls::ClientConfig>>), ProxyError> {
    let connect_timeout = timeout(config, &field("connect_timeout"), o.connect_timeout, 10.0)?;
    let Some(ca_file) = &o.ca_file else {
        return Ok((http_client(connect_timeout), default_tls()));
    };
    if o.url
        .as_ref()
        .is_none_or(|u| !u.get_ref().starts_with("https:"))
    {
        return Err(config.error_at(
            Some(o.id.span()),
            &field("ca_file"),
            "ca_file is for https:// origins",
        ));
    }
    let trust = OriginTrust {
        ca_file: Some(config.resolve(ca_file)),
    };
    let (client, tls) = http_client_trusting(connect_timeout, &trust)
        .map_err(|e| config.error_at(Some(o.id.span()), &field("ca_file"), &e.to_string()))?;
    Ok((client, Some(tls)))
}

/// `http(s)://host[:port][/origin/path]`.
pub(crate) fn parse_url(url: &str) -> Result<HttpTarget, String> {
    let uri: Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
    let tls = match uri.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        _ => {
            return Err(
                "expected a URL like http://127.0.0.1:3000 or https://localhost:5173".to_owned(),
            )
        }
    };
    let authority = uri.authority().ok_or("the URL has no host")?;
    let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let authority = Authority::try_from(format!("{}:{port}", authority.host()).as_str())
        .map_err(|e| e.to_string())?;
    let origin_path = uri.path().trim_end_matches('/').to_owned();
    Ok(HttpTarget {
        host: authority.host().to_owned(),
        authority,
        origin_path,
        tls,
    })
}

/// Statuses CloudFront can fail over on.
const FAILOVER_STATUSES: [u16; 8] = [400, 403, 404, 416, 500, 502, 503, 504];

/// `[[origin_groups]]`: (group id, primary index, failover to the secondary).
pub(crate) fn build_groups(
    config: &Config,
    origins: &[Origin],
) -> Result<Vec<(String, usize, Failover)>, ProxyError> {
    let mut groups: Vec<(String, usize, Failover)> = Vec::new();
    for g in &config.origin_groups {
        let id = g.id.get_ref();
        let field = |name: &str| format!("origin_groups[{id}].{name}");
        if origins.iter().any(|o| o.id == *id) || groups.iter().any(|(g, ..)| g == id) {
            return Err(config.error_at(
                Some(g.id.span()),
                &field("id"),
                "an origin or origin group already has this id",
            ));
        }
        let find = |name: &toml::Spanned<String>, key: &str| {
            origins
                .iter()
                .position(|o| o.id == *name.get_ref())
                .ok_or_else(|| {
                    config.error_at(
                        Some(name.span()),
                        &field(key),
                        &format!("unknown origin {:?}", name.get_ref()),
                    )
                })
        };
        let primary = find(&g.primary, "primary")?;
        let secondary = find(&g.secondary, "secondary")?;
        if primary == secondary {
            return Err(config.error_at(
                Some(g.secondary.span()),
                &field("secondary"),
                "the secondary must differ from the primary",
            ));
        }
        if let Some(bad) = g
            .failover_status_codes
            .iter()
            .find(|s| !FAILOVER_STATUSES.contains(s))
        {
            return Err(config.error_at(
                Some(g.id.span()),
                &field("failover_status_codes"),
                &format!("CloudFront cannot fail over on {bad} (allowed: {FAILOVER_STATUSES:?})"),
            ));
        }
        groups.push((
            id.clone(),
            primary,
            Failover {
                secondary: origins[secondary].clone(),
                statuses: g.failover_status_codes.clone(),
            },
        ));
    }
    Ok(groups)
}
