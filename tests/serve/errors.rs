//! Error caching, stale content on origin errors, custom error responses, and the
//! conditional/range details (docs/cloudfront/cache-and-origin.md).

use crate::harness::Edge;
use crate::scripted::{Scripted, HANG};

fn config(origin: &Scripted, behavior: &str, extra: &str) -> String {
    format!(
        "{}{extra}\n[default_behavior]\norigin = \"o\"\n{behavior}\n",
        origin.origin("o")
    )
}

async fn twice(edge: &Edge, path: &str) -> String {
    edge.get(path).await;
    edge.get(path).await.x_cache().to_owned()
}

#[tokio::test]
async fn a_404_from_the_origin_is_cached_for_the_error_caching_minimum_ttl() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = \"CachingOptimized\"", ""),
        &[],
    )
    .await;
    for status in [404, 414, 500, 501, 502, 503, 504] {
        let path = format!("/s/status={status}/e");
        let first = edge.get(&path).await;
        assert_eq!(first.status.as_u16(), status);
        edge.get(&path).await;
        assert_eq!(
            origin.count(&format!("/s/status={status}/")),
            1,
            "{status} is cached"
        );
    }
}

#[tokio::test]
async fn a_403_is_cached_only_when_the_origin_sends_max_age() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "", ""), &[]).await;
    for status in [400, 403, 405, 412, 415] {
        twice(&edge, &format!("/s/status={status}/plain")).await;
        assert_eq!(
            origin.count(&format!("/s/status={status}/plain")),
            2,
            "{status}"
        );
        twice(&edge, &format!("/s/status={status};cc=max-age=30/told")).await;
        assert_eq!(
            origin.count(&format!("/s/status={status};cc=max-age=30/told")),
            1,
            "{status} with max-age"
        );
    }
}

#[tokio::test]
async fn a_416_from_the_origin_is_never_cached() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { min_ttl = 60, default_ttl = 60 }",
            "",
        ),
        &[],
    )
    .await;
    twice(&edge, "/s/status=416;cc=max-age=60/r").await;
    assert_eq!(origin.count("/s/"), 2);
}

#[tokio::test]
async fn the_error_caching_minimum_ttl_comes_from_the_custom_error_response() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "",
            "[[custom_error_responses]]\nerror_code = 503\nerror_caching_min_ttl = 0\n",
        ),
        &[],
    )
    .await;
    twice(&edge, "/s/status=503/x").await;
    assert_eq!(
        origin.count("/s/"),
        2,
        "error_caching_min_ttl = 0 caches nothing"
    );
}

#[tokio::test]
async fn an_expired_object_is_served_stale_when_the_origin_answers_5xx() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = { default_ttl = 1 }", ""),
        &[],
    )
    .await;
    let fresh = edge.get("/s/cc=max-age=1/stale").await;
    assert_eq!(fresh.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    origin.fail_with(503);
    let stale = edge.get("/s/cc=max-age=1/stale").await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, fresh.body);
    // A 4xx is passed to the viewer instead.
    origin.fail_with(0);
    edge.get("/s/cc=max-age=1/four").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    origin.fail_with(404);
    assert_eq!(edge.get("/s/cc=max-age=1/four").await.status, 404);
}

#[tokio::test]
async fn stale_if_error_zero_turns_stale_serving_off() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "", ""), &[]).await;
    edge.get("/s/cc=max-age=1,stale-if-error=0/z").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    origin.fail_with(500);
    assert_eq!(
        edge.get("/s/cc=max-age=1,stale-if-error=0/z").await.status,
        500
    );
}

#[tokio::test]
async fn an_expired_object_is_served_stale_when_the_origin_times_out() {
    let origin = Scripted::start().await;
    let text = format!(
        "{}read_timeout = 1\nconnection_attempts = 1\n[default_behavior]\norigin = \"o\"\n",
        origin.origin("o")
    );
    let edge = Edge::start(&text, &[]).await;
    let fresh = edge.get("/s/cc=max-age=1/t").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    origin.fail_with(HANG);
    let stale = edge.get("/s/cc=max-age=1/t").await;
    assert_eq!((stale.status.as_u16(), stale.body), (200, fresh.body));
    // Without a cached copy the viewer gets CloudFront's 504.
    assert_eq!(edge.get("/s/never-cached").await.status, 504);
}

