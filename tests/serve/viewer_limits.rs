//! CloudFront's viewer-side rules (docs/cloudfront/viewer-limits.md): request size limits,
//! timeouts for slow and idle connections, allowed and cached methods, the Host header, and the
//! size of the headers a function leaves. Real sockets; raw bytes where a client library would
//! not send what a hostile viewer does.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::{Edge, TestOrigin};

const ALL_METHODS: &str =
    "[\"GET\", \"HEAD\", \"OPTIONS\", \"PUT\", \"PATCH\", \"POST\", \"DELETE\"]";

fn config(origin: &TestOrigin, behavior: &str) -> String {
    format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{}\"\n[default_behavior]\norigin = \"o\"\n{behavior}\n",
        origin.port()
    )
}

/// Sends `request` as raw bytes and reads until the server closes the connection or 5 s pass.
/// Returns what was read and whether the connection was closed.
async fn raw(addr: SocketAddr, request: &[u8]) -> (String, bool) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut read = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => read.extend_from_slice(&buf[..n]),
            Err(_) => break false,
        }
    };
    (String::from_utf8_lossy(&read).into_owned(), closed)
}

fn status_of(response: &str) -> &str {
    response.split(' ').nth(1).unwrap_or("")
}

#[tokio::test]
async fn a_url_over_8192_bytes_gets_413_and_the_connection_is_closed() {
    let origin = TestOrigin::start().await;
    let edge = Edge::start(&config(&origin, ""), &[]).await;
    let addr = edge.server.local_addr();
    // 8,192 bytes of URL are allowed.
    let path = format!("/{}", "a".repeat(8191));
    let ok = edge.get(&path).await;
    assert_eq!(ok.status, 200);
    let long = format!("/{}", "a".repeat(8192));
    let (response, closed) = raw(
        addr,
        format!("GET {long} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(status_of(&response), "413", "{response}");
    assert!(
        response.contains("X-Cache: Error from cloudfront"),
        "{response}"
    );
    assert!(response.contains("<H1>413 ERROR</H1>"), "{response}");
    assert!(closed, "the connection stays open after 413");
    assert_eq!(origin.count(), 1);
}

#[tokio::test]
async fn a_request_over_20480_bytes_with_headers_gets_413_and_the_connection_is_closed() {
    let origin = TestOrigin::start().await;
    let edge = Edge::start(&config(&origin, ""), &[]).await;
    let addr = edge.server.local_addr();
    let small = edge.get_with("/", &[("x-pad", &"p".repeat(19_000))]).await;
    assert_eq!(small.status, 200);
    for size in [24_000, 100_000] {
        let headers: String = (0..size / 4000)
            .map(|i| format!("X-Pad-{i}: {}\r\n", "p".repeat(3990)))
            .collect();
        let (response, closed) = raw(
            addr,
            format!("GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n").as_bytes(),
        )
        .await;
        assert_eq!(status_of(&response), "413", "{size}: {response}");
        assert!(closed, "{size}: the connection stays open after 413");
    }
    assert_eq!(origin.count(), 1);
}

#[tokio::test]
async fn slow_and_idle_viewer_connections_are_closed_after_the_idle_timeout() {
    let origin = TestOrigin::start().await;
    let edge = Edge::start(
        &config(&origin, "").replace("[[origins]]", "[viewer]\nidle_timeout = 1\n[[origins]]"),
        &[],
    )
    .await;
    let addr = edge.server.local_addr();
    // 200 slowloris connections: a request head that never ends.
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .expect("write");
        slow.push(stream);
    }
    // One kept-alive connection that goes idle after a request.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    // Meanwhile other viewers are served.
    assert_eq!(edge.get("/while-slow").await.status, 200);
    let mut buf = [0u8; 4096];
    let first = idle.read(&mut buf).await.expect("read");
    assert!(String::from_utf8_lossy(&buf[..first]).starts_with("HTTP/1.1 200"));
    let closed_in_time = |mut stream: TcpStream| async move {
        let mut buf = [0u8; 4096];
        loop {
            match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => continue,
                Err(_) => return false,
            }
        }
    };
    let results = futures_join(slow.into_iter().map(closed_in_time).collect::<Vec<_>>()).await;
    assert!(
        results.iter().all(|closed| *closed),
        "a slow connection stayed open"
    );
    assert!(
        closed_in_time(idle).await,
        "the idle connection stayed open"
    );
}

