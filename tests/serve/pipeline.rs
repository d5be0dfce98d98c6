//! Viewer functions, routing and the headers CloudFront adds.

use crate::harness::{Edge, TestOrigin};

pub const REWRITE: &str = "function handler(event) {
    var r = event.request;
    r.uri = '/rewritten' + r.uri;
    r.headers['x-added'] = { value: 'yes' };
    return r;
}";

pub const GENERATED: &str = "function handler(event) {
    return { statusCode: 302, statusDescription: 'Found',
             headers: { location: { value: 'https://www.example.com/' } } };
}";

pub const VIEWER_RESPONSE: &str = "function handler(event) {
    event.response.headers['x-viewer-response'] = { value: 'ran' };
    return event.response;
}";

fn http_origin(id: &str, origin: &TestOrigin) -> String {
    format!(
        "[[origins]]\nid = \"{id}\"\nurl = \"http://127.0.0.1:{}\"\n",
        origin.port()
    )
}

#[tokio::test]
async fn rewrite_reaches_the_origin_with_cloudfront_headers() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\nviewer_request = {{ code = \"rewrite.js\" }}\n{}",
        http_origin("o", &origin),
        // What reaches the origin is what the policies name, function-added headers too.
        "origin_request_policy = { headers = [\"x-added\", \"CloudFront-Viewer-Country\"], query_strings = \"all\" }\n"
    );
    let edge = Edge::start(&config, &[("rewrite.js", REWRITE)]).await;
    let reply = edge
        .get_with("/page?q=1", &[("x-edgesim-viewer-country", "DE")])
        .await;
    assert_eq!(reply.status, 200);
    let echo = reply.json();
    assert_eq!(echo["uri"], "/rewritten/page?q=1");
    let headers = &echo["headers"];
    assert_eq!(headers["x-added"], "yes");
    assert_eq!(headers["x-forwarded-for"], "127.0.0.1");
    assert!(headers["via"]
        .as_str()
        .unwrap()
        .ends_with(".cloudfront.net (CloudFront)"));
    assert_eq!(headers["x-amz-cf-id"].as_str().unwrap().len(), 56);
    assert_eq!(headers["host"], "127.0.0.1", "Host is the origin's domain");
    assert_eq!(headers["cloudfront-viewer-country"], "DE");
    assert!(
        headers.get("x-edgesim-viewer-country").is_none(),
        "x-edgesim-* never leaves"
    );

    assert_eq!(reply.x_cache(), "Miss from cloudfront");
    assert!(reply.header("via").unwrap().starts_with("1.1 "));
    assert_eq!(reply.header("x-amz-cf-pop"), Some("LOCAL50-C1"));
    assert_eq!(reply.header("x-amz-cf-id").map(str::len), Some(56));
    let timing = reply.header("server-timing").unwrap();
    assert!(
        timing.contains("viewer-request;dur=") && timing.contains("origin;dur="),
        "{timing}"
    );
}

#[tokio::test]
async fn generated_response_never_reaches_the_origin_nor_viewer_response() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\nviewer_request = {{ code = \"gen.js\" }}\n\
         viewer_response = {{ code = \"vr.js\" }}\n",
        http_origin("o", &origin)
    );
    let edge = Edge::start(
        &config,
        &[("gen.js", GENERATED), ("vr.js", VIEWER_RESPONSE)],
    )
    .await;
    for _ in 0..2 {
        let reply = edge.get("/anything").await;
        assert_eq!(reply.status, 302);
        assert_eq!(reply.header("location"), Some("https://www.example.com/"));
        assert_eq!(reply.x_cache(), "FunctionGeneratedResponse from cloudfront");
        assert_eq!(reply.header("server"), Some("CloudFront"));
        assert_eq!(reply.header("x-viewer-response"), None);
    }
    assert_eq!(origin.count(), 0);
}

#[tokio::test]
async fn viewer_response_adds_headers_but_is_skipped_for_origin_errors() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\nviewer_response = {{ code = \"vr.js\" }}\n",
        http_origin("o", &origin)
    );
    let edge = Edge::start(&config, &[("vr.js", VIEWER_RESPONSE)]).await;
    let ok = edge.get("/fine").await;
    assert_eq!(ok.header("x-viewer-response"), Some("ran"));
    let missing = edge.get("/missing").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("x-viewer-response"), None);
    assert_eq!(missing.body, "no such thing");
    assert_eq!(missing.x_cache(), "Error from cloudfront");
    // Error responses are cached for the error caching minimum TTL (10 s).
    assert_eq!(
        edge.get("/missing").await.x_cache(),
        "Error from cloudfront"
    );
    assert_eq!(origin.count(), 2);
}

