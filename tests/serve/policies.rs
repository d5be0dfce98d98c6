//! Cache policies, origin request policies, the cache key, what reaches the origin, TTLs
//! (docs/cloudfront/cache-and-origin.md). Each test is one documented rule.

use http::Request;

use crate::harness::Edge;
use crate::scripted::Scripted;

/// One origin `o` and a default behavior with `behavior` lines.
fn config(origin: &Scripted, behavior: &str) -> String {
    format!(
        "{}[default_behavior]\norigin = \"o\"\n{behavior}\n",
        origin.origin("o")
    )
}

#[tokio::test]
async fn caching_optimized_keeps_query_strings_cookies_and_headers_out_of_the_key() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    assert_eq!(
        edge.get("/s/echo=1/a?x=1").await.x_cache(),
        "Miss from cloudfront"
    );
    let again = edge
        .get_with("/s/echo=1/a?x=2", &[("cookie", "s=1"), ("x-any", "1")])
        .await;
    assert_eq!(again.x_cache(), "Hit from cloudfront");
    assert_eq!(origin.count("/s/echo=1/a"), 1);
    // And none of them reached the origin.
    let (uri, headers) = origin.last();
    assert_eq!(uri, "/s/echo=1/a");
    assert!(headers.get("cookie").is_none());
}

#[tokio::test]
async fn a_managed_policy_is_found_by_its_id() {
    let origin = Scripted::start().await;
    // 4135ea2d-… is CachingDisabled.
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = \"4135ea2d-6df8-44a3-9df3-4b5a84be39ad\"",
        ),
        &[],
    )
    .await;
    edge.get("/s/cc=max-age=60/p").await;
    assert_eq!(
        edge.get("/s/cc=max-age=60/p").await.x_cache(),
        "Miss from cloudfront"
    );
    assert_eq!(origin.count("/s/"), 2);
}

#[tokio::test]
async fn an_unknown_managed_policy_is_refused_with_the_known_names() {
    let origin = Scripted::start().await;
    let err = Edge::try_start(&config(&origin, "cache_policy = \"CachingOptimised\""), &[])
        .await
        .err()
        .expect("refused");
    let text = err.to_string();
    assert!(text.contains("default_behavior.cache_policy"), "{text}");
    assert!(text.contains("CachingOptimized"), "{text}");
}

#[tokio::test]
async fn header_names_in_the_key_are_case_insensitive_and_values_case_sensitive() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = { headers = [\"X-Tenant\"] }"),
        &[],
    )
    .await;
    edge.get_with("/s/p", &[("x-tenant", "acme")]).await;
    let same = edge.get_with("/s/p", &[("X-TENANT", "acme")]).await;
    assert_eq!(same.x_cache(), "Hit from cloudfront");
    let other_case = edge.get_with("/s/p", &[("x-tenant", "ACME")]).await;
    assert_eq!(other_case.x_cache(), "Miss from cloudfront");
    // A header in the key is also forwarded.
    assert_eq!(origin.last().1.get("x-tenant").unwrap(), "ACME");
}

#[tokio::test]
async fn query_strings_in_a_different_order_or_case_are_cached_separately() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = { query_strings = \"all\" }"),
        &[],
    )
    .await;
    edge.get("/s/q?a=1&b=2").await;
    assert_eq!(
        edge.get("/s/q?a=1&b=2").await.x_cache(),
        "Hit from cloudfront"
    );
    assert_eq!(
        edge.get("/s/q?b=2&a=1").await.x_cache(),
        "Miss from cloudfront"
    );
    assert_eq!(
        edge.get("/s/q?A=1&b=2").await.x_cache(),
        "Miss from cloudfront"
    );
    assert_eq!(origin.count("/s/q"), 3);
}

#[tokio::test]
async fn listed_cookies_are_in_the_key_and_others_do_not_reach_the_origin() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = { cookies = [\"session\"] }"),
        &[],
    )
    .await;
    edge.get_with("/s/c", &[("cookie", "session=a; tracking=1")])
        .await;
    assert_eq!(origin.last().1.get("cookie").unwrap(), "session=a");
    let other_tracking = edge
        .get_with("/s/c", &[("cookie", "tracking=2; session=a")])
        .await;
    assert_eq!(other_tracking.x_cache(), "Hit from cloudfront");
    let other_session = edge.get_with("/s/c", &[("cookie", "session=b")]).await;
    assert_eq!(other_session.x_cache(), "Miss from cloudfront");
}

