//! The embedded mock origin: static files with validators, ranges and HEAD; routes; echo.

use http::Request;

use crate::harness::Edge;

const CONFIG: &str = "[[origins]]\nid = \"site\"\nmock = { root = \"site\" }\n\
    [[origins.routes]]\npath = \"/__echo*\"\necho = true\n\
    [[origins.routes]]\npath = \"/teapot\"\nstatus = 418\nheaders = { \"x-route\" = \"yes\" }\nbody = \"short and stout\"\n\
    [default_behavior]\norigin = \"site\"\ncache = { min_ttl = 0, default_ttl = 0, max_ttl = 0 }\norigin_request_policy = \"AllViewerExceptHostHeader\"\n";

#[tokio::test]
async fn static_files_have_types_validators_ranges_and_head() {
    let edge = Edge::start(
        CONFIG,
        &[
            ("site/index.html", "<h1>hi</h1>"),
            ("site/app.js", "let a = 1;"),
        ],
    )
    .await;
    let page = edge.get("/index.html").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body, "<h1>hi</h1>");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let etag = page.header("etag").unwrap().to_owned();
    assert!(page.header("last-modified").is_some());

    assert_eq!(
        edge.get_with("/index.html", &[("if-none-match", &etag)])
            .await
            .status,
        304
    );
    let modified = page.header("last-modified").unwrap().to_owned();
    assert_eq!(
        edge.get_with("/index.html", &[("if-modified-since", &modified)])
            .await
            .status,
        304
    );

    let range = edge.get_with("/app.js", &[("range", "bytes=4-4")]).await;
    assert_eq!((range.status.as_u16(), range.body.as_str()), (206, "a"));
    assert_eq!(
        edge.get_with("/app.js", &[("range", "bytes=99-")])
            .await
            .status,
        416
    );

    let head = edge.send(Request::head("/app.js").body(()).unwrap()).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("10"));
    assert_eq!(head.body, "");

    assert_eq!(
        edge.get("/").await.status,
        404,
        "no directory index, like S3"
    );
    assert_eq!(edge.get("/../edgesim.toml").await.status, 404);
}

#[tokio::test]
async fn routes_and_echo() {
    let edge = Edge::start(CONFIG, &[("site/x.txt", "x")]).await;
    let teapot = edge.get("/teapot").await;
    assert_eq!(teapot.status, 418);
    assert_eq!(teapot.header("x-route"), Some("yes"));
    assert_eq!(teapot.body, "short and stout");
    let echo = edge
        .get_with("/__echo/a?b=c", &[("x-test", "1")])
        .await
        .json();
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["uri"], "/__echo/a?b=c");
    assert_eq!(echo["headers"]["x-test"], "1");
}
