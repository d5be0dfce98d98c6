//! Origins and the origin exchange: the embedded mock origin or a real HTTP origin reached
//! through a pooled hyper client, with CloudFront's timeouts and failure classes
//! (connection refused → 502, no response in time → 504).

use std::sync::Arc;
use std::time::Duration;

use edgesim_model::EdgeFailure;
use http::header::{CONTENT_LENGTH, HOST};
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderName, HeaderValue, Method, Request, Response, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::body::{boxed, Body};
use crate::mock_origin::MockOrigin;

/// The pooled HTTP/1 client of one origin (connections are reused across requests); it
/// speaks TLS to `https://` origins (docs/cloudfront/dev-loop.md, "HTTPS origins").
pub type HttpClient = Client<HttpsConnector<HttpConnector>, Body>;

/// Builds a client whose connection attempts give up after `connect_timeout`, trusting the
/// system's root certificates for `https://` origins.
pub fn http_client(connect_timeout: Duration) -> HttpClient {
    build_client(connect_timeout, default_tls())
}

/// The TLS config trusting the system roots (read once).
pub fn default_tls() -> Option<Arc<rustls::ClientConfig>> {
    static DEFAULT: std::sync::OnceLock<Option<Arc<rustls::ClientConfig>>> =
        std::sync::OnceLock::new();
    DEFAULT
        .get_or_init(|| {
            crate::tls::origin_client_config(&crate::tls::OriginTrust::default())
                .ok()
                .map(Arc::new)
        })
        .clone()
}

/// [`http_client`] that also trusts what `trust` names (an origin's `ca_file`); with the TLS
/// config it uses.
pub fn http_client_trusting(
    connect_timeout: Duration,
    trust: &crate::tls::OriginTrust,
) -> Result<(HttpClient, Arc<rustls::ClientConfig>), crate::ProxyError> {
    let config = Arc::new(crate::tls::origin_client_config(trust)?);
    Ok((build_client(connect_timeout, Some(config.clone())), config))
}

fn build_client(connect_timeout: Duration, tls: Option<Arc<rustls::ClientConfig>>) -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(connect_timeout));
    connector.set_nodelay(true);
    connector.enforce_http(false);
    let config = tls.map_or_else(
        || {
            // No usable trust store: https origins then fail their handshake (502).
            rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map(|b| {
                b.with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth()
            })
            .expect("ring supports the default protocol versions")
        },
        |c| (*c).clone(),
    );
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(Duration::from_secs(5))
        // CloudFront writes header names title-cased on the wire
        // (docs/cloudfront/pipeline.md, "On the wire").
        .http1_title_case_headers(true)
        .build(https)
}

/// Where an HTTP origin lives.
#[derive(Debug, Clone)]
pub struct HttpTarget {
    /// `host:port` to connect to.
    pub authority: Authority,
    /// The origin's domain, sent as `Host` (CloudFront does not forward the viewer's `Host`
    /// unless a policy says so).
    pub host: String,
    /// CloudFront's origin path: prefixed to every request path (`/v2` + `/x` → `/v2/x`).
    pub origin_path: String,
    /// `https://`: TLS to the origin, its certificate checked.
    pub tls: bool,
}

/// What kind of origin.
#[derive(Debug, Clone)]
pub enum OriginKind {
    Mock(MockOrigin),
    Http(HttpTarget),
}

/// The distribution's origins, and the client for origins a function creates.
#[derive(Debug)]
pub struct Origins {
    /// In config order; behaviors refer to them by index.
    pub list: Vec<Origin>,
    /// For origins created by `updateRequestOrigin` or a Lambda@Edge `request.origin`.
    pub dynamic_client: HttpClient,
}

impl Origins {
    /// The origin at `index` (an index from a behavior).
    pub fn get(&self, index: usize) -> &Origin {
        &self.list[index]
    }

    /// An origin by id.
    pub fn by_id(&self, id: &str) -> Option<&Origin> {
        self.list.iter().find(|o| o.id == id)
    }
}

/// One origin of the distribution (or one built by `updateRequestOrigin`).
#[derive(Debug, Clone)]
pub struct Origin {
    pub id: String,
    pub kind: OriginKind,
    /// Origin custom headers, added to every request sent to it.
    pub custom_headers: Vec<(HeaderName, HeaderValue)>,
    pub read_timeout: Duration,
    /// Connection attempts before giving up (CloudFront: 1–3, default 3). GET and HEAD are
    /// also retried after a response timeout.
    pub connection_attempts: u32,
    /// How long a TCP connection attempt may take.
    pub connect_timeout: Duration,
    pub client: HttpClient,
    /// The TLS config of `client`, for connections made outside it (WebSocket upgrades).
    pub tls_config: Option<Arc<rustls::ClientConfig>>,
}

