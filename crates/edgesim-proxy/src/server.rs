//! The listener: accepts viewers over plain HTTP or TLS (HTTP/2 and HTTP/1.1 by ALPN), runs
//! each request through the pipeline on the tokio worker that owns the connection
//! (CloudFront Functions run on edgesim-functions' supervised function threads, so no function
//! can hold a worker), answers the dashboard's reserved path itself, and shuts down gracefully — in-flight requests finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::HOST;
use http::{HeaderValue, Uri, Version};
use http::{Request, Response};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::body::{boxed, Body};
use crate::dashboard::{self, Recent, Recorder};
use crate::distribution::Distribution;
use crate::error::ProxyError;
use crate::origin::{Origin, OriginKind};
use crate::reload::Live;
use crate::tls::ViewerTls;
use crate::viewer_protocol::Listener;

/// The viewer idle timeout of a server without a config (a mock origin served directly).
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long shutdown waits for in-flight requests before giving up on them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// A running listener.
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

/// How a listener serves: plain HTTP or TLS, and where the HTTPS listener is (for
/// `redirect-to-https`).
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Serve TLS with this certificate (HTTP/2 and HTTP/1.1 by ALPN).
    pub tls: Option<ViewerTls>,
    /// The port of the HTTPS listener, when one runs.
    pub https_port: Option<u16>,
}

impl Server {
    /// Listens on `addr` (e.g. `127.0.0.1:8080`, or port 0 for any free port) and serves the
    /// distribution until [`Server::shutdown`].
    pub async fn bind(distribution: Arc<Distribution>, addr: &str) -> Result<Server, ProxyError> {
        let recent = Recent::new(
            distribution
                .dashboard
                .as_ref()
                .map_or(1, |d| d.recent_requests),
        );
        Server::bind_live(
            Live::new(distribution, recent),
            addr,
            ServeOptions::default(),
        )
        .await
    }

    /// Serves whatever distribution `live` holds at the time of each request (hot reload
    /// swaps it), with `options` (TLS).
    pub async fn bind_live(
        live: Arc<Live>,
        addr: &str,
        options: ServeOptions,
    ) -> Result<Server, ProxyError> {
        let listener = listen(addr).await?;
        let idle_timeout = live.current().settings.viewer_idle_timeout;
        // Every function's contexts are ready before the first connection is accepted.
        live.current().warm();
        let facts = Listener {
            https: options.tls.is_some(),
            https_port: options.https_port,
        };
        Ok(spawn_with(
            listener,
            idle_timeout,
            options.tls,
            move |mut req, peer| {
                let live = live.clone();
                async move {
                    req.extensions_mut().insert(facts);
                    let distribution = live.current();
                    if let Some(dashboard) = &distribution.dashboard {
                        if dashboard::is_dashboard(&dashboard.path, req.uri().path()) {
                            return dashboard::handle(
                                &dashboard.path,
                                &distribution,
                                &live.recent,
                                req,
                            )
                            .await;
                        }
                    }
                    if distribution.dashboard.is_none() {
                        // No dashboard: nothing is recorded at all.
                        return distribution.handle(req, peer).await;
                    }
                    Recorder::new(&live.recent)
                        .scope(distribution.handle(req, peer))
                        .await
                }
            },
        ))
    }

    /// Serves a mock origin directly on its own address (no CloudFront in front): the
    /// baseline for benchmarks, and a way to see what the origin alone answers.
    pub async fn bind_mock(origin: &Origin, addr: &str) -> Result<Server, ProxyError> {
        let OriginKind::Mock(mock) = &origin.kind else {
            return Err(ProxyError::Bind {
                addr: addr.to_owned(),
                source: std::io::Error::other(format!("origin {} is not a mock origin", origin.id)),
            });
        };
        let mock = Arc::new(mock.clone());
        let listener = listen(addr).await?;
        Ok(spawn(listener, DEFAULT_IDLE_TIMEOUT, move |req, _peer| {
            let mock = mock.clone();
            async move { mock.serve(req).await }
        }))
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets in-flight requests finish (up to 30 s), then returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

async fn listen(addr: &str) -> Result<TcpListener, ProxyError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| ProxyError::Bind {
            addr: addr.to_owned(),
            source,
        })
}

