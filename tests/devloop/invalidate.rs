//! Invalidation as CreateInvalidation does it: paths with `*` only at the end, `#tags` from
//! the origin header the config names; through the API the dashboard and `edgesim invalidate`
//! use.

use std::process::Command;

use http::Request;

use crate::harness::{Edge, Reply};

const CONFIG: &str = r##"
cache_tag_header = "Edge-Cache-Tag"

[[origins]]
id = "site"
mock = {}

[[origins.routes]]
path = "/products/42*"
headers = { "cache-control" = "max-age=300", "edge-cache-tag" = "product-42, catalog" }
body = "product 42"

[[origins.routes]]
path = "/*"
headers = { "cache-control" = "max-age=300" }
body = "page"

[default_behavior]
origin = "site"
cache = { query_strings = "all" }
"##;

async fn invalidate(edge: &Edge, items: &[&str]) -> Reply {
    let body = serde_json::json!({
        "Paths": { "Quantity": items.len(), "Items": items },
        "CallerReference": "test",
    });
    let req = Request::post("/_edgesim/api/invalidate")
        .header("content-type", "application/json")
        .body(body.to_string())
        .unwrap();
    edge.send_body(req).await
}

async fn warm(edge: &Edge, paths: &[&str]) {
    for path in paths {
        edge.get(path).await;
        assert_eq!(
            edge.get(path).await.x_cache(),
            "Hit from cloudfront",
            "{path}"
        );
    }
}

async fn is_hit(edge: &Edge, path: &str) -> bool {
    edge.get(path).await.x_cache() == "Hit from cloudfront"
}

#[tokio::test]
async fn a_path_invalidates_that_object_and_a_trailing_wildcard_a_prefix() {
    let edge = Edge::start(CONFIG, &[]).await;
    warm(
        &edge,
        &["/a.html", "/images/1.png", "/images/2.png", "/imagesx"],
    )
    .await;
    let reply = invalidate(&edge, &["/a.html"]).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["Invalidation"]["Status"], "Completed");
    assert_eq!(reply.json()["Removed"], 1);
    assert!(!is_hit(&edge, "/a.html").await);
    assert!(is_hit(&edge, "/images/1.png").await);

    let reply = invalidate(&edge, &["/images/*"]).await;
    assert_eq!(reply.json()["Removed"], 2);
    assert!(!is_hit(&edge, "/images/2.png").await);
    assert!(
        is_hit(&edge, "/imagesx").await,
        "/images/* does not match /imagesx"
    );
}

#[tokio::test]
async fn paths_are_case_sensitive_and_query_variants_need_the_wildcard() {
    let edge = Edge::start(CONFIG, &[]).await;
    warm(&edge, &["/Page", "/list?p=1", "/list?p=2"]).await;
    assert_eq!(invalidate(&edge, &["/page"]).await.json()["Removed"], 0);
    assert!(is_hit(&edge, "/Page").await);
    assert_eq!(invalidate(&edge, &["/list"]).await.json()["Removed"], 0);
    assert_eq!(invalidate(&edge, &["/list?p=1"]).await.json()["Removed"], 1);
    assert_eq!(invalidate(&edge, &["/list*"]).await.json()["Removed"], 1);
}

#[tokio::test]
async fn a_wildcard_elsewhere_than_the_end_is_refused() {
    let edge = Edge::start(CONFIG, &[]).await;
    let reply = invalidate(&edge, &["/images/*.png"]).await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.body.contains("only as the last character"),
        "{}",
        reply.body
    );
    let reply = invalidate(&edge, &["no-slash"]).await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn a_cache_tag_invalidates_every_object_carrying_it_case_insensitively() {
    let edge = Edge::start(CONFIG, &[]).await;
    warm(&edge, &["/products/42", "/products/42?color=red", "/other"]).await;
    let reply = invalidate(&edge, &["#Product-42"]).await;
    assert_eq!(reply.json()["Removed"], 2, "{}", reply.body);
    assert!(!is_hit(&edge, "/products/42?color=red").await);
    assert!(is_hit(&edge, "/other").await);
    // Paths and tags mix in one batch: both product variants (cached again above) and /other.
    warm(&edge, &["/products/42"]).await;
    let reply = invalidate(&edge, &["#catalog", "/other"]).await;
    assert_eq!(reply.json()["Removed"], 3, "{}", reply.body);
    assert!(!is_hit(&edge, "/other").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edgesim_invalidate_talks_to_the_running_server() {
    let edge = Edge::start(CONFIG, &[]).await;
    warm(&edge, &["/images/1.png", "/a.html"]).await;
    let url = format!("http://{}", edge.server.local_addr());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_edgesim"))
            .args(["invalidate", "/images/*", "--url", &url])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("1 cached object(s) removed"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["Invalidation"]["InvalidationBatch"]["Paths"]["Items"][0],
        "/images/*"
    );
    assert!(!is_hit(&edge, "/images/1.png").await);
    assert!(is_hit(&edge, "/a.html").await);
}

#[test]
fn edgesim_invalidate_says_when_no_server_runs() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args([
            "invalidate",
            "/*",
            "--url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is `edgesim serve` running"));
}