/// Awaits every future (no extra dependency for a join).
async fn futures_join<F: std::future::Future<Output = bool> + Send + 'static>(
    futures: Vec<F>,
) -> Vec<bool> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap_or(false));
    }
    out
}

#[tokio::test]
async fn methods_outside_the_behaviors_allowed_set_get_403() {
    let origin = TestOrigin::start().await;
    let edge = Edge::start(
        &format!(
            "{}[[behaviors]]\npath_pattern = \"/api/*\"\norigin = \"o\"\nallowed_methods = {ALL_METHODS}\n\
             [[behaviors]]\npath_pattern = \"/cors/*\"\norigin = \"o\"\nallowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]\n",
            config(&origin, "")
        ),
        &[],
    )
    .await;
    let addr = edge.server.local_addr();
    let send = |method: &str, path: &str| {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        async move { raw(addr, request.as_bytes()).await.0 }
    };
    // The default behavior allows GET and HEAD only (CloudFront's default).
    for method in ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        let response = send(method, "/page").await;
        assert_eq!(status_of(&response), "403", "{method}: {response}");
        assert!(
            response.contains("not configured to allow the HTTP request method"),
            "{response}"
        );
        assert!(
            response.contains("X-Cache: Error from cloudfront"),
            "{response}"
        );
    }
    assert_eq!(status_of(&send("OPTIONS", "/cors/x").await), "200");
    assert_eq!(status_of(&send("POST", "/cors/x").await), "403");
    for method in ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        assert_eq!(status_of(&send(method, "/api/x").await), "200", "{method}");
    }
    // Outside CloudFront's seven methods nothing is allowed, whatever the behavior.
    for method in ["TRACE", "FOO"] {
        let response = send(method, "/api/x").await;
        assert_eq!(status_of(&response), "403", "{method}: {response}");
    }
    let (connect, _) = raw(
        addr,
        b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n",
    )
    .await;
    assert_eq!(status_of(&connect), "403", "{connect}");
    // A GET with a body is refused too.
    let (get_body, _) = raw(
        addr,
        b"GET /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    )
    .await;
    assert_eq!(status_of(&get_body), "403", "{get_body}");
    assert_eq!(
        origin.count(),
        6,
        "only the allowed requests reach the origin"
    );
}

#[tokio::test]
async fn options_responses_are_cached_when_the_cached_methods_say_so() {
    let origin = TestOrigin::start().await;
    let behavior = "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]\ncached_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]";
    let edge = Edge::start(&config(&origin, behavior), &[]).await;
    let options = || http::Request::options("/cors").body(()).unwrap();
    assert_eq!(edge.send(options()).await.x_cache(), "Miss from cloudfront");
    assert_eq!(edge.send(options()).await.x_cache(), "Hit from cloudfront");
    // The GET of the same URL is a different object.
    assert_eq!(edge.get("/cors").await.x_cache(), "Miss from cloudfront");
    assert_eq!(origin.count(), 2);

    let uncached = Edge::start(
        &config(
            &origin,
            "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]",
        ),
        &[],
    )
    .await;
    uncached.send(options()).await;
    assert_eq!(
        uncached.send(options()).await.x_cache(),
        "Miss from cloudfront"
    );
}

