//! A real HTTP origin whose answers the test writes into the path, so each test states what
//! the origin does next to what it expects of the edge:
//!
//! `/s/status=404;cc=max-age=5;h=Set-Cookie:a=1;len=2000;ct=text%2Fhtml;etag="v1"/rest`
//!
//! - `status` (default 200), `cc` (Cache-Control), `h=Name:Value` (repeatable), `ct`
//!   (Content-Type, default text/plain), `len` (body of that many bytes, else a short text
//!   naming the request), `etag`, `chunked=1` (no Content-Length), `echo=1` (the request as
//!   JSON), `delay_ms`;
//! - `%20` in the path is a space, `%22` a quote, `%2F` a slash; items without `=` are
//!   names only.
//!
//! `fail_with(code)` makes every later answer that status (for stale-on-error tests).
//! Requests are counted per path.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// `fail_with(HANG)`: the origin stops answering in time.
pub const HANG: u16 = 1;

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

#[derive(Default)]
struct State {
    seen: Vec<(String, HeaderMap)>,
    per_path: HashMap<String, usize>,
}

pub struct Scripted {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    fail: Arc<AtomicU16>,
}

impl Scripted {
    pub async fn start() -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state: Arc<Mutex<State>> = Arc::default();
        let fail = Arc::new(AtomicU16::new(0));
        let (s, f) = (state.clone(), fail.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (s, f) = (s.clone(), f.clone());
                let service = service_fn(move |req: Request<Incoming>| {
                    let (s, f) = (s.clone(), f.clone());
                    async move { Ok::<_, Infallible>(answer(req, &s, &f).await) }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        Scripted { addr, state, fail }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `[[origins]]` for this origin.
    pub fn origin(&self, id: &str) -> String {
        format!(
            "[[origins]]\nid = \"{id}\"\nurl = \"http://127.0.0.1:{}\"\n",
            self.port()
        )
    }

    /// Requests whose path starts with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        let state = self.state.lock().expect("lock");
        state
            .per_path
            .iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }

    /// The last request: its path-and-query and headers.
    pub fn last(&self) -> (String, HeaderMap) {
        self.state
            .lock()
            .expect("lock")
            .seen
            .last()
            .cloned()
            .expect("the origin saw no request")
    }

    /// Every later answer has this status (0 = follow the script again; [`HANG`] = answer
    /// only after 5 s).
    pub fn fail_with(&self, status: u16) {
        self.fail.store(status, Ordering::SeqCst);
    }
}

async fn answer(req: Request<Incoming>, state: &Mutex<State>, fail: &AtomicU16) -> Response<Body> {
    let uri = req.uri().to_string();
    let path = req.uri().path().to_owned();
    {
        let mut s = state.lock().expect("lock");
        s.seen.push((uri.clone(), req.headers().clone()));
        *s.per_path.entry(path.clone()).or_default() += 1;
    }
    let script = path
        .strip_prefix("/s/")
        .map(|rest| rest.split('/').next().unwrap_or(""))
        .unwrap_or("")
        .replace("%20", " ")
        .replace("%22", "\"")
        .replace("%2F", "/");
    let mut status = 200;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut len: Option<usize> = None;
    let (mut chunked, mut echo) = (false, false);
    let mut content_type = "text/plain".to_owned();
    // Items without `=` are just names (`/s/page`).
    for item in script.split(';').filter(|i| i.contains('=')) {
        let (k, v) = item.split_once('=').unwrap_or((item, ""));
        match k {
            "status" => status = v.parse().expect("status"),
            "cc" => headers.push(("cache-control".into(), v.into())),
            "h" => {
                let (n, v) = v.split_once(':').expect("h=Name:Value");
                headers.push((n.into(), v.into()));
            }
            "ct" => content_type = v.into(),
            "len" => len = Some(v.parse().expect("len")),
            "etag" => headers.push(("etag".into(), v.into())),
            "chunked" => chunked = v == "1",
            "echo" => echo = v == "1",
            "delay_ms" => tokio::time::sleep(Duration::from_millis(v.parse().expect("ms"))).await,
            other => panic!("unknown script item {other:?}"),
        }
    }
    let failing = fail.load(Ordering::SeqCst);
    if failing == HANG {
        tokio::time::sleep(Duration::from_secs(5)).await;
    } else if failing != 0 {
        status = failing;
    }
    let text = if echo {
        let h: HashMap<String, String> = req
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into(),
                )
            })
            .collect();
        let (parts, body) = req.into_parts();
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        serde_json::json!({
            "method": parts.method.as_str(),
            "uri": uri,
            "headers": h,
            "body": String::from_utf8_lossy(&body),
        })
        .to_string()
    } else if let Some(n) = len {
        "a".repeat(n)
    } else {
        format!("{status} {uri}")
    };
    let bytes = Bytes::from(text);
    let body: Body = if chunked {
        let chunks = bytes.chunks(100).map(Bytes::copy_from_slice).collect();
        BodyExt::boxed(Chunks(chunks))
    } else {
        BodyExt::boxed(Full::new(bytes))
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).expect("status");
    response
        .headers_mut()
        .insert("content-type", content_type.parse().expect("ct"));
    for (n, v) in headers {
        response.headers_mut().append(
            http::HeaderName::from_bytes(n.as_bytes()).expect("name"),
            v.parse().expect("value"),
        );
    }
    response
}

/// A body of ready chunks with no known length, so hyper sends it chunked.
struct Chunks(std::collections::VecDeque<Bytes>);

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
    }
}