#[tokio::test]
async fn only_what_the_key_and_the_origin_request_policy_name_reaches_the_origin() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { headers = [\"x-key\"], query_strings = [\"k\"] }\norigin_request_policy = { headers = [\"x-extra\"], query_strings = [\"o\"], cookies = [\"c\"] }",
        ),
        &[],
    )
    .await;
    edge.get_with(
        "/s/f?k=1&o=2&drop=3",
        &[
            ("x-key", "1"),
            ("x-extra", "2"),
            ("x-dropped", "3"),
            ("accept-language", "de"),
            ("cookie", "c=1; d=2"),
        ],
    )
    .await;
    let (uri, headers) = origin.last();
    assert_eq!(uri, "/s/f?k=1&o=2");
    assert_eq!(headers.get("x-key").unwrap(), "1");
    assert_eq!(headers.get("x-extra").unwrap(), "2");
    assert!(headers.get("x-dropped").is_none());
    assert!(headers.get("accept-language").is_none());
    assert_eq!(headers.get("cookie").unwrap(), "c=1");
    // The origin request policy's values are not in the key.
    let other = edge
        .get_with("/s/f?k=1&o=9", &[("x-key", "1"), ("x-extra", "9")])
        .await;
    assert_eq!(other.x_cache(), "Hit from cloudfront");
}

#[tokio::test]
async fn user_agent_becomes_amazon_cloudfront_unless_forwarded() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingDisabled\""), &[]).await;
    edge.get_with("/s/ua", &[("user-agent", "curl/8")]).await;
    assert_eq!(
        origin.last().1.get("user-agent").unwrap(),
        "Amazon CloudFront"
    );
    let forwarded = Edge::start(
        &config(
            &origin,
            "cache_policy = \"CachingDisabled\"\norigin_request_policy = \"UserAgentRefererHeaders\"",
        ),
        &[],
    )
    .await;
    forwarded
        .get_with("/s/ua", &[("user-agent", "curl/8")])
        .await;
    assert_eq!(origin.last().1.get("user-agent").unwrap(), "curl/8");
}

#[tokio::test]
async fn hop_by_hop_headers_named_in_connection_are_removed() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = \"CachingDisabled\"\norigin_request_policy = \"AllViewer\"",
        ),
        &[],
    )
    .await;
    edge.get_with(
        "/s/hop",
        &[
            ("connection", "keep-alive, x-secret"),
            ("x-secret", "1"),
            ("x-kept", "2"),
        ],
    )
    .await;
    let headers = origin.last().1;
    assert!(headers.get("x-secret").is_none());
    assert_eq!(headers.get("x-kept").unwrap(), "2");
}

#[tokio::test]
async fn the_origin_gets_its_own_host_unless_a_policy_forwards_the_viewers() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "origin_request_policy = \"AllViewerExceptHostHeader\"",
        ),
        &[],
    )
    .await;
    edge.get_with("/s/h1", &[("host", "www.example.com")]).await;
    assert_eq!(origin.last().1.get("host").unwrap(), "127.0.0.1");
    let all = Edge::start(
        &config(&origin, "origin_request_policy = \"AllViewer\""),
        &[],
    )
    .await;
    all.get_with("/s/h2", &[("host", "www.example.com")]).await;
    assert_eq!(origin.last().1.get("host").unwrap(), "www.example.com");
}

#[tokio::test]
async fn s_maxage_wins_over_max_age() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = { default_ttl = 0 }"), &[]).await;
    edge.get("/s/cc=max-age=0,s-maxage=60/x").await;
    let second = edge.get("/s/cc=max-age=0,s-maxage=60/x").await;
    assert_eq!(second.x_cache(), "Hit from cloudfront");
    assert_eq!(origin.count("/s/"), 1);
}