#[tokio::test]
async fn method_sets_cloudfront_does_not_offer_are_config_errors() {
    let origin = TestOrigin::start().await;
    let error = |behavior: &str| {
        let config = config(&origin, behavior);
        async move {
            match Edge::try_start(&config, &[]).await {
                Ok(_) => panic!("accepted"),
                Err(e) => e.to_string(),
            }
        }
    };
    let message = error("allowed_methods = [\"GET\", \"POST\"]").await;
    assert!(
        message.contains("line 6")
            && message
                .contains("default_behavior.allowed_methods: CloudFront allows one of three sets"),
        "{message}"
    );
    let message = error("cached_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]").await;
    assert!(
        message.contains("OPTIONS can be cached only if allowed_methods includes it"),
        "{message}"
    );
}

#[tokio::test]
async fn two_host_headers_or_http11_without_host_get_400() {
    let origin = TestOrigin::start().await;
    let edge = Edge::start(&config(&origin, ""), &[]).await;
    let addr = edge.server.local_addr();
    let (two, closed) = raw(addr, b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").await;
    assert_eq!(status_of(&two), "400", "{two}");
    assert!(two.contains("Bad request."), "{two}");
    assert!(closed);
    let (none, _) = raw(addr, b"GET / HTTP/1.1\r\n\r\n").await;
    assert_eq!(status_of(&none), "400", "{none}");
    // HTTP/1.0 needs no Host.
    let (old, _) = raw(addr, b"GET / HTTP/1.0\r\n\r\n").await;
    assert_eq!(status_of(&old), "200", "{old}");
    assert_eq!(origin.count(), 1);
}

#[tokio::test]
async fn headers_a_function_generates_are_limited_like_any_request_or_response() {
    let origin = TestOrigin::start().await;
    let generate = "function handler(event) {
  var n = event.request.querystring.n ? parseInt(event.request.querystring.n.value) : 0;
  var headers = {};
  for (var i = 0; i < n; i++) { headers['x-big-' + i] = { value: 'v'.repeat(1000) }; }
  return { statusCode: 200, statusDescription: 'OK', headers: headers };
}";
    let add = "function handler(event) {
  var response = event.response;
  for (var i = 0; i < 30; i++) { response.headers['x-big-' + i] = { value: 'v'.repeat(1000) }; }
  return response;
}";
    let config = format!(
        "{}[[behaviors]]\npath_pattern = \"/gen\"\norigin = \"o\"\nviewer_request = {{ code = \"gen.js\" }}\n\
         [[behaviors]]\npath_pattern = \"/add\"\norigin = \"o\"\nviewer_response = {{ code = \"add.js\" }}\n",
        config(&origin, "")
    );
    let edge = Edge::start(&config, &[("gen.js", generate), ("add.js", add)]).await;
    let small = edge.get("/gen?n=5").await;
    assert_eq!(small.status, 200, "{}", small.body);
    assert_eq!(small.x_cache(), "FunctionGeneratedResponse from cloudfront");
    let big = edge.get("/gen?n=30").await;
    assert_eq!(big.status, 502, "{}", big.body);
    assert_eq!(big.x_cache(), "FunctionValidationError from cloudfront");
    assert!(
        big.body.contains("over CloudFront's limit of 20480 bytes"),
        "{}",
        big.body
    );
    assert!(big.header("x-big-0").is_none());
    let added = edge.get("/add").await;
    assert_eq!(added.status, 502, "{}", added.body);
    assert!(added.header("x-big-0").is_none());
}

#[tokio::test]
async fn a_malformed_chunked_body_gets_400_not_502() {
    let origin = TestOrigin::start().await;
    let behavior = format!("allowed_methods = {ALL_METHODS}");
    let edge = Edge::start(&config(&origin, &behavior), &[]).await;
    let addr = edge.server.local_addr();
    // "zz" is not a hexadecimal chunk size.
    let (response, _) = raw(
        addr,
        b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(status_of(&response), "400", "{response}");
    assert!(
        response.contains("X-Cache: Error from cloudfront"),
        "{response}"
    );
    // A well-formed chunked body still reaches the origin.
    let (response, _) = raw(
        addr,
        b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(status_of(&response), "200", "{response}");
}
