//! Response headers policies (docs/cloudfront/cache-and-origin.md, "Response headers
//! policies").

use http::Request;

use crate::harness::Edge;
use crate::scripted::Scripted;

fn config(origin: &Scripted, policy: &str) -> String {
    format!(
        "{}[default_behavior]\norigin = \"o\"\nallowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]\nresponse_headers_policy = {policy}\n",
        origin.origin("o")
    )
}

#[tokio::test]
async fn a_cors_preflight_gets_the_allowed_methods_and_a_simple_request_only_the_origin() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "\"CORS-With-Preflight\""), &[]).await;
    let preflight = edge
        .send(
            Request::options("/s/pre")
                .header("origin", "https://app.example")
                .header("access-control-request-method", "PUT")
                .body(())
                .unwrap(),
        )
        .await;
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight
        .header("access-control-allow-methods")
        .unwrap()
        .contains("PUT"));
    let simple = edge
        .get_with("/s/simple", &[("origin", "https://app.example")])
        .await;
    assert_eq!(simple.header("access-control-allow-origin"), Some("*"));
    assert!(simple.header("access-control-allow-methods").is_none());
    let not_cors = edge.get("/s/plain").await;
    assert!(not_cors.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn security_headers_keep_the_origins_values_unless_they_override() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "\"SecurityHeadersPolicy\""), &[]).await;
    let reply = edge
        .get("/s/h=X-Frame-Options:DENY;h=X-Content-Type-Options:other/sec")
        .await;
    assert_eq!(reply.header("x-frame-options"), Some("DENY"));
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        reply.header("strict-transport-security"),
        Some("max-age=31536000")
    );
}

#[tokio::test]
async fn a_server_timing_policy_adds_cloudfronts_metrics() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "{ server_timing = { enabled = true, sampling_rate = 100 }, custom_headers = [{ name = \"x-env\", value = \"dev\" }], remove_headers = [\"x-drop\"] }",
        ),
        &[],
    )
    .await;
    let reply = edge.get("/s/h=X-Drop:1/t").await;
    let timing: Vec<&str> = reply
        .headers
        .get_all("server-timing")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        timing
            .iter()
            .any(|t| t.contains("cdn-cache-miss") && t.contains("cdn-pop;desc=")),
        "{timing:?}"
    );
    assert_eq!(reply.header("x-env"), Some("dev"));
    assert!(reply.header("x-drop").is_none());
}

#[tokio::test]
async fn cors_headers_go_only_to_an_allowed_origin_and_keep_the_origins_own_without_override() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "{ cors = { allow_origins = [\"https://app.example\"], allow_methods = [\"GET\"], allow_headers = [\"x-token\"], allow_credentials = true, origin_override = false } }",
        ),
        &[],
    )
    .await;
    let allowed = edge
        .get_with("/s/a", &[("origin", "https://app.example")])
        .await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
    let other = edge
        .get_with("/s/b", &[("origin", "https://evil.example")])
        .await;
    assert!(other.header("access-control-allow-origin").is_none());
    let own = edge
        .get_with(
            "/s/h=Access-Control-Allow-Origin:https:%2F%2Fown.example/c",
            &[("origin", "https://app.example")],
        )
        .await;
    assert_eq!(
        own.header("access-control-allow-origin"),
        Some("https://own.example"),
        "without origin override the origin's header stays"
    );
}
