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