/// The accept loop, with `handler` answering every request.
fn spawn<H, F>(listener: TcpListener, idle_timeout: Duration, handler: H) -> Server
where
    H: Fn(Request<Body>, SocketAddr) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    spawn_with(listener, idle_timeout, None, handler)
}

/// An HTTP/2 request as the pipeline expects every request: origin-form URI and a `Host`
/// header from `:authority`. The version stays HTTP/2 (the `Via` hop names it); the origin
/// is spoken to over HTTP/1.1 (`origin.rs`).
fn normalise_h2(req: &mut Request<Body>) {
    if req.version() != Version::HTTP_2 {
        return;
    }
    if let Some(authority) = req.uri().authority().cloned() {
        if !req.headers().contains_key(HOST) {
            if let Ok(v) = HeaderValue::from_str(authority.as_str()) {
                req.headers_mut().insert(HOST, v);
            }
        }
    }
    if let Some(pq) = req.uri().path_and_query().cloned() {
        if let Ok(uri) = Uri::builder().path_and_query(pq).build() {
            *req.uri_mut() = uri;
        }
    }
}

/// The accept loop over plain TCP or TLS.
fn spawn_with<H, F>(
    listener: TcpListener,
    idle_timeout: Duration,
    tls: Option<ViewerTls>,
    handler: H,
) -> Server
where
    H: Fn(Request<Body>, SocketAddr) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let (stop, mut stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let graceful = GracefulShutdown::new();
        // HTTP/1.1 and HTTP/2 (ALPN on TLS, prior knowledge in the clear), with upgrades
        // (WebSocket) on HTTP/1.1.
        let mut builder = auto::Builder::new(TokioExecutor::new());
        // CloudFront sends header names title-cased (docs/cloudfront/pipeline.md, "On the wire").
        builder.http1().keep_alive(true).title_case_headers(true);
        // A viewer that does not finish its request head in time, or leaves a kept-alive
        // connection idle that long, is disconnected (hyper's header-read timer runs from
        // the moment it waits for a request head; docs/cloudfront/viewer-limits.md).
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(idle_timeout);
        let builder = Arc::new(builder);
        loop {
            let (stream, peer) = tokio::select! {
                _ = &mut stopped => break,
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            let handler = handler.clone();
            let service = service_fn(move |req: Request<Incoming>| {
                let mut req = req.map(boxed);
                normalise_h2(&mut req);
                let response = handler(req, peer);
                async move { Ok::<_, Infallible>(response.await) }
            });
            let builder = builder.clone();
            let watcher = graceful.watcher();
            let tls = tls.clone();
            tokio::spawn(async move {
                let result = match tls {
                    None => {
                        let io = TokioIo::new(stream);
                        watcher
                            .watch(
                                builder
                                    .serve_connection_with_upgrades(io, service)
                                    .into_owned(),
                            )
                            .await
                    }
                    Some(tls) => match tls.acceptor.accept(stream).await {
                        Ok(stream) => {
                            if let Some(mtls) = &tls.mtls {
                                let certs = stream.get_ref().1.peer_certificates();
                                if !mtls.admit(certs, peer).await {
                                    return;
                                }
                            }
                            let io = TokioIo::new(stream);
                            watcher
                                .watch(
                                    builder
                                        .serve_connection_with_upgrades(io, service)
                                        .into_owned(),
                                )
                                .await
                        }
                        Err(e) => {
                            tracing::debug!("TLS handshake with {peer} failed: {e}");
                            return;
                        }
                    },
                };
                if let Err(e) = result {
                    tracing::debug!("connection from {peer}: {e}");
                }
            });
        }
        drop(listener);
        if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("shutdown: some requests were still running after {DRAIN_TIMEOUT:?}");
        }
    });
    Server {
        addr,
        stop: Some(stop),
        task,
    }
}