#[tokio::test]
async fn spa_pattern_403_and_404_answer_index_html_with_200() {
    let site = [
        ("site/index.html", "<div id=app></div>"),
        ("site/app.js", "console.log(1)"),
    ];
    let text = "[[origins]]\nid = \"s3\"\nmock = { root = \"site\", s3 = true }\n\
        [[custom_error_responses]]\nerror_code = 403\nresponse_page_path = \"/index.html\"\nresponse_code = 200\n\
        [[custom_error_responses]]\nerror_code = 404\nresponse_page_path = \"/index.html\"\nresponse_code = 200\n\
        [default_behavior]\norigin = \"s3\"\ncache_policy = \"CachingOptimized\"\n";
    let edge = Edge::start(text, &site).await;
    let deep = edge.get("/dashboard/settings").await;
    assert_eq!(deep.status, 200);
    assert_eq!(deep.body, "<div id=app></div>");
    assert_eq!(
        deep.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let asset = edge.get("/app.js").await;
    assert_eq!(
        (asset.status.as_u16(), asset.body.as_str()),
        (200, "console.log(1)")
    );
}

#[tokio::test]
async fn a_custom_error_page_is_fetched_through_the_behavior_matching_its_path() {
    let origin = Scripted::start().await;
    let pages = Scripted::start().await;
    let text = format!(
        "{}{}[[custom_error_responses]]\nerror_code = 500\nresponse_page_path = \"/errors/s/status=200;cc=max-age=60/500.html\"\n\
        [default_behavior]\norigin = \"o\"\n\
        [[behaviors]]\npath_pattern = \"/errors/*\"\norigin = \"pages\"\n",
        origin.origin("o"),
        pages.origin("pages")
    );
    let edge = Edge::start(&text, &[]).await;
    let reply = edge.get("/s/status=500/broken").await;
    assert_eq!(
        reply.status, 500,
        "the original status without response_code"
    );
    assert!(
        reply.body.contains("/errors/s/status=200"),
        "{}",
        reply.body
    );
    assert_eq!(pages.count("/errors/"), 1);
    // The page is cached like any object of its behavior.
    edge.get("/s/status=500/other").await;
    assert_eq!(pages.count("/errors/"), 1);
}

#[tokio::test]
async fn if_range_with_a_wrong_etag_gets_the_full_object() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "", ""), &[]).await;
    let path = "/s/etag=%22v1%22;len=100/ir";
    edge.get(path).await;
    let wrong = edge
        .get_with(path, &[("range", "bytes=0-9"), ("if-range", "\"v0\"")])
        .await;
    assert_eq!(wrong.status, 200);
    assert_eq!(wrong.body.len(), 100);
    let right = edge
        .get_with(path, &[("range", "bytes=0-9"), ("if-range", "\"v1\"")])
        .await;
    assert_eq!(right.status, 206);
    assert_eq!(right.body.len(), 10);
}

#[tokio::test]
async fn a_failing_if_match_or_if_unmodified_since_gets_412() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "", ""), &[]).await;
    let path = "/s/etag=%22v1%22;h=Last-Modified:Wed,%2021%20Oct%202015%2007:28:00%20GMT/pc";
    edge.get(path).await;
    assert_eq!(
        edge.get_with(path, &[("if-match", "\"v0\"")]).await.status,
        412
    );
    assert_eq!(
        edge.get_with(path, &[("if-match", "\"v1\"")]).await.status,
        200
    );
    let early = [("if-unmodified-since", "Tue, 20 Oct 2015 07:28:00 GMT")];
    assert_eq!(edge.get_with(path, &early).await.status, 412);
}

#[tokio::test]
async fn a_malformed_range_gets_200_with_the_full_object() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "", ""), &[]).await;
    let path = "/s/len=50/mr";
    edge.get(path).await;
    for range in ["bytes=9-1", "bytes=0-9,5-20", "bytes=x-y"] {
        let reply = edge.get_with(path, &[("range", range)]).await;
        assert_eq!(
            (reply.status.as_u16(), reply.body.len()),
            (200, 50),
            "{range}"
        );
    }
}

