//! The HTTP/1.1 listener: accepts viewers, runs each request through the pipeline on the
//! tokio worker that owns the connection (CloudFront Functions run on edgesim-functions'
//! supervised function threads, so no function can hold a worker), and shuts down
//! gracefully — in-flight requests finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::body::{boxed, Body};
use crate::distribution::Distribution;
use crate::error::ProxyError;
use crate::origin::{Origin, OriginKind};

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

impl Server {
    /// Listens on `addr` (e.g. `127.0.0.1:8080`, or port 0 for any free port) and serves the
    /// distribution until [`Server::shutdown`].
    pub async fn bind(distribution: Arc<Distribution>, addr: &str) -> Result<Server, ProxyError> {
        let listener = listen(addr).await?;
        let idle_timeout = distribution.settings.viewer_idle_timeout;
        // Every function's contexts are ready before the first connection is accepted.
        distribution.warm();
        Ok(spawn(listener, idle_timeout, move |req, peer| {
            let distribution = distribution.clone();
            async move { distribution.handle(req, peer).await }
        }))
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
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let (stop, mut stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let graceful = GracefulShutdown::new();
        let mut builder = http1::Builder::new();
        // CloudFront sends header names title-cased (docs/cloudfront/pipeline.md, "On the wire").
        builder.keep_alive(true).title_case_headers(true);
        // A viewer that does not finish its request head in time, or leaves a kept-alive
        // connection idle that long, is disconnected (hyper's header-read timer runs from
        // the moment it waits for a request head; docs/cloudfront/viewer-limits.md).
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(idle_timeout);
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
                let response = handler(req.map(boxed), peer);
                async move { Ok::<_, Infallible>(response.await) }
            });
            // Boxed to a concrete trait object: without it, rustc cannot prove the
            // connection future `Send` for every lifetime of the body's error type.
            let connection: Pin<Box<dyn Future<Output = hyper::Result<()>> + Send>> =
                Box::pin(graceful.watch(builder.serve_connection(TokioIo::new(stream), service)));
            tokio::spawn(async move {
                if let Err(e) = connection.await {
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