#[tokio::test]
async fn min_ttl_above_zero_caches_a_no_store_response() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = { min_ttl = 30, default_ttl = 60 }"),
        &[],
    )
    .await;
    edge.get("/s/cc=no-store/x").await;
    assert_eq!(
        edge.get("/s/cc=no-store/x").await.x_cache(),
        "Hit from cloudfront"
    );
    let zero = Edge::start(&config(&origin, "cache_policy = { min_ttl = 0 }"), &[]).await;
    zero.get("/s/cc=no-store/y").await;
    assert_eq!(
        zero.get("/s/cc=no-store/y").await.x_cache(),
        "Miss from cloudfront"
    );
}

#[tokio::test]
async fn set_cookie_is_stripped_and_not_cached_when_cookies_are_not_forwarded() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let first = edge.get("/s/h=Set-Cookie:id=secret/p").await;
    assert!(first.header("set-cookie").is_none());
    let second = edge.get("/s/h=Set-Cookie:id=secret/p").await;
    assert_eq!(second.x_cache(), "Hit from cloudfront");
    assert!(second.header("set-cookie").is_none());

    let forwarded = Edge::start(
        &config(&origin, "cache_policy = { cookies = \"all\" }"),
        &[],
    )
    .await;
    let with = forwarded.get("/s/h=Set-Cookie:id=mine/q").await;
    assert_eq!(with.header("set-cookie"), Some("id=mine"));
}

#[tokio::test]
async fn a_redirect_without_cache_control_is_cached_with_the_default_ttl() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let first = edge.get("/s/status=302;h=Location:%2Felsewhere/r").await;
    assert_eq!(first.status, 302);
    assert_eq!(first.header("location"), Some("/elsewhere"));
    let second = edge.get("/s/status=302;h=Location:%2Felsewhere/r").await;
    assert_eq!(second.x_cache(), "Hit from cloudfront");
    assert_eq!(
        origin.count("/s/"),
        1,
        "CloudFront caches the redirect, never follows it"
    );
}

#[tokio::test]
async fn accept_encoding_is_normalised_in_the_key_and_toward_the_origin() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    edge.get_with("/s/ae", &[("accept-encoding", "gzip, deflate, br")])
        .await;
    assert_eq!(origin.last().1.get("accept-encoding").unwrap(), "br,gzip");
    let same = edge
        .get_with("/s/ae", &[("accept-encoding", "br;q=0.9, gzip")])
        .await;
    assert_eq!(same.x_cache(), "Hit from cloudfront");
    edge.get_with("/s/ae", &[("accept-encoding", "gzip")]).await;
    assert_eq!(origin.last().1.get("accept-encoding").unwrap(), "gzip");
    edge.get_with("/s/ae2", &[("accept-encoding", "deflate")])
        .await;
    assert_eq!(origin.last().1.get("accept-encoding").unwrap(), "identity");
    edge.get("/s/ae3").await;
    assert!(origin.last().1.get("accept-encoding").is_none());
}

#[tokio::test]
async fn vary_is_not_in_the_key_and_keeps_only_what_cloudfront_keeps() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = { headers = [\"x-key\"] }"),
        &[],
    )
    .await;
    let first = edge
        .get_with(
            "/s/h=Vary:X-Key,%20X-Other,%20Accept-Encoding/v",
            &[("x-other", "1")],
        )
        .await;
    assert_eq!(first.header("vary"), Some("x-key, accept-encoding"));
    let second = edge
        .get_with(
            "/s/h=Vary:X-Key,%20X-Other,%20Accept-Encoding/v",
            &[("x-other", "2")],
        )
        .await;
    assert_eq!(
        second.x_cache(),
        "Hit from cloudfront",
        "Vary does not key the cache"
    );
}

#[tokio::test]
async fn options_responses_are_cached_only_when_the_behavior_caches_options() {
    let origin = Scripted::start().await;
    let options = || Request::options("/s/cc=max-age=60/o").body(()).unwrap();
    let allowed = "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]";
    let edge = Edge::start(&config(&origin, allowed), &[]).await;
    edge.send(options()).await;
    assert_eq!(edge.send(options()).await.x_cache(), "Miss from cloudfront");
    let caching = Edge::start(
        &config(
            &origin,
            &format!("{allowed}\ncached_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]"),
        ),
        &[],
    )
    .await;
    caching.send(options()).await;
    assert_eq!(
        caching.send(options()).await.x_cache(),
        "Hit from cloudfront"
    );
    // An OPTIONS answer is not served to a GET.
    assert_eq!(
        caching.get("/s/cc=max-age=60/o").await.x_cache(),
        "Miss from cloudfront"
    );
}

