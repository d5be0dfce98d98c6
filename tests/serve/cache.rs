//! The edge cache: hits, TTL expiry with revalidation, cache keys, size limits.

use crate::harness::{Edge, TestOrigin};

fn config(origin: &TestOrigin, extra: &str) -> String {
    format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{}\"\n{extra}\n[default_behavior]\norigin = \"o\"\n",
        origin.port()
    )
}

#[tokio::test]
async fn second_request_is_a_hit_and_the_origin_sees_one() {
    let origin = TestOrigin::start().await;
    let edge = Edge::start(&config(&origin, ""), &[]).await;
    let first = edge.get("/page").await;
    assert_eq!(first.x_cache(), "Miss from cloudfront");
    assert_eq!(first.header("age"), None);
    let second = edge.get("/page").await;
    assert_eq!(second.x_cache(), "Hit from cloudfront");
    assert!(second.header("age").is_some());
    assert_eq!(second.body, first.body);
    assert_eq!(origin.count(), 1);
    // Query strings are not in the default cache key (CloudFront's CachingOptimized).
    assert_eq!(edge.get("/page?v=2").await.x_cache(), "Hit from cloudfront");
    assert_eq!(origin.count(), 1);
}

#[tokio::test]
async fn expired_object_is_revalidated_and_served_as_refresh_hit() {
    let origin = TestOrigin::start().await;
    let edge = Edge::start(&config(&origin, ""), &[]).await;
    assert_eq!(edge.get("/etag").await.x_cache(), "Miss from cloudfront");
    assert_eq!(edge.get("/etag").await.x_cache(), "Hit from cloudfront");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let refreshed = edge.get("/etag").await;
    assert_eq!(refreshed.x_cache(), "RefreshHit from cloudfront");
    assert_eq!(refreshed.status, 200);
    assert_eq!(refreshed.body, "etag body");
    assert_eq!(origin.count(), 2);
    assert_eq!(origin.last().uri, "/etag");
    assert_eq!(
        origin
            .last()
            .headers
            .get("if-none-match")
            .map(|v| v.to_str().unwrap()),
        Some("\"v1\"")
    );
    assert_eq!(edge.get("/etag").await.x_cache(), "Hit from cloudfront");
}

#[tokio::test]
async fn viewer_conditionals_and_ranges_are_answered_from_the_cache() {
    let origin = TestOrigin::start().await;
    let edge = Edge::start(&config(&origin, ""), &[]).await;
    edge.get("/etag").await;
    let not_modified = edge.get_with("/etag", &[("if-none-match", "\"v1\"")]).await;
    assert_eq!(not_modified.status, 304);
    assert_eq!(not_modified.x_cache(), "Hit from cloudfront");
    let range = edge.get_with("/etag", &[("range", "bytes=0-3")]).await;
    assert_eq!(range.status, 206);
    assert_eq!(range.body, "etag");
    assert_eq!(range.header("content-range"), Some("bytes 0-3/9"));
    assert_eq!(origin.count(), 1);
}

#[tokio::test]
async fn cache_key_takes_listed_query_strings_and_headers() {
    let origin = TestOrigin::start().await;
    let behavior = "cache = { query_strings = [\"lang\"], headers = [\"x-tenant\"] }";
    let text =
        config(&origin, "").replace("origin = \"o\"\n", &format!("origin = \"o\"\n{behavior}\n"));
    let edge = Edge::start(&text, &[]).await;
    edge.get("/p?lang=en&utm=1").await;
    assert_eq!(
        edge.get("/p?lang=en&utm=2").await.x_cache(),
        "Hit from cloudfront"
    );
    assert_eq!(
        edge.get("/p?lang=de").await.x_cache(),
        "Miss from cloudfront"
    );
    assert_eq!(
        edge.get_with("/p?lang=de", &[("x-tenant", "a")])
            .await
            .x_cache(),
        "Miss from cloudfront"
    );
    assert_eq!(
        edge.get_with("/p?lang=de", &[("x-tenant", "a")])
            .await
            .x_cache(),
        "Hit from cloudfront"
    );
    assert_eq!(origin.count(), 3);
}

#[tokio::test]
async fn disabled_cache_and_oversized_bodies_always_go_to_the_origin() {
    let origin = TestOrigin::start().await;
    let text = config(&origin, "").replace(
        "[[origins]]",
        "[cache_store]\nmax_object_bytes = 1000\n[[origins]]",
    );
    let edge = Edge::start(&text, &[]).await;
    for _ in 0..2 {
        let big = edge.get("/big").await;
        assert_eq!(big.body.len(), 5000, "streamed through intact");
        assert_eq!(big.x_cache(), "Miss from cloudfront");
    }
    assert_eq!(origin.count(), 2);

    let disabled = config(&origin, "").replace(
        "origin = \"o\"\n",
        "origin = \"o\"\ncache = { min_ttl = 0, default_ttl = 0, max_ttl = 0 }\n",
    );
    let edge = Edge::start(&disabled, &[]).await;
    edge.get("/page").await;
    assert_eq!(edge.get("/page").await.x_cache(), "Miss from cloudfront");
    assert_eq!(origin.count(), 4);
}
