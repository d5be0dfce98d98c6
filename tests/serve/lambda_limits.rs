//! Hostile Lambda@Edge handlers in `serve`, with real `node` and `python3`: each bad request
//! gets CloudFront's answer (503 `LambdaExecutionError`), and while it runs requests to other
//! behaviors keep being answered. Time bounds here are generous: they only prove "not blocked"
//! (answered before the bad request finished, or well before a queue would have allowed).

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::harness::{request, Edge, Reply, TestOrigin};

/// A config with the test origin as `o`, a plain default behavior and one behavior per
/// `(pattern, event, runtime, handler, timeout_ms)`.
fn config(origin: &TestOrigin, hooks: &[(&str, &str, &str, &str, u64)]) -> String {
    let mut config = format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{}\"\n[default_behavior]\norigin = \"o\"\n",
        origin.port()
    );
    for (pattern, event, runtime, handler, timeout_ms) in hooks {
        config.push_str(&format!(
            "[[behaviors]]\npath_pattern = \"{pattern}\"\norigin = \"o\"\n{event} = {{ runtime = \"{runtime}\", handler = \"{handler}\", timeout_ms = {timeout_ms} }}\n"
        ));
    }
    config
}

fn assert_execution_error(reply: &Reply) {
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.x_cache(), "LambdaExecutionError from cloudfront");
}

/// GETs `path` while the `bad` requests run; asserts it is a 200 answered before any of them
/// finished.
async fn answered_meanwhile(edge: &Edge, path: &str, bad: &[tokio::task::JoinHandle<Reply>]) {
    let reply = edge.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    assert!(
        bad.iter().all(|h| !h.is_finished()),
        "{path} waited for the bad requests"
    );
}

fn spawn_get(edge: &Edge, path: &str) -> tokio::task::JoinHandle<Reply> {
    let addr = edge.server.local_addr();
    let req = Request::get(path).body(String::new()).expect("request");
    tokio::spawn(async move { request(addr, req).await })
}

const NODE_SPIN: &str = "exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  if (request.uri.includes('/spin')) for (;;) {}
  return request;
};
";

const NODE_LEAK: &str = "exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  if (request.uri.includes('/leak')) { const keep = []; for (;;) keep.push(new Array(1e6).fill(1.5)); }
  return request;
};
";

const NODE_PARTIAL_STDERR: &str = "exports.handler = async (event) => {
  process.stderr.write('no newline');
  return event.Records[0].cf.request;
};
";

const PYTHON_HOSTILE: &str = "import os, signal

def handler(event, context):
    request = event['Records'][0]['cf']['request']
    uri = request['uri']
    if '/exit' in uri:
        os._exit(7)
    if '/close' in uri:
        os.closerange(0, 4096)
    if '/sigint' in uri:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if '/busy' in uri:
        sum(range(10**10))
    if '/spin' in uri:
        while True:
            pass
    if '/leak' in uri:
        keep = []
        while True:
            keep.append(bytearray(10**7))
    return request
";