#[tokio::test]
async fn simultaneous_misses_on_one_key_reach_the_origin_once() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let addr = edge.server.local_addr();
    let requests = (0..5).map(|_| {
        tokio::spawn(crate::harness::request(
            addr,
            Request::get("/s/delay_ms=300;cc=max-age=60/c")
                .body(String::new())
                .unwrap(),
        ))
    });
    for r in requests.collect::<Vec<_>>() {
        assert_eq!(r.await.unwrap().status, 200);
    }
    assert_eq!(origin.count("/s/"), 1);
}

#[tokio::test]
async fn expires_counts_only_when_there_is_no_max_age() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { min_ttl = 0, default_ttl = 86400, max_ttl = 31536000 }",
        ),
        &[],
    )
    .await;
    let future = "/s/h=Expires:Thu,%2001%20Jan%202099%2000:00:00%20GMT/future";
    let past = "/s/h=Expires:Thu,%2001%20Jan%202015%2000:00:00%20GMT/past";
    let both = "/s/cc=max-age=60;h=Expires:Thu,%2001%20Jan%202015%2000:00:00%20GMT/both";
    for path in [future, past, both] {
        edge.get(path).await;
        edge.get(path).await;
    }
    assert_eq!(origin.count(future), 1, "a future Expires caches");
    assert_eq!(origin.count(past), 2, "a past Expires means expired");
    assert_eq!(origin.count(both), 1, "max-age wins over Expires");
}

#[tokio::test]
async fn max_ttl_caps_the_origins_max_age() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { min_ttl = 0, default_ttl = 1, max_ttl = 1 }",
        ),
        &[],
    )
    .await;
    let path = "/s/cc=max-age=600/capped";
    edge.get(path).await;
    assert_eq!(edge.get(path).await.x_cache(), "Hit from cloudfront");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_ne!(edge.get(path).await.x_cache(), "Hit from cloudfront");
    assert_eq!(origin.count(path), 2);
}

#[tokio::test]
async fn the_default_ttl_applies_when_the_origin_sends_no_caching_headers() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { min_ttl = 0, default_ttl = 1, max_ttl = 600 }",
        ),
        &[],
    )
    .await;
    let path = "/s/plain";
    edge.get(path).await;
    assert_eq!(edge.get(path).await.x_cache(), "Hit from cloudfront");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    edge.get(path).await;
    assert_eq!(origin.count(path), 2);
}

#[tokio::test]
async fn header_order_in_the_request_does_not_change_the_key() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = { headers = [\"x-a\", \"x-b\"] }"),
        &[],
    )
    .await;
    edge.get_with("/s/order", &[("x-a", "1"), ("x-b", "2")])
        .await;
    let swapped = edge
        .get_with("/s/order", &[("x-b", "2"), ("x-a", "1")])
        .await;
    assert_eq!(swapped.x_cache(), "Hit from cloudfront");
    assert_eq!(origin.count("/s/order"), 1);
}

#[tokio::test]
async fn query_strings_all_except_key_on_every_parameter_but_the_listed_ones() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { query_strings = { all_except = [\"utm_source\"] } }",
        ),
        &[],
    )
    .await;
    edge.get("/s/q?id=1&utm_source=a").await;
    assert_eq!(
        edge.get("/s/q?id=1&utm_source=b").await.x_cache(),
        "Hit from cloudfront"
    );
    assert_eq!(
        edge.get("/s/q?id=2&utm_source=a").await.x_cache(),
        "Miss from cloudfront"
    );
    assert_eq!(origin.last().0, "/s/q?id=2");
}

#[tokio::test]
async fn a_viewer_with_no_encoding_cloudfront_caches_shares_the_uncompressed_object() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    edge.get_with("/s/id", &[("accept-encoding", "deflate")])
        .await;
    assert_eq!(origin.last().1.get("accept-encoding").unwrap(), "identity");
    assert_eq!(edge.get("/s/id").await.x_cache(), "Hit from cloudfront");
    assert_eq!(origin.count("/s/id"), 1);
}

