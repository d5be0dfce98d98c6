//! Lambda@Edge in the pipeline, with real `node` and `python3`: when each trigger
//! runs, what gets cached, the 502/503 pages, origin changes, and the config rules of
//! lambda-edge.md §9.
//!
//! Handlers count their invocations by appending a byte to `calls.log` next to them, so a test
//! knows whether a function ran, independently of what reached the origin.

use crate::harness::{Edge, TestOrigin};

fn http_origin(id: &str, origin: &TestOrigin) -> String {
    format!(
        "[[origins]]\nid = \"{id}\"\nurl = \"http://127.0.0.1:{}\"\n",
        origin.port()
    )
}

/// How many times the handlers of this edge ran.
fn calls(edge: &Edge) -> usize {
    std::fs::read(edge.dir.0.join("calls.log")).map_or(0, |b| b.len())
}

/// Node.js: counts the call, then runs `body` (with `request` / `response` in scope).
fn node(body: &str) -> String {
    format!(
        "'use strict';
const fs = require('fs');
exports.handler = async (event) => {{
  fs.appendFileSync(__dirname + '/calls.log', 'x');
  const cf = event.Records[0].cf;
  const request = cf.request;
  const response = cf.response;
  {body}
}};
"
    )
}

const ADD_REQUEST_HEADER: &str =
    "request.headers['x-hook'] = [{ key: 'X-Hook', value: 'ran' }]; return request;";

const GENERATE: &str = "return { status: '200', statusDescription: 'OK',
    headers: { 'cache-control': [{ key: 'Cache-Control', value: 'max-age=60' }],
               'content-type': [{ key: 'Content-Type', value: 'text/plain' }] },
    body: 'generated at the edge' };";

const PYTHON_ADD_RESPONSE_HEADER: &str = "
def handler(event, context):
    response = event['Records'][0]['cf']['response']
    response['headers']['x-origin-response'] = [{'key': 'X-Origin-Response', 'value': 'ran ' + response['status']}]
    return response
";

#[tokio::test]
async fn origin_request_runs_on_a_miss_only() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_request = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &origin)
    );
    let edge = Edge::start(&config, &[("index.js", &node(ADD_REQUEST_HEADER))]).await;

    let first = edge.get("/page").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.x_cache(), "Miss from cloudfront");
    assert_eq!(first.json()["headers"]["x-hook"], "ran");
    assert_eq!(calls(&edge), 1);

    let second = edge.get("/page").await;
    assert_eq!(second.x_cache(), "Hit from cloudfront");
    assert_eq!(
        second.json()["headers"]["x-hook"],
        "ran",
        "the cached object"
    );
    assert_eq!(calls(&edge), 1, "origin-request does not run on a hit");
    assert_eq!(origin.count(), 1);
    edge.shutdown().await;
}

#[tokio::test]
async fn an_origin_request_generated_response_is_cached() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_request = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &origin)
    );
    let edge = Edge::start(&config, &[("index.js", &node(GENERATE))]).await;

    let first = edge.get("/gen").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body, "generated at the edge");
    assert_eq!(first.x_cache(), "Miss from cloudfront");

    let second = edge.get("/gen").await;
    assert_eq!(second.body, "generated at the edge");
    assert_eq!(second.x_cache(), "Hit from cloudfront");
    assert_eq!(calls(&edge), 1, "the function ran once");
    assert_eq!(origin.count(), 0, "the origin was never asked");
    edge.shutdown().await;
}

#[tokio::test]
async fn origin_response_runs_for_an_origin_404() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_response = {{ runtime = \"python3.11\", handler = \"app.handler\", timeout_ms = 3000 }}\n",
        http_origin("o", &origin)
    );
    let edge = Edge::start(&config, &[("app.py", PYTHON_ADD_RESPONSE_HEADER)]).await;

    let reply = edge.get("/missing/thing").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("x-origin-response"), Some("ran 404"));
    assert_eq!(reply.body, "no such thing", "the origin's body is kept");
    assert_eq!(reply.x_cache(), "Error from cloudfront");
    edge.shutdown().await;
}