#[tokio::test]
async fn a_chunked_origin_answer_to_a_range_request_is_the_whole_object() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "", ""), &[]).await;
    let reply = edge
        .get_with("/s/chunked=1;len=500/ch", &[("range", "bytes=0-9")])
        .await;
    assert_eq!((reply.status.as_u16(), reply.body.len()), (200, 500));
}

#[tokio::test]
async fn other_4xx_statuses_are_never_cached() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = \"CachingOptimized\"", ""),
        &[],
    )
    .await;
    for status in [401, 409, 429] {
        let path = format!("/s/status={status};cc=max-age=60/x");
        twice(&edge, &path).await;
        assert_eq!(origin.count(&path), 2, "{status}");
    }
}

#[tokio::test]
async fn an_error_with_a_longer_max_age_is_cached_that_long() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = \"CachingOptimized\"",
            "[[custom_error_responses]]\nerror_code = 503\nerror_caching_min_ttl = 1\n",
        ),
        &[],
    )
    .await;
    let long = "/s/status=503;cc=max-age=60/long";
    let short = "/s/status=503/short";
    edge.get(long).await;
    edge.get(short).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    edge.get(long).await;
    edge.get(short).await;
    assert_eq!(origin.count(long), 1, "max-age=60 over the 1 s minimum");
    assert_eq!(origin.count(short), 2, "the 1 s minimum expired");
}

#[tokio::test]
async fn an_error_caching_minimum_ttl_of_zero_caches_nothing() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = \"CachingOptimized\"",
            "[[custom_error_responses]]\nerror_code = 404\nerror_caching_min_ttl = 0\n",
        ),
        &[],
    )
    .await;
    twice(&edge, "/s/status=404/zero").await;
    assert_eq!(origin.count("/s/status=404/zero"), 2);
}

#[tokio::test]
async fn a_custom_error_page_is_served_when_the_origin_cannot_be_reached() {
    let dead = crate::harness::dead_port().await;
    let text = format!(
        "[[origins]]\nid = \"app\"\nurl = \"http://127.0.0.1:{dead}\"\nconnection_attempts = 1\nconnect_timeout = 1\n\
        [[origins]]\nid = \"pages\"\nmock = {{ root = \"pages\" }}\n\
        [[custom_error_responses]]\nerror_code = 502\nresponse_page_path = \"/errors/down.html\"\nresponse_code = 503\n\
        [default_behavior]\norigin = \"app\"\n\
        [[behaviors]]\npath_pattern = \"/errors/*\"\norigin = \"pages\"\n"
    );
    let edge = Edge::start(&text, &[("pages/errors/down.html", "<h1>Back soon</h1>")]).await;
    let reply = edge.get("/anything").await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.body, "<h1>Back soon</h1>");
}

#[tokio::test]
async fn viewer_response_does_not_run_on_a_custom_error_page_nor_viewer_request_for_its_fetch() {
    let origin = Scripted::start().await;
    let viewer_request = "function handler(event) {
    var r = event.request;
    r.headers['x-vreq'] = { value: 'ran' };
    return r;
}";
    let viewer_response = "function handler(event) {
    var r = event.response;
    r.headers['x-vres'] = { value: 'ran' };
    return r;
}";
    let text = format!(
        "{}[[custom_error_responses]]\nerror_code = 404\nresponse_page_path = \"/s/echo=1/page.html\"\nresponse_code = 200\n\
        [default_behavior]\norigin = \"o\"\ncache_policy = \"CachingDisabled\"\n\
        origin_request_policy = \"AllViewer\"\n\
        viewer_request = {{ code = \"vreq.js\" }}\nviewer_response = {{ code = \"vres.js\" }}\n",
        origin.origin("o")
    );
    let edge = Edge::start(
        &text,
        &[("vreq.js", viewer_request), ("vres.js", viewer_response)],
    )
    .await;
    let ok = edge.get("/s/fine").await;
    assert_eq!(ok.header("x-vres"), Some("ran"));
    assert_eq!(origin.last().1.get("x-vreq").unwrap(), "ran");
    let page = edge.get("/s/status=404/missing").await;
    assert_eq!(page.status, 200);
    assert!(page.header("x-vres").is_none(), "viewer-response skipped");
    let (uri, headers) = origin.last();
    assert!(uri.contains("page.html"), "{uri}");
    assert!(
        headers.get("x-vreq").is_none(),
        "viewer-request skipped for the page fetch"
    );
}

