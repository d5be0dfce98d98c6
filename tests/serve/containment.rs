//! Nothing a CloudFront Function does can end, freeze or bloat `serve` (issue 10): memory past
//! the 2 MB quota, time past the hard limit inside built-ins and async loops, and regular
//! expressions the engine cannot interrupt. Each bad request gets CloudFront's 503, and other
//! behaviors, with and without functions, keep answering while it runs.

use std::time::Duration;

use crate::harness::{Edge, TestOrigin};

/// A function that runs `body` for every request.
fn function(body: &str) -> String {
    format!("async function handler(event) {{ {body} return event.request; }}")
}

const CASES: [(&str, &str); 7] = [
    ("repeat", "'x'.repeat(1e9);"),
    ("double", "var s = 'x'; for (;;) { s += s; }"),
    ("fill", "new Array(2e8).fill(0);"),
    ("await", "for (;;) { await Promise.resolve(1); }"),
    ("objects", "var a = []; for (;;) { a.push({ n: a.length }); }"),
    (
        "calls",
        "function spin() { for (var i = 0; i < 900000; i++) {} } for (var j = 0; j < 1e6; j++) { spin(); }",
    ),
    (
        "callback",
        "[1, 2, 3, 4, 5, 6, 7, 8].forEach(function () { for (var i = 0; i < 999999; i++) {} });",
    ),
];

/// One behavior per case (`/<name>/*`), a behavior with a healthy function (`/ok/*`), and the
/// default behavior with none.
async fn edge() -> (Edge, TestOrigin) {
    let origin = TestOrigin::start().await;
    let mut config = format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{}\"\n\
         [default_behavior]\norigin = \"o\"\n\
         [[behaviors]]\npath_pattern = \"/ok/*\"\norigin = \"o\"\nviewer_request = {{ code = \"ok.js\" }}\n\
         [[behaviors]]\npath_pattern = \"/regex/*\"\norigin = \"o\"\nviewer_request = {{ code = \"regex.js\" }}\n",
        origin.port()
    );
    let mut files = vec![
        ("ok.js".to_owned(), function("")),
        (
            "regex.js".to_owned(),
            function("/(a+)+$/.test('a'.repeat(40) + 'b');"),
        ),
    ];
    for (name, body) in CASES {
        config.push_str(&format!(
            "[[behaviors]]\npath_pattern = \"/{name}/*\"\norigin = \"o\"\nviewer_request = {{ code = \"{name}.js\", runtime = \"cloudfront-js-2.0\" }}\n"
        ));
        files.push((format!("{name}.js"), function(body)));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_str()))
        .collect();
    (Edge::start(&config, &files).await, origin)
}

fn is_503_function_error(reply: &crate::harness::Reply) -> bool {
    reply.status == 503
        && (reply.x_cache() == "FunctionExecutionError from cloudfront"
            || reply.x_cache() == "FunctionThrottledError from cloudfront")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_and_time_limits_answer_503_while_other_behaviors_keep_answering() {
    let (edge, _origin) = edge().await;
    let edge = &edge;
    tokio::time::timeout(Duration::from_secs(60), async {
        for (name, _) in CASES {
            let path = format!("/{name}/x");
            let (bad, ok, plain) =
                tokio::join!(edge.get(&path), edge.get("/ok/x"), edge.get("/plain"),);
            assert_eq!(bad.status, 503, "{name}: {}", bad.body);
            assert_eq!(
                bad.x_cache(),
                "FunctionExecutionError from cloudfront",
                "{name}"
            );
            assert_eq!(ok.status, 200, "{name}: the healthy function meanwhile");
            assert_eq!(
                plain.status, 200,
                "{name}: a behavior without functions meanwhile"
            );
            // The same function fails the same way again: nothing was left broken.
            let again = edge.get(&path).await;
            assert!(
                is_503_function_error(&again),
                "{name} again: {}",
                again.status
            );
        }
    })
    .await
    .expect("every case was answered within 60 s");
}

/// A regular expression that backtracks for hours pins nothing the server needs: both
/// requests are answered 503, and a behavior with no function and one with a healthy
/// function keep answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stuck_regular_expressions_at_once_freeze_nothing() {
    let (edge, _origin) = edge().await;
    let edge = &edge;
    tokio::time::timeout(Duration::from_secs(30), async {
        let (a, b) = tokio::join!(edge.get("/regex/a"), edge.get("/regex/b"));
        assert!(is_503_function_error(&a), "{}: {}", a.status, a.body);
        assert!(is_503_function_error(&b), "{}: {}", b.status, b.body);
        for _ in 0..5 {
            assert_eq!(edge.get("/plain").await.status, 200);
            assert_eq!(edge.get("/ok/x").await.status, 200);
        }
        // While a run of it is stuck, the function is throttled, as CloudFront throttles a
        // function that keeps exceeding its budget.
        let refused = edge.get("/regex/c").await;
        assert_eq!(refused.status, 503);
        assert_eq!(refused.x_cache(), "FunctionThrottledError from cloudfront");
    })
    .await
    .expect("answered within 30 s");
}