#[tokio::test]
async fn an_origin_response_header_is_cached_with_the_object() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_response = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &origin)
    );
    let handler = node(
        "response.headers['x-origin-response'] = [{ key: 'X-Origin-Response', value: 'ran' }]; return response;",
    );
    let edge = Edge::start(&config, &[("index.js", &handler)]).await;

    let first = edge.get("/page").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("x-origin-response"), Some("ran"));
    assert_eq!(first.x_cache(), "Miss from cloudfront");
    assert_eq!(first.json()["uri"], "/page", "the origin's body is kept");

    let second = edge.get("/page").await;
    assert_eq!(second.x_cache(), "Hit from cloudfront");
    assert_eq!(second.header("x-origin-response"), Some("ran"));
    assert_eq!(
        calls(&edge),
        1,
        "origin-response ran once; its result was cached"
    );
    assert_eq!(origin.count(), 1);
    edge.shutdown().await;
}

#[tokio::test]
async fn a_viewer_request_generated_response_is_labelled_and_never_cached() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\nviewer_request = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &origin)
    );
    let edge = Edge::start(&config, &[("index.js", &node(GENERATE))]).await;

    for _ in 0..2 {
        let reply = edge.get("/gen").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, "generated at the edge");
        assert_eq!(reply.x_cache(), "LambdaGeneratedResponse from cloudfront");
        assert_eq!(reply.header("server"), Some("CloudFront"));
    }
    assert_eq!(calls(&edge), 2, "viewer-request runs on every request");
    assert_eq!(origin.count(), 0);
    edge.shutdown().await;
}

#[tokio::test]
async fn a_viewer_request_body_is_read_and_replaced() {
    const ALL_METHODS: &str = "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\", \"PUT\", \"PATCH\", \"POST\", \"DELETE\"]\n";
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\ncache = {{ default_ttl = 0, max_ttl = 0 }}\norigin_request_policy = {{ headers = [\"x-seen-body\"] }}\n{ALL_METHODS}viewer_request = {{ runtime = \"nodejs20.x\", handler = \"index.handler\", include_body = true }}\n",
        http_origin("o", &origin)
    );
    let handler = node(
        "const seen = Buffer.from(request.body.data, 'base64').toString();
  request.headers['x-seen-body'] = [{ key: 'X-Seen-Body', value: seen }];
  request.body.action = 'replace';
  request.body.encoding = 'text';
  request.body.data = 'replaced';
  return request;",
    );
    let edge = Edge::start(&config, &[("index.js", &handler)]).await;
    let reply = edge
        .send_body(
            http::Request::post("/form")
                .body("email=a@example.com".to_owned())
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json()["headers"]["x-seen-body"],
        "email=a@example.com"
    );
    assert_eq!(reply.json()["headers"]["content-length"], "8");
    edge.shutdown().await;
}

#[tokio::test]
async fn a_throwing_handler_is_a_503_lambda_execution_error() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_request = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &origin)
    );
    let handler = node("throw new Error('boom');");
    let edge = Edge::start(&config, &[("index.js", &handler)]).await;
    let reply = edge.get("/page").await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.x_cache(), "LambdaExecutionError from cloudfront");
    assert_eq!(origin.count(), 0);
    edge.shutdown().await;
}

#[tokio::test]
async fn a_python_exception_is_a_503_too() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\nviewer_request = {{ runtime = \"python3.11\", handler = \"app.handler\" }}\n",
        http_origin("o", &origin)
    );
    let handler = "def handler(event, context):\n    raise KeyError('cookie')\n";
    let edge = Edge::start(&config, &[("app.py", handler)]).await;
    let reply = edge.get("/page").await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.x_cache(), "LambdaExecutionError from cloudfront");
    edge.shutdown().await;
}

#[tokio::test]
async fn changing_a_read_only_header_is_a_502_lambda_validation_error() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\nviewer_request = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &origin)
    );
    let handler = node(
        "request.headers.host = [{ key: 'Host', value: 'other.example.test' }]; return request;",
    );
    let edge = Edge::start(&config, &[("index.js", &handler)]).await;
    let reply = edge.get("/page").await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.x_cache(), "LambdaValidationError from cloudfront");
    assert!(
        reply.body.contains("read-only header"),
        "CloudFront's message: {}",
        reply.body
    );
    assert_eq!(origin.count(), 0);
    edge.shutdown().await;
}

#[tokio::test]
async fn a_garbage_status_from_origin_response_is_a_502() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_response = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &origin)
    );
    let handler = node("response.status = 'not a status'; return response;");
    let edge = Edge::start(&config, &[("index.js", &handler)]).await;
    let reply = edge.get("/page").await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.x_cache(), "LambdaValidationError from cloudfront");
    edge.shutdown().await;
}