/// An origin group's failover: the secondary origin and the primary's statuses that send
/// the request there (docs/cloudfront/cache-and-origin.md, "Origin groups").
#[derive(Debug, Clone)]
pub struct Failover {
    pub secondary: Origin,
    pub statuses: Vec<u16>,
}

/// Marks an origin request whose `Host` is the viewer's (a policy forwards it): the origin
/// phase then leaves it alone instead of sending the origin's domain.
#[derive(Debug, Clone, Copy)]
pub struct ForwardHost;

impl Origin {
    /// One line for the start-up summary.
    pub fn describe(&self) -> String {
        match &self.kind {
            OriginKind::Mock(m) => match &m.root {
                Some(root) => format!(
                    "mock, files from {}, {} route(s)",
                    root.display(),
                    m.routes.len()
                ),
                None => format!("mock, {} route(s)", m.routes.len()),
            },
            OriginKind::Http(t) => format!(
                "{}://{}{}",
                if t.tls { "https" } else { "http" },
                t.authority,
                t.origin_path
            ),
        }
    }

    /// Sends the request (already shaped by the origin-request phase) and returns the
    /// response head; the body streams.
    pub async fn fetch(&self, mut req: Request<Body>) -> Result<Response<Body>, EdgeFailure> {
        // Origins are spoken to over HTTP/1.1 whatever the viewer used (an HTTP/2 viewer's
        // request keeps its version up to here for the `Via` hop).
        if req.version() == http::Version::HTTP_2 {
            *req.version_mut() = http::Version::HTTP_11;
        }
        for (name, value) in &self.custom_headers {
            req.headers_mut().insert(name.clone(), value.clone());
        }
        match &self.kind {
            OriginKind::Mock(mock) => {
                // The read timeout applies to the mock too, so slow routes can exercise 504s.
                tokio::time::timeout(self.read_timeout, mock.serve(req))
                    .await
                    .map_err(|_| EdgeFailure::OriginTimeout)
            }
            OriginKind::Http(target) => {
                let path = format!(
                    "{}{}",
                    target.origin_path,
                    req.uri().path_and_query().map_or("/", PathAndQuery::as_str)
                );
                let uri = Uri::builder()
                    .scheme(if target.tls {
                        Scheme::HTTPS
                    } else {
                        Scheme::HTTP
                    })
                    .authority(target.authority.clone())
                    .path_and_query(path)
                    .build()
                    .map_err(|_| EdgeFailure::Internal)?;
                *req.uri_mut() = uri;
                let viewer_host = req.extensions().get::<ForwardHost>().is_some()
                    && req.headers().contains_key(HOST);
                if !viewer_host {
                    if let Ok(host) = HeaderValue::from_str(&target.host) {
                        req.headers_mut().insert(HOST, host);
                    }
                }
                self.send(req).await
            }
        }
    }
}

impl Origin {
    /// Sends to an HTTP origin, trying again (up to `connection_attempts` in all) when the
    /// connection fails, and for GET/HEAD when the origin does not answer in time. Only
    /// requests without a body can be sent again.
    async fn send(&self, req: Request<Body>) -> Result<Response<Body>, EdgeFailure> {
        let retry_on_timeout = req.method() == Method::GET || req.method() == Method::HEAD;
        let bodiless = retry_on_timeout
            || req.method() == Method::OPTIONS
            || req.headers().get(CONTENT_LENGTH).is_some_and(|v| v == "0");
        let (parts, body) = req.into_parts();
        let mut body = Some(body);
        let attempts = self.connection_attempts.max(1);
        let mut last = EdgeFailure::OriginUnreachable;
        for attempt in 1..=attempts {
            let body = match body.take() {
                Some(b) => b,
                None if bodiless => crate::body::empty(),
                None => break,
            };
            let req = Request::from_parts(parts.clone(), body);
            match tokio::time::timeout(self.read_timeout, self.client.request(req)).await {
                Ok(Ok(response)) => return Ok(response.map(boxed)),
                Err(_) => {
                    last = EdgeFailure::OriginTimeout;
                    if !retry_on_timeout {
                        break;
                    }
                }
                Ok(Err(e)) => {
                    tracing::debug!(origin = %self.id, attempt, error = ?e, "origin request failed");
                    last = classify(&e);
                    if !e.is_connect() {
                        break;
                    }
                }
            }
        }
        Err(last)
    }
}

/// A timed-out connection attempt is a 504 at CloudFront; a refused or reset one a 502. A
/// request body that failed while it was being sent is the viewer's fault (e.g. a malformed
/// chunked encoding), a 400 (docs/cloudfront/viewer-limits.md): the only request bodies that
/// can fail are the viewer's own, since bodies generated by functions are in memory.
fn classify(error: &hyper_util::client::legacy::Error) -> EdgeFailure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.downcast_ref::<crate::body::BodyError>().is_some() {
            return EdgeFailure::ViewerBadRequest;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return EdgeFailure::OriginTimeout;
            }
        }
        source = e.source();
    }
    EdgeFailure::OriginUnreachable
}
