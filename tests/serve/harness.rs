//! The `edgesim serve` test harness: a temporary distribution (config + function files),
//! the proxy started in-process on an ephemeral port, a real HTTP test origin that counts and
//! records requests, and a small HTTP/1.1 client.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use edgesim::proxy::{Config, Distribution, ProxyError, Server};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "edgesim-serve-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn write(&self, name: &str, content: &str) {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(path, content).expect("write file");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A distribution under test: files in a temp dir, the proxy on 127.0.0.1:<ephemeral>.
pub struct Edge {
    /// Kept so the files outlive the server.
    pub dir: TempDir,
    pub server: Server,
}

impl Edge {
    /// Writes `files` and `edgesim.toml` (with `config`) into a temp dir and starts the proxy.
    pub async fn start(config: &str, files: &[(&str, &str)]) -> Edge {
        match Edge::try_start(config, files).await {
            Ok(edge) => edge,
            Err(e) => panic!("edge did not start: {e}"),
        }
    }

    pub async fn try_start(config: &str, files: &[(&str, &str)]) -> Result<Edge, ProxyError> {
        let dir = TempDir::new();
        for (name, content) in files {
            dir.write(name, content);
        }
        dir.write("edgesim.toml", config);
        let config = Config::load(&dir.0.join("edgesim.toml"))?;
        let distribution = Distribution::start(&config).await?;
        let server = Server::bind(distribution, "127.0.0.1:0").await?;
        Ok(Edge { dir, server })
    }

    /// Graceful shutdown: in-flight requests finish.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(()).expect("request"))
            .await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = Request::get(path);
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        self.send(req.body(()).expect("request")).await
    }

    pub async fn send(&self, req: Request<()>) -> Reply {
        request(self.server.local_addr(), req.map(|()| String::new())).await
    }

    pub async fn send_body(&self, req: Request<String>) -> Reply {
        request(self.server.local_addr(), req).await
    }
}

/// A response, fully read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn x_cache(&self) -> &str {
        self.header("x-cache").unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request on a fresh connection.
pub async fn request(addr: SocketAddr, req: Request<String>) -> Reply {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    let (mut parts, body) = req.into_parts();
    parts
        .headers
        .entry("host")
        .or_insert("edgesim.test".parse().expect("host"));
    let response = sender
        .send_request(Request::from_parts(parts, Full::new(Bytes::from(body))))
        .await
        .expect("response");
    let (head, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Reply {
        status: head.status,
        headers: head.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// What the test origin saw of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub uri: String,
    pub headers: HeaderMap,
}

/// A real HTTP origin on an ephemeral port. Paths:
/// - `/slow…`: answers after 2 s;
/// - `/etag…`: `Cache-Control: max-age=1`, `ETag: "v1"`, and 304 to `If-None-Match: "v1"`;
/// - `/missing…`: 404;
/// - `/big…`: 5,000 bytes of `x`;
/// - anything else: 200 with the request as JSON (`Cache-Control: max-age=60`).
pub struct TestOrigin {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestOrigin {
    pub async fn start() -> TestOrigin {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind origin");
        let addr = listener.local_addr().expect("addr");
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let record = record.clone();
                let service = service_fn(move |req: Request<Incoming>| {
                    let record = record.clone();
                    async move { Ok::<_, Infallible>(answer(req, &record).await) }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        TestOrigin { addr, seen }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().expect("lock").len()
    }

    pub fn last(&self) -> Seen {
        self.seen
            .lock()
            .expect("lock")
            .last()
            .cloned()
            .expect("the origin saw no request")
    }
}

async fn answer(req: Request<Incoming>, seen: &Mutex<Vec<Seen>>) -> Response<Full<Bytes>> {
    let uri = req.uri().to_string();
    seen.lock().expect("lock").push(Seen {
        uri: uri.clone(),
        headers: req.headers().clone(),
    });
    let path = req.uri().path().to_owned();
    let mut response = Response::new(Full::new(Bytes::new()));
    if path.starts_with("/slow") {
        tokio::time::sleep(Duration::from_secs(2)).await;
        *response.body_mut() = Full::new(Bytes::from_static(b"slow"));
    } else if path.starts_with("/etag") {
        response
            .headers_mut()
            .insert("cache-control", "max-age=1".parse().expect("v"));
        response
            .headers_mut()
            .insert("etag", "\"v1\"".parse().expect("v"));
        if req
            .headers()
            .get("if-none-match")
            .is_some_and(|v| v == "\"v1\"")
        {
            *response.status_mut() = StatusCode::NOT_MODIFIED;
        } else {
            *response.body_mut() = Full::new(Bytes::from_static(b"etag body"));
        }
    } else if path.starts_with("/missing") {
        *response.status_mut() = StatusCode::NOT_FOUND;
        *response.body_mut() = Full::new(Bytes::from_static(b"no such thing"));
    } else if path.starts_with("/big") {
        *response.body_mut() = Full::new(Bytes::from(vec![b'x'; 5000]));
    } else {
        let headers: HashMap<String, String> = req
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let json = serde_json::json!({ "uri": uri, "headers": headers });
        response
            .headers_mut()
            .insert("cache-control", "max-age=60".parse().expect("v"));
        response
            .headers_mut()
            .insert("content-type", "application/json".parse().expect("v"));
        *response.body_mut() = Full::new(Bytes::from(json.to_string()));
    }
    response
}

/// An address nothing listens on (bound, then released).
pub async fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("addr").port()
}