#[tokio::test]
async fn first_matching_behavior_wins_on_the_original_uri() {
    let config = "
[[origins]]
id = \"a\"
mock = {}
[[origins.routes]]
path = \"*\"
body = \"from a\"
[[origins]]
id = \"b\"
mock = {}
[[origins.routes]]
path = \"*\"
body = \"from b\"
[[origins]]
id = \"default\"
mock = {}
[[origins.routes]]
path = \"*\"
body = \"from default\"
[default_behavior]
origin = \"default\"
viewer_request = { code = \"rewrite.js\" }
[[behaviors]]
path_pattern = \"/a/*\"
origin = \"a\"
[[behaviors]]
path_pattern = \"/a/b/*\"
origin = \"b\"
[[behaviors]]
path_pattern = \"*.b\"
origin = \"b\"
";
    let edge = Edge::start(config, &[("rewrite.js", REWRITE)]).await;
    assert_eq!(
        edge.get("/a/b/c").await.body,
        "from a",
        "first match in order"
    );
    assert_eq!(edge.get("/x/y.b").await.body, "from b");
    assert_eq!(
        edge.get("/A/b").await.body,
        "from default",
        "case-sensitive"
    );
    // The default behavior rewrites /a/… → /rewritten/a/…: still the default's origin.
    assert_eq!(edge.get("/zzz").await.body, "from default");
}

#[tokio::test]
async fn kvs_drives_origin_selection() {
    let origin = TestOrigin::start().await;
    let function = "import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
    try {
        const id = await kvs.get(event.request.uri);
        cf.selectRequestOriginById(id);
    } catch (e) {}
    return event.request;
}";
    let config = format!(
        "{}[[origins]]\nid = \"mock\"\nmock = {{}}\n[[origins.routes]]\npath = \"*\"\nbody = \"mock\"\n\
         [[key_value_stores]]\nid = \"routes\"\nfile = \"routes.json\"\n\
         [default_behavior]\norigin = \"mock\"\ncache = {{ max_ttl = 0, default_ttl = 0 }}\n\
         viewer_request = {{ code = \"route.js\", kvs = \"routes\" }}\n",
        http_origin("real", &origin)
    );
    let kvs = r#"{"data":[{"key":"/beta","value":"real"}]}"#;
    let edge = Edge::start(&config, &[("route.js", function), ("routes.json", kvs)]).await;
    assert_eq!(edge.get("/alpha").await.body, "mock");
    assert_eq!(origin.count(), 0);
    let beta = edge.get("/beta").await;
    assert_eq!(beta.json()["uri"], "/beta");
    assert_eq!(origin.count(), 1);
}

#[tokio::test]
async fn update_request_origin_switches_to_that_host_and_port() {
    let origin = TestOrigin::start().await;
    let function = format!(
        "import cf from 'cloudfront';
function handler(event) {{
    cf.updateRequestOrigin({{ domainName: 'localhost', originPath: '/base',
        customHeaders: {{ 'x-origin-secret': 's3cr3t' }},
        customOriginConfig: {{ port: {}, protocol: 'http' }} }});
    return event.request;
}}",
        origin.port()
    );
    let config = "[[origins]]\nid = \"mock\"\nmock = {}\n\
                  [default_behavior]\norigin = \"mock\"\nviewer_request = { code = \"update.js\" }\n";
    let edge = Edge::start(config, &[("update.js", &function)]).await;
    let reply = edge.get("/x").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let echo = reply.json();
    assert_eq!(echo["uri"], "/base/x");
    assert_eq!(echo["headers"]["host"], "localhost");
    assert_eq!(echo["headers"]["x-origin-secret"], "s3cr3t");
    assert_eq!(origin.count(), 1);
}

#[tokio::test]
async fn viewer_overrides_reach_the_function_and_spoofed_headers_do_not() {
    let function = "function handler(event) {
    var h = event.request.headers;
    return { statusCode: 200, body: [
        (h['cloudfront-viewer-country'] || {value: '-'}).value,
        (h['cloudfront-is-mobile-viewer'] || {value: '-'}).value,
        event.viewer.ip,
        h['x-edgesim-viewer-country'] ? 'leak' : 'clean'].join(' ') };
}";
    let config = "[[origins]]\nid = \"m\"\nmock = {}\n[viewer]\ncountry = \"FR\"\n\
                  [default_behavior]\norigin = \"m\"\nviewer_request = { code = \"geo.js\" }\n";
    let edge = Edge::start(config, &[("geo.js", function)]).await;
    assert_eq!(edge.get("/").await.body, "FR false 127.0.0.1 clean");
    let overridden = edge
        .get_with(
            "/",
            &[
                ("x-edgesim-viewer-country", "JP"),
                ("x-edgesim-viewer-device", "mobile"),
                ("x-edgesim-viewer-ip", "203.0.113.7"),
            ],
        )
        .await;
    assert_eq!(overridden.body, "JP true 203.0.113.7 clean");
    let spoofed = edge
        .get_with("/", &[("cloudfront-viewer-country", "XX")])
        .await;
    assert_eq!(spoofed.body, "FR false 127.0.0.1 clean");
}

#[tokio::test]
async fn request_bodies_and_methods_pass_through_uncached() {
    let config =
        "[[origins]]\nid = \"m\"\nmock = {}\n[[origins.routes]]\npath = \"*\"\necho = true\n\
                  [default_behavior]\norigin = \"m\"\n\
                  allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\", \"PUT\", \"PATCH\", \"POST\", \"DELETE\"]\n";
    let edge = Edge::start(config, &[]).await;
    let body = "x".repeat(100_000);
    let request = http::Request::post("/submit?a=1")
        .header("content-type", "text/plain")
        .body(body.clone())
        .unwrap();
    let reply = edge.send_body(request).await;
    assert_eq!(reply.status, 200);
    let echo = reply.json();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["body"].as_str().map(str::len), Some(body.len()));
    assert_eq!(reply.x_cache(), "Miss from cloudfront");
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\n",
        http_origin("o", &origin)
    );
    let edge = Edge::start(&config, &[]).await;
    let addr = edge.server.local_addr();
    let in_flight = tokio::spawn(async move {
        let request = http::Request::get("/slow").body(String::new()).unwrap();
        crate::harness::request(addr, request).await
    });
    // Shut down only once the request is at the origin (which answers after 2 s).
    for _ in 0..500 {
        if origin.count() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(origin.count(), 1);
    edge.shutdown().await;
    let reply = in_flight.await.unwrap();
    assert_eq!((reply.status.as_u16(), reply.body.as_str()), (200, "slow"));
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}