#[tokio::test]
async fn the_spa_sample_answers_deep_links_with_index_html() {
    use edgesim::proxy::{Config, Distribution, Server};
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("edge-samples/spa.toml");
    let config = Config::load(&file).expect("edge-samples/spa.toml loads");
    let server = Server::bind(
        Distribution::start(&config).await.expect("starts"),
        "127.0.0.1:0",
    )
    .await
    .expect("binds");
    let get = |path: &'static str| {
        crate::harness::request(
            server.local_addr(),
            http::Request::get(path).body(String::new()).unwrap(),
        )
    };
    let index = std::fs::read_to_string(file.with_file_name("site/index.html")).unwrap();
    let deep = get("/dashboard/settings").await;
    assert_eq!(
        (deep.status.as_u16(), deep.body.as_str()),
        (200, index.as_str())
    );
    let asset = get("/assets/app.js").await;
    assert_eq!(asset.status, 200);
    assert_ne!(asset.body, index);
    // The page is fetched with the viewer's Accept-Encoding: compressed like any object.
    let gzip = crate::harness::request(
        server.local_addr(),
        http::Request::get("/another/deep/link")
            .header("accept-encoding", "gzip")
            .body(String::new())
            .unwrap(),
    )
    .await;
    assert_eq!(gzip.status, 200);
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    server.shutdown().await;
}

#[tokio::test]
async fn stale_while_revalidate_serves_the_stale_object_and_refreshes_it_in_the_background() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = \"CachingOptimized\"", ""),
        &[],
    )
    .await;
    let path = "/s/cc=max-age=1,stale-while-revalidate=30/swr";
    edge.get(path).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let stale = edge.get(path).await;
    assert_eq!(
        stale.x_cache(),
        "Hit from cloudfront",
        "served stale at once"
    );
    assert!(stale.header("age").unwrap().parse::<u64>().unwrap() >= 1);
    // The origin is asked again, without the viewer waiting for it.
    for _ in 0..50 {
        if origin.count(path) == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(origin.count(path), 2);
    let fresh = edge.get(path).await;
    assert_eq!(fresh.x_cache(), "Hit from cloudfront");
    assert_eq!(fresh.header("age"), Some("0"), "the refreshed copy");
    assert_eq!(origin.count(path), 2);
}

#[tokio::test]
async fn no_store_keeps_a_404_414_or_501_out_of_the_cache_but_not_a_500() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = \"CachingOptimized\"", ""),
        &[],
    )
    .await;
    for status in [404, 414, 501] {
        for cc in ["no-store", "no-cache", "private"] {
            let path = format!("/s/status={status};cc={cc}/x");
            twice(&edge, &path).await;
            assert_eq!(origin.count(&path), 2, "{status} {cc}");
        }
    }
    let path = "/s/status=500;cc=no-store/x";
    twice(&edge, path).await;
    assert_eq!(
        origin.count(path),
        1,
        "CloudFront ignores no-store on a 500"
    );
}

#[tokio::test]
async fn a_custom_error_page_that_cannot_be_fetched_gives_the_viewer_the_page_fetchs_status() {
    let origin = Scripted::start().await;
    let text = format!(
        "{}[[origins]]\nid = \"pages\"\nmock = {{ root = \"pages\" }}\n\
        [[custom_error_responses]]\nerror_code = 500\nresponse_page_path = \"/errors/missing.html\"\nresponse_code = 200\n\
        [default_behavior]\norigin = \"o\"\n\
        [[behaviors]]\npath_pattern = \"/errors/*\"\norigin = \"pages\"\n",
        origin.origin("o")
    );
    let edge = Edge::start(&text, &[("pages/errors/other.html", "x")]).await;
    let reply = edge.get("/s/status=500/broken").await;
    assert_eq!(
        reply.status, 404,
        "the status of the failed page fetch, not 200"
    );
}