#[tokio::test]
async fn origin_request_can_send_the_request_to_another_origin() {
    let configured = TestOrigin::start().await;
    let other = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_request_policy = {{ query_strings = \"all\" }}\norigin_request = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &configured)
    );
    let handler = node(&format!(
        "if (request.origin.custom.domainName !== 'localhost') throw new Error('unexpected origin ' + request.origin.custom.domainName);
  request.origin.custom.port = {};
  request.origin.custom.path = '/moved';
  request.headers.host = [{{ key: 'Host', value: 'localhost' }}];
  return request;",
        other.port()
    ));
    let edge = Edge::start(&config, &[("index.js", &handler)]).await;
    let reply = edge.get("/page?x=1").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["uri"], "/moved/page?x=1");
    assert_eq!(reply.json()["headers"]["host"], "localhost");
    assert_eq!(other.count(), 1);
    assert_eq!(configured.count(), 0);
    edge.shutdown().await;
}

#[tokio::test]
async fn cff_on_viewer_request_with_lambda_on_viewer_response_is_refused() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\nviewer_request = {{ code = \"f.js\" }}\nviewer_response = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &origin)
    );
    let files = [
        ("f.js", "function handler(event) { return event.request; }"),
        (
            "index.js",
            "exports.handler = async (e) => e.Records[0].cf.response;",
        ),
    ];
    let err = match Edge::try_start(&config, &files).await {
        Ok(_) => panic!("the mix was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("default_behavior.viewer_response"), "{err}");
    assert!(
        err.contains("CloudFront Function (default_behavior.viewer_request)"),
        "{err}"
    );
}

#[tokio::test]
async fn cff_on_viewer_request_with_lambda_on_origin_events_is_allowed() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_request_policy = {{ headers = [\"x-cff\"] }}\nviewer_request = {{ code = \"f.js\" }}\norigin_request = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\norigin_response = {{ runtime = \"python3.11\", handler = \"app.handler\" }}\n",
        http_origin("o", &origin)
    );
    let cff = "function handler(event) {
    event.request.headers['x-cff'] = { value: 'yes' };
    return event.request;
}";
    let files = [
        ("f.js", cff),
        ("index.js", &node(ADD_REQUEST_HEADER)[..]),
        ("app.py", PYTHON_ADD_RESPONSE_HEADER),
    ];
    let edge = Edge::start(&config, &files).await;
    let reply = edge.get("/page").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["headers"]["x-cff"], "yes");
    assert_eq!(reply.json()["headers"]["x-hook"], "ran");
    assert_eq!(reply.header("x-origin-response"), Some("ran 200"));
    edge.shutdown().await;
}

#[tokio::test]
async fn a_missing_handler_is_a_config_error() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_request = {{ runtime = \"nodejs20.x\", handler = \"nope.handler\" }}\n",
        http_origin("o", &origin)
    );
    let err = match Edge::try_start(&config, &[]).await {
        Ok(_) => panic!("a missing handler was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("default_behavior.origin_request"), "{err}");
    assert!(err.contains("nope.handler"), "{err}");
}

#[tokio::test]
async fn a_cloudfront_function_on_an_origin_event_is_a_config_error() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\norigin_request = {{ code = \"f.js\" }}\n",
        http_origin("o", &origin)
    );
    let files = [("f.js", "function handler(event) { return event.request; }")];
    let err = match Edge::try_start(&config, &files).await {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("viewer events only"), "{err}");
}

#[tokio::test]
async fn a_lambda_viewer_response_runs_on_hits_and_is_skipped_for_errors() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "{}[default_behavior]\norigin = \"o\"\nviewer_response = {{ runtime = \"nodejs20.x\", handler = \"index.handler\" }}\n",
        http_origin("o", &origin)
    );
    let handler = node(
        "response.headers['x-viewer-response'] = [{ key: 'X-Viewer-Response', value: request.uri }]; return response;",
    );
    let edge = Edge::start(&config, &[("index.js", &handler)]).await;

    let first = edge.get("/page").await;
    assert_eq!(first.header("x-viewer-response"), Some("/page"));
    let second = edge.get("/page").await;
    assert_eq!(second.x_cache(), "Hit from cloudfront");
    assert_eq!(second.header("x-viewer-response"), Some("/page"));
    assert_eq!(calls(&edge), 2, "viewer-response runs on hits and misses");

    let missing = edge.get("/missing").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("x-viewer-response"), None);
    assert_eq!(calls(&edge), 2, "skipped for an origin status >= 400");
    edge.shutdown().await;
}