#[tokio::test]
async fn eight_slow_node_requests_each_get_their_503_at_the_timeout() {
    let origin = TestOrigin::start().await;
    let config = config(
        &origin,
        &[(
            "/n/*",
            "origin_request",
            "nodejs20.x",
            "index.handler",
            2000,
        )],
    );
    let edge = Edge::start(&config, &[("index.js", NODE_SPIN)]).await;
    let start = Instant::now();
    let bad: Vec<_> = (0..8)
        .map(|i| spawn_get(&edge, &format!("/n/spin{i}")))
        .collect();
    answered_meanwhile(&edge, "/plain", &bad).await;
    for handle in bad {
        assert_execution_error(&handle.await.expect("join"));
    }
    eprintln!(
        "8 concurrent Node spins, 2 s timeout: all 503 after {:?}",
        start.elapsed()
    );
    // Each ends on its own 2 s clock. Behind a queue of two workers the last would have come
    // at 8 s, one at a time at 16 s (the sum of the timeouts); 6 s only says "not queued".
    assert!(
        start.elapsed() < Duration::from_secs(6),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(edge.get("/n/fine").await.status, 200, "a fresh worker");
    edge.shutdown().await;
}

#[tokio::test]
async fn four_python_loops_each_get_their_503_at_the_timeout() {
    let origin = TestOrigin::start().await;
    let config = config(
        &origin,
        &[("/p/*", "origin_request", "python3.11", "app.handler", 1000)],
    );
    let edge = Edge::start(&config, &[("app.py", PYTHON_HOSTILE)]).await;
    let start = Instant::now();
    let bad: Vec<_> = (0..4)
        .map(|i| spawn_get(&edge, &format!("/p/spin{i}")))
        .collect();
    answered_meanwhile(&edge, "/plain", &bad).await;
    for handle in bad {
        assert_execution_error(&handle.await.expect("join"));
    }
    assert!(
        start.elapsed() < Duration::from_millis(2500),
        "{:?}",
        start.elapsed()
    );
    edge.shutdown().await;
}

#[tokio::test]
async fn python_cannot_end_deafen_or_wedge_the_server() {
    let origin = TestOrigin::start().await;
    let config = config(
        &origin,
        &[("/p/*", "origin_request", "python3.11", "app.handler", 1000)],
    );
    let edge = Edge::start(&config, &[("app.py", PYTHON_HOSTILE)]).await;
    for (n, bad) in ["/p/exit", "/p/close", "/p/busy", "/p/leak"]
        .iter()
        .enumerate()
    {
        let before = rss_mb();
        let handle = spawn_get(&edge, bad);
        if *bad == "/p/busy" {
            answered_meanwhile(&edge, "/plain-busy", std::slice::from_ref(&handle)).await;
        }
        assert_execution_error(&handle.await.expect("join"));
        // The leak grew the worker (killed at its memory limit), not serve.
        let growth = rss_mb().saturating_sub(before);
        eprintln!("python {bad}: serve's RSS grew {growth} MB");
        assert!(growth < 100, "{bad}: serve's RSS grew {growth} MB");
        // The server still accepts, and Python functions still answer.
        assert_eq!(
            edge.get(&format!("/p/fine{n}")).await.status,
            200,
            "after {bad}"
        );
    }
    // A handler that ignores SIGINT answers normally; serve stops its workers with SIGKILL,
    // so shutdown below still ends (a hang here fails the test by its timeout).
    assert_eq!(edge.get("/p/sigint").await.status, 200);
    assert_eq!(edge.get("/p/after-sigint").await.status, 200);
    edge.shutdown().await;
}

#[tokio::test]
async fn a_node_worker_out_of_memory_is_a_503_and_is_replaced() {
    let origin = TestOrigin::start().await;
    let config = config(
        &origin,
        &[(
            "/n/*",
            "origin_request",
            "nodejs20.x",
            "index.handler",
            20000,
        )],
    );
    let edge = Edge::start(&config, &[("index.js", NODE_LEAK)]).await;
    let bad = spawn_get(&edge, "/n/leak");
    assert_execution_error(&bad.await.expect("join"));
    assert_eq!(edge.get("/n/after").await.status, 200);
    edge.shutdown().await;
}

#[tokio::test]
async fn node_stderr_without_a_newline_does_not_delay_responses() {
    let origin = TestOrigin::start().await;
    let config = config(
        &origin,
        &[(
            "/n/*",
            "origin_request",
            "nodejs20.x",
            "index.handler",
            5000,
        )],
    );
    let edge = Edge::start(&config, &[("index.js", NODE_PARTIAL_STDERR)]).await;
    assert_eq!(edge.get("/n/warm").await.status, 200);
    let start = Instant::now();
    for i in 0..4 {
        assert_eq!(edge.get(&format!("/n/{i}")).await.status, 200);
    }
    // It used to add 0.5 s to each.
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
    edge.shutdown().await;
}

/// An origin that reads each request body to the end and answers with its length and the
/// `x-seen` header the function added.
async fn counting_origin() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service_fn(|req: Request<Incoming>| async move {
                let seen = req
                    .headers()
                    .get("x-seen")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let mut body = req.into_body();
                let mut len = 0usize;
                while let Some(Ok(frame)) = body.frame().await {
                    len += frame.data_ref().map_or(0, Bytes::len);
                }
                let reply = http::Response::builder()
                    .header("cache-control", "no-store")
                    .body(Full::new(Bytes::from(format!("{len} {seen}"))))
                    .expect("response");
                Ok::<_, std::convert::Infallible>(reply)
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    port
}

/// `count` chunks of 1 MiB, made as they are sent: the upload is never in memory at once.
struct Upload {
    chunk: Bytes,
    left: usize,
}

impl http_body::Body for Upload {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        self.left -= 1;
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(self.chunk.clone()))))
    }
}

/// Resident memory of this test process (where `serve` runs), in MB.
fn rss_mb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096 / (1024 * 1024)
}

#[tokio::test]
async fn include_body_exposes_1_mb_and_streams_the_whole_upload_to_the_origin() {
    let port = counting_origin().await;
    let config = format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{port}\"\n[default_behavior]\norigin = \"o\"\n\
         allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\", \"PUT\", \"PATCH\", \"POST\", \"DELETE\"]\n\
         origin_request = {{ runtime = \"nodejs20.x\", handler = \"index.handler\", include_body = true }}\n"
    );
    let handler = "exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const seen = `${request.body.inputTruncated} ${Buffer.from(request.body.data, 'base64').length}`;
  request.headers['x-seen'] = [{ key: 'X-Seen', value: seen }];
  return request;
};
";
    let edge = Edge::start(&config, &[("index.js", handler)]).await;
    let chunks = 200;
    let size = chunks * 1024 * 1024;
    let before = rss_mb();
    let stream = tokio::net::TcpStream::connect(edge.server.local_addr())
        .await
        .expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    let upload = Upload {
        chunk: Bytes::from(vec![b'x'; 1024 * 1024]),
        left: chunks,
    };
    let req = Request::post("/upload")
        .header("host", "edgesim.test")
        .header("content-length", size.to_string())
        .body(upload)
        .expect("request");
    let response = sender.send_request(req).await.expect("response");
    let status = response.status();
    let label = format!("{:?}", response.headers().get("x-cache"));
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{label}");
    assert_eq!(
        body,
        format!("{size} true 1048576"),
        "the function saw 1 MB, the origin got everything"
    );
    let growth = rss_mb().saturating_sub(before);
    eprintln!("include_body 200 MB upload: serve's RSS grew {growth} MB");
    assert!(growth < 100, "serve held the upload: RSS grew {growth} MB");
    edge.shutdown().await;
}