#[tokio::test]
async fn a_cached_error_keeps_getting_the_custom_error_page() {
    let origin = Scripted::start().await;
    let pages = Scripted::start().await;
    let text = format!(
        "{}{}[[custom_error_responses]]\nerror_code = 404\nresponse_page_path = \"/errors/s/cc=max-age=60/404.html\"\nresponse_code = 200\n\
        [default_behavior]\norigin = \"o\"\ncache_policy = \"CachingOptimized\"\n\
        [[behaviors]]\npath_pattern = \"/errors/*\"\norigin = \"pages\"\n",
        origin.origin("o"),
        pages.origin("pages")
    );
    let edge = Edge::start(&text, &[]).await;
    for _ in 0..2 {
        let reply = edge.get("/s/status=404/gone").await;
        assert_eq!(reply.status, 200);
        assert!(reply.body.contains("404.html"), "{}", reply.body);
        assert_eq!(reply.x_cache(), "Error from cloudfront");
    }
    assert_eq!(origin.count("/s/"), 1, "the 404 is cached");
    assert_eq!(pages.count("/errors/"), 1, "so is the page");
}

/// An origin on a raw socket that answers every request with `head` and `body`, then closes
/// the connection. Returns its port and a connection counter.
async fn raw_origin(
    head: &'static str,
    body: &'static [u8],
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body).await;
            let _ = stream.shutdown().await;
        }
    });
    (port, count)
}

/// A GET on a raw socket, read until the edge closes or 3 s pass (the answer may be cut).
async fn raw_get(edge: &Edge, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(edge.server.local_addr())
        .await
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        stream.read_to_end(&mut raw),
    )
    .await;
    String::from_utf8_lossy(&raw).into_owned()
}

#[tokio::test]
async fn an_object_shorter_than_its_content_length_is_not_cached() {
    let (port, connections) = raw_origin(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nCache-Control: max-age=60\r\n\r\n",
        &[b'a'; 50],
    )
    .await;
    let text = format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{port}\"\nconnection_attempts = 1\n\
        [default_behavior]\norigin = \"o\"\ncache_policy = \"CachingOptimized\"\n"
    );
    let edge = Edge::start(&text, &[]).await;
    raw_get(&edge, "/cut").await;
    raw_get(&edge, "/cut").await;
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_object_without_content_length_is_cached_as_received() {
    let (port, connections) = raw_origin(
        "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nConnection: close\r\n\r\n",
        &[b'a'; 50],
    )
    .await;
    let text = format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{port}\"\n\
        [default_behavior]\norigin = \"o\"\ncache_policy = \"CachingOptimized\"\n"
    );
    let edge = Edge::start(&text, &[]).await;
    raw_get(&edge, "/open").await;
    let second = raw_get(&edge, "/open").await;
    assert!(second.contains("Hit from cloudfront"), "{second}");
    assert!(second.ends_with(&"a".repeat(50)), "{second}");
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn custom_error_responses_cloudfront_refuses_are_config_errors() {
    let origin = Scripted::start().await;
    for (extra, expected) in [
        (
            "[[custom_error_responses]]\nerror_code = 401\nresponse_page_path = \"/e.html\"\n",
            "error_code 401",
        ),
        (
            "[[custom_error_responses]]\nerror_code = 404\nresponse_code = 200\n",
            "response_page_path",
        ),
        (
            "[[custom_error_responses]]\nerror_code = 404\nresponse_page_path = \"/e.html\"\nresponse_code = 302\n",
            "response_code 302",
        ),
        (
            "[[custom_error_responses]]\nerror_code = 404\nresponse_page_path = \"e.html\"\n",
            "must start with '/'",
        ),
    ] {
        let err = Edge::try_start(&config(&origin, "", extra), &[])
            .await
            .err()
            .unwrap_or_else(|| panic!("accepted: {extra}"))
            .to_string();
        assert!(err.contains("custom_error_responses"), "{err}");
        assert!(err.contains(expected), "{err}");
    }
}
