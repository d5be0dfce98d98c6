//! WebSocket (and any HTTP/1.1 `Upgrade`) pass-through (docs/cloudfront/dev-loop.md,
//! "WebSocket"): the viewer's upgrade request, after viewer-request, goes to the origin on a
//! connection of its own; the origin's `101 Switching Protocols` is relayed, then bytes are
//! copied both ways until either side closes. Anything but a 101 is an ordinary response.

use std::sync::Arc;
use std::time::Duration;

use edgesim_model::EdgeFailure;
use http::header::{CONNECTION, UPGRADE};
use http::{HeaderMap, Request, Response, StatusCode};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::body::{boxed, Body};
use crate::origin::{Origin, OriginKind};

/// Whether a request asks to switch protocols (`Connection: upgrade` and an `Upgrade` header).
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers.contains_key(UPGRADE)
        && headers
            .get_all(CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|token| token.trim().eq_ignore_ascii_case("upgrade"))
}

/// The headers of an upgrade the origin needs, which the origin-request phase would strip as
/// hop-by-hop: `Upgrade`, `Connection: Upgrade` and the `Sec-WebSocket-*` handshake.
pub fn handshake_headers(headers: &HeaderMap) -> Vec<(http::HeaderName, http::HeaderValue)> {
    headers
        .iter()
        .filter(|(name, _)| *name == UPGRADE || name.as_str().starts_with("sec-websocket-"))
        .map(|(n, v)| (n.clone(), v.clone()))
        .chain(std::iter::once((
            CONNECTION,
            http::HeaderValue::from_static("Upgrade"),
        )))
        .collect()
}

/// Sends the viewer's upgrade request (as built for the origin) to an HTTP origin and relays
/// the answer. Mock origins do not switch protocols: `None`, serve it as a normal request.
pub async fn forward(
    origin: &Origin,
    viewer: OnUpgrade,
    mut request: Request<Body>,
    handshake: Vec<(http::HeaderName, http::HeaderValue)>,
) -> Option<Result<Response<Body>, EdgeFailure>> {
    let OriginKind::Http(target) = &origin.kind else {
        return None;
    };
    for (name, value) in &origin.custom_headers {
        request.headers_mut().insert(name.clone(), value.clone());
    }
    for (name, value) in handshake {
        request.headers_mut().append(name, value);
    }
    let path = format!(
        "{}{}",
        target.origin_path,
        request.uri().path_and_query().map_or("/", |p| p.as_str())
    );
    match path.parse() {
        Ok(uri) => *request.uri_mut() = uri,
        Err(_) => return Some(Err(EdgeFailure::Internal)),
    }
    if let Ok(host) = http::HeaderValue::from_str(&target.host) {
        request.headers_mut().insert(http::header::HOST, host);
    }
    *request.version_mut() = http::Version::HTTP_11;
    let tls = match (target.tls, &origin.tls_config) {
        (false, _) => None,
        (true, Some(config)) => Some((config.clone(), target.host.clone())),
        (true, None) => return Some(Err(EdgeFailure::OriginUnreachable)),
    };
    let target = UpgradeTarget {
        authority: target.authority.to_string(),
        tls,
        connect_timeout: origin.connect_timeout,
        read_timeout: origin.read_timeout,
    };
    Some(relay(viewer, target, request).await)
}

/// Where and how to reach the origin for one upgrade.
pub struct UpgradeTarget {
    /// `host:port`.
    pub authority: String,
    /// TLS to the origin: the client config and the name to verify.
    pub tls: Option<(Arc<rustls::ClientConfig>, String)>,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
}

/// Sends the upgrade request (already shaped for the origin, `Upgrade`/`Connection` kept) and
/// relays the answer. On a 101 the two connections are joined in a spawned task.
pub async fn relay(
    viewer: OnUpgrade,
    target: UpgradeTarget,
    request: Request<Body>,
) -> Result<Response<Body>, EdgeFailure> {
    let tcp = match tokio::time::timeout(
        target.connect_timeout,
        TcpStream::connect(&target.authority),
    )
    .await
    {
        Err(_) => return Err(EdgeFailure::OriginTimeout),
        Ok(Err(e)) => {
            tracing::debug!("upgrade: cannot connect to {}: {e}", target.authority);
            return Err(EdgeFailure::OriginUnreachable);
        }
        Ok(Ok(tcp)) => tcp,
    };
    let _ = tcp.set_nodelay(true);
    match target.tls.clone() {
        None => exchange(viewer, tcp, &target, request).await,
        Some((config, name)) => {
            let server_name = rustls::pki_types::ServerName::try_from(name)
                .map_err(|_| EdgeFailure::OriginUnreachable)?;
            let stream = tokio_rustls::TlsConnector::from(config)
                .connect(server_name, tcp)
                .await
                .map_err(|e| {
                    tracing::warn!("upgrade: TLS to {} failed: {e}", target.authority);
                    EdgeFailure::OriginUnreachable
                })?;
            exchange(viewer, stream, &target, request).await
        }
    }
}

async fn exchange<S>(
    viewer: OnUpgrade,
    stream: S,
    target: &UpgradeTarget,
    request: Request<Body>,
) -> Result<Response<Body>, EdgeFailure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| EdgeFailure::OriginUnreachable)?;
    tokio::spawn(async move {
        if let Err(e) = connection.with_upgrades().await {
            tracing::debug!("upgrade: origin connection: {e}");
        }
    });
    let mut response =
        match tokio::time::timeout(target.read_timeout, sender.send_request(request)).await {
            Err(_) => return Err(EdgeFailure::OriginTimeout),
            Ok(Err(e)) => {
                tracing::debug!("upgrade: origin request failed: {e}");
                return Err(EdgeFailure::OriginUnreachable);
            }
            Ok(Ok(response)) => response,
        };
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        return Ok(response.map(boxed));
    }
    let origin = hyper::upgrade::on(&mut response);
    tokio::spawn(async move {
        let (viewer, origin) = match tokio::try_join!(viewer, origin) {
            Ok(pair) => pair,
            Err(e) => {
                tracing::debug!("upgrade: the switch did not complete: {e}");
                return;
            }
        };
        let mut viewer = TokioIo::new(viewer);
        let mut origin = TokioIo::new(origin);
        // Until either side closes; then the other is shut down too.
        if let Err(e) = tokio::io::copy_bidirectional(&mut viewer, &mut origin).await {
            tracing::debug!("upgrade: connection ended: {e}");
        }
    });
    let (head, _) = response.into_parts();
    Ok(Response::from_parts(head, crate::body::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upgrade_needs_both_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(UPGRADE, "websocket".parse().unwrap());
        assert!(!is_upgrade(&headers));
        headers.insert(CONNECTION, "keep-alive, Upgrade".parse().unwrap());
        assert!(is_upgrade(&headers));
    }
}
