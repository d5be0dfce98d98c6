//! Every failure exactly as CloudFront shows it: status, X-Cache, Server, HTML page.

use edgesim::model::failure::FUNCTION_EXECUTION_MESSAGE;

use crate::harness::{dead_port, Edge, TestOrigin};

const THROWS: &str = "function handler(event) { throw new Error('boom'); }";
const READ_ONLY: &str = "function handler(event) {
    event.request.headers['host'] = { value: 'evil.example' };
    return event.request;
}";

fn assert_error_page(reply: &crate::harness::Reply, status: u16, x_cache: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.x_cache(), x_cache);
    assert_eq!(reply.header("server"), Some("CloudFront"));
    assert!(reply
        .body
        .contains("ERROR: The request could not be satisfied"));
    let id = reply.header("x-amz-cf-id").unwrap();
    assert!(reply.body.contains(&format!("Request ID: {id}")));
}

#[tokio::test]
async fn function_failures_are_503_and_502_and_never_reach_the_origin() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{}\"\n\
         [default_behavior]\norigin = \"o\"\n\
         [[behaviors]]\npath_pattern = \"/throws\"\norigin = \"o\"\nviewer_request = {{ code = \"throws.js\" }}\n\
         [[behaviors]]\npath_pattern = \"/read-only\"\norigin = \"o\"\nviewer_request = {{ code = \"ro.js\" }}\n\
         [[behaviors]]\npath_pattern = \"/vr-throws\"\norigin = \"o\"\nviewer_response = {{ code = \"throws.js\" }}\n",
        origin.port()
    );
    let edge = Edge::start(&config, &[("throws.js", THROWS), ("ro.js", READ_ONLY)]).await;

    let thrown = edge.get("/throws").await;
    assert_error_page(&thrown, 503, "FunctionExecutionError from cloudfront");
    assert!(thrown.body.contains(FUNCTION_EXECUTION_MESSAGE));

    let read_only = edge.get("/read-only").await;
    assert_error_page(&read_only, 502, "FunctionValidationError from cloudfront");
    assert!(read_only
        .body
        .contains("The CloudFront function tried to add, delete, or change a read-only header."));
    assert_eq!(origin.count(), 0);

    let viewer_response = edge.get("/vr-throws").await;
    assert_error_page(
        &viewer_response,
        503,
        "FunctionExecutionError from cloudfront",
    );
    assert_eq!(origin.count(), 1);

    // A misbehaving function affects nobody else, before or after.
    for _ in 0..3 {
        assert_eq!(edge.get("/fine").await.status, 200);
        assert_eq!(edge.get("/throws").await.status, 503);
    }
}

#[tokio::test]
async fn dead_origin_is_502_and_slow_origin_504() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "[[origins]]\nid = \"dead\"\nurl = \"http://127.0.0.1:{}\"\n\
         [[origins]]\nid = \"slow\"\nurl = \"http://127.0.0.1:{}\"\nread_timeout = 0.3\n\
         [[origins]]\nid = \"slow-mock\"\nmock = {{}}\nread_timeout = 0.3\n\
         [[origins.routes]]\npath = \"*\"\ndelay_ms = 2000\n\
         [default_behavior]\norigin = \"dead\"\n\
         [[behaviors]]\npath_pattern = \"/slow\"\norigin = \"slow\"\n\
         [[behaviors]]\npath_pattern = \"/slow-mock\"\norigin = \"slow-mock\"\n",
        dead_port().await,
        origin.port()
    );
    let edge = Edge::start(&config, &[]).await;
    let dead = edge.get("/anything").await;
    assert_error_page(&dead, 502, "Error from cloudfront");
    let slow = edge.get("/slow").await;
    assert_error_page(&slow, 504, "Error from cloudfront");
    let slow_mock = edge.get("/slow-mock").await;
    assert_error_page(&slow_mock, 504, "Error from cloudfront");
}

/// A function stuck where the engine cannot stop it (a regular expression that backtracks
/// exponentially; boa cannot interrupt one) is answered 503 once it passes the hard time limit;
/// its function thread is abandoned and replaced. While that run lasts, every other request for
/// the function is refused as CloudFront refuses a function that keeps exceeding its budget
/// (503 `FunctionThrottledError`), the server keeps answering, and once it ends the function
/// runs again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_stuck_in_a_regular_expression_is_throttled_and_the_server_keeps_answering() {
    let origin = TestOrigin::start().await;
    let regex = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/edge-samples/functions/broken/catastrophic-regex.js"
    ))
    .unwrap();
    let config = format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{}\"\n\
         [default_behavior]\norigin = \"o\"\n\
         [[behaviors]]\npath_pattern = \"/regex/*\"\norigin = \"o\"\nviewer_request = {{ code = \"regex.js\" }}\n",
        origin.port()
    );
    let edge = Edge::start(&config, &[("regex.js", &regex)]).await;
    // Seconds of backtracking in a debug build, far past the 100 ms limit.
    let probe = format!("{}!", "a".repeat(26));
    let stuck = edge.get_with("/regex/stuck", &[("x-probe", &probe)]).await;
    assert_error_page(&stuck, 503, "FunctionExecutionError from cloudfront");

    assert_eq!(edge.get("/fine").await.status, 200);
    let refused = edge.get_with("/regex/b", &[("x-probe", "ab")]).await;
    assert_error_page(&refused, 503, "FunctionThrottledError from cloudfront");

    // The abandoned run ends on its own (idle priority, so give it time), then the function
    // answers again.
    let mut after = edge.get_with("/regex/c", &[("x-probe", "ab")]).await;
    for _ in 0..600 {
        if after.status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = edge.get_with("/regex/c", &[("x-probe", "ab")]).await;
    }
    assert_eq!(after.status, 200, "{}", after.body);
}