#[tokio::test]
async fn with_only_gzip_enabled_br_is_dropped_from_accept_encoding() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = { gzip = true, brotli = false }"),
        &[],
    )
    .await;
    edge.get_with("/s/g", &[("accept-encoding", "br, gzip")])
        .await;
    assert_eq!(origin.last().1.get("accept-encoding").unwrap(), "gzip");
}

#[tokio::test]
async fn accept_encoding_listed_in_the_cache_policy_is_an_ordinary_key_header() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { headers = [\"accept-encoding\"] }",
        ),
        &[],
    )
    .await;
    edge.get_with("/s/ord", &[("accept-encoding", "gzip, deflate")])
        .await;
    assert_eq!(
        origin.last().1.get("accept-encoding").unwrap(),
        "gzip, deflate"
    );
    let other = edge
        .get_with("/s/ord", &[("accept-encoding", "deflate, gzip")])
        .await;
    assert_eq!(
        other.x_cache(),
        "Miss from cloudfront",
        "value is keyed as sent"
    );
}

#[tokio::test]
async fn vary_star_is_removed_toward_the_viewer() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let reply = edge.get("/s/h=Vary:*/star").await;
    assert!(reply.header("vary").is_none(), "{:?}", reply.header("vary"));
    // With MinTTL > 0 (CachingOptimized: 1 s) it is cached like any other Vary value.
    assert_eq!(
        edge.get("/s/h=Vary:*/star").await.x_cache(),
        "Hit from cloudfront"
    );
}

#[tokio::test]
async fn vary_star_with_min_ttl_zero_sends_every_request_to_the_origin() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { min_ttl = 0, default_ttl = 86400, max_ttl = 31536000 }",
        ),
        &[],
    )
    .await;
    let path = "/s/cc=max-age=60;h=Vary:*/star0";
    edge.get(path).await;
    edge.get(path).await;
    assert_eq!(origin.count(path), 2);
}

#[tokio::test]
async fn trailer_and_upgrade_from_the_origin_never_reach_the_viewer() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingDisabled\""), &[]).await;
    let reply = edge
        .get("/s/h=Trailer:X-Sum;h=Upgrade:h2c;h=X-Kept:1/hop")
        .await;
    assert!(reply.header("trailer").is_none());
    assert!(reply.header("upgrade").is_none());
    assert_eq!(reply.header("x-kept"), Some("1"));
    assert!(reply
        .header("via")
        .is_some_and(|v| v.ends_with(".cloudfront.net (CloudFront)")));
}

#[tokio::test]
async fn the_origin_sees_cloudfronts_via_header() {
    // Origins that do not compress proxied requests (NGINX's gzip_proxied) see this header.
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, ""), &[]).await;
    edge.get("/s/via").await;
    let via = origin
        .last()
        .1
        .get("via")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(via.ends_with(".cloudfront.net (CloudFront)"), "{via}");
    assert!(via.starts_with("1.1 "), "an HTTP/1.1 viewer: {via}");
}

#[tokio::test]
async fn simultaneous_misses_are_not_collapsed_when_all_cookies_are_forwarded() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { min_ttl = 1, default_ttl = 86400, max_ttl = 31536000, cookies = \"all\" }",
        ),
        &[],
    )
    .await;
    let addr = edge.server.local_addr();
    let requests = (0..3).map(|_| {
        tokio::spawn(crate::harness::request(
            addr,
            Request::get("/s/delay_ms=300;cc=max-age=60/nc")
                .body(String::new())
                .unwrap(),
        ))
    });
    for r in requests.collect::<Vec<_>>() {
        assert_eq!(r.await.unwrap().status, 200);
    }
    assert_eq!(origin.count("/s/"), 3);
}

#[tokio::test]
async fn an_http_1_0_viewer_gets_the_whole_body_without_chunked_encoding() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingDisabled\""), &[]).await;
    let mut stream = tokio::net::TcpStream::connect(edge.server.local_addr())
        .await
        .unwrap();
    stream
        .write_all(
            b"GET /s/chunked=1;len=500/old HTTP/1.0\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n",
        )
        .await
        .unwrap();
    let mut raw = Vec::new();
    // HTTP/1.0 without keep-alive: CloudFront closes the connection after the answer.
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut raw),
    )
    .await
    .expect("the connection is closed")
    .unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1."), "{text}");
    assert!(text.contains(" 200 "), "{text}");
    assert!(
        !text.to_ascii_lowercase().contains("transfer-encoding"),
        "{text}"
    );
    assert!(text.ends_with(&"a".repeat(500)), "{text}");
    assert!(origin.last().1.get("accept-encoding").is_none());
}

#[tokio::test]
async fn a_viewers_cache_control_no_cache_does_not_bypass_the_cache() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    edge.get("/s/cc=max-age=60/reload").await;
    let reload = edge
        .get_with(
            "/s/cc=max-age=60/reload",
            &[("cache-control", "no-cache"), ("pragma", "no-cache")],
        )
        .await;
    assert_eq!(reload.x_cache(), "Hit from cloudfront");
    assert_eq!(origin.count("/s/"), 1);
}

#[tokio::test]
async fn max_age_zero_is_cached_for_the_min_ttl_and_not_at_all_with_min_ttl_zero() {
    let origin = Scripted::start().await;
    let min_one = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let path = "/s/cc=max-age=0/zero";
    min_one.get(path).await;
    assert_eq!(min_one.get(path).await.x_cache(), "Hit from cloudfront");
    let min_zero = Edge::start(
        &config(
            &origin,
            "cache_policy = { min_ttl = 0, default_ttl = 86400, max_ttl = 31536000 }",
        ),
        &[],
    )
    .await;
    let path = "/s/cc=max-age=0/zero0";
    min_zero.get(path).await;
    assert_eq!(min_zero.get(path).await.x_cache(), "Miss from cloudfront");
    assert_eq!(origin.count(path), 2);
}

#[tokio::test]
async fn head_responses_are_cached_and_a_head_is_answered_from_a_cached_get() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let head = || Request::head("/s/len=300/h").body(()).unwrap();
    let first = edge.send(head()).await;
    assert_eq!(first.header("content-length"), Some("300"));
    let again = edge.send(head()).await;
    assert_eq!(again.x_cache(), "Hit from cloudfront");
    assert_eq!(again.header("content-length"), Some("300"));
    assert_eq!(origin.count("/s/"), 1, "the HEAD answer is cached");
    // A GET is not answered from a HEAD answer; once it is cached, HEADs use it too.
    let get = edge.get("/s/len=300/h").await;
    assert_eq!(
        (get.x_cache(), get.body.len()),
        ("Miss from cloudfront", 300)
    );
    let head_after = edge
        .send(Request::head("/s/len=300/h2").body(()).unwrap())
        .await;
    assert_eq!(head_after.status, 200);
    edge.get("/s/len=300/g").await;
    assert_eq!(
        edge.send(Request::head("/s/len=300/g").body(()).unwrap())
            .await
            .x_cache(),
        "Hit from cloudfront"
    );
    assert_eq!(origin.count("/s/len=300/g"), 1);
}

#[tokio::test]
async fn no_cache_set_cookie_keeps_set_cookie_out_of_the_cached_copy() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { min_ttl = 0, default_ttl = 86400, max_ttl = 31536000, cookies = [\"session\"] }",
        ),
        &[],
    )
    .await;
    let path = "/s/cc=max-age=60,%20no-cache=%22Set-Cookie%22;h=Set-Cookie:session=new/sc";
    let first = edge.get_with(path, &[("cookie", "session=1")]).await;
    assert_eq!(first.header("set-cookie"), Some("session=new"));
    let hit = edge.get_with(path, &[("cookie", "session=1")]).await;
    assert_eq!(hit.x_cache(), "Hit from cloudfront", "the object is cached");
    assert!(hit.header("set-cookie").is_none(), "without its Set-Cookie");
    // Without the directive, Set-Cookie is cached with the object (cookies are forwarded).
    let plain = "/s/cc=max-age=60;h=Set-Cookie:session=kept/sc2";
    edge.get_with(plain, &[("cookie", "session=1")]).await;
    let hit = edge.get_with(plain, &[("cookie", "session=1")]).await;
    assert_eq!(hit.header("set-cookie"), Some("session=kept"));
}
