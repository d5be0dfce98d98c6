//! Origin groups (failover) and the S3-style mock origin (docs/cloudfront/cache-and-origin.md,
//! "Origin groups", "S3 origins").

use http::Request;

use crate::harness::{dead_port, Edge};
use crate::scripted::Scripted;

fn group(primary: &str, secondary: &str, codes: &str, behavior: &str) -> String {
    format!(
        "{primary}{secondary}[[origin_groups]]\nid = \"g\"\nprimary = \"a\"\nsecondary = \"b\"\nfailover_status_codes = {codes}\n[default_behavior]\norigin = \"g\"\ncache_policy = \"CachingDisabled\"\n{behavior}\n"
    )
}

#[tokio::test]
async fn the_secondary_answers_when_the_primary_returns_a_failover_status() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let edge = Edge::start(
        &group(&a.origin("a"), &b.origin("b"), "[500, 503]", ""),
        &[],
    )
    .await;
    a.fail_with(503);
    let reply = edge.get("/s/x").await;
    assert_eq!(reply.status, 200);
    assert_eq!((a.count("/s/"), b.count("/s/")), (1, 1));
    // Every request goes to the primary first.
    a.fail_with(0);
    assert_eq!(edge.get("/s/y").await.status, 200);
    assert_eq!((a.count("/s/"), b.count("/s/")), (2, 1));
    // A status not in the list is returned as it is.
    a.fail_with(404);
    assert_eq!(edge.get("/s/z").await.status, 404);
    assert_eq!(b.count("/s/"), 1);
}

#[tokio::test]
async fn the_secondary_answers_when_the_primary_refuses_the_connection() {
    let b = Scripted::start().await;
    let dead = dead_port().await;
    let primary = format!(
        "[[origins]]\nid = \"a\"\nurl = \"http://127.0.0.1:{dead}\"\nconnection_attempts = 1\nconnect_timeout = 1\n"
    );
    let edge = Edge::start(&group(&primary, &b.origin("b"), "[502]", ""), &[]).await;
    assert_eq!(edge.get("/s/x").await.status, 200);
    assert_eq!(b.count("/s/"), 1);
}

#[tokio::test]
async fn the_secondary_answers_when_the_primary_times_out() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let primary = format!(
        "{}read_timeout = 1\nconnection_attempts = 1\n",
        a.origin("a")
    );
    let edge = Edge::start(&group(&primary, &b.origin("b"), "[504]", ""), &[]).await;
    assert_eq!(edge.get("/s/delay_ms=3000/slow").await.status, 200);
    assert_eq!(b.count("/s/"), 1);
}

#[tokio::test]
async fn a_post_never_fails_over() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let edge = Edge::start(&group(&a.origin("a"), &b.origin("b"), "[500]", ALL), &[]).await;
    a.fail_with(500);
    let reply = edge
        .send_body(Request::post("/s/p").body("x".to_owned()).unwrap())
        .await;
    assert_eq!(reply.status, 500);
    assert_eq!(b.count("/s/"), 0);
}

#[tokio::test]
async fn an_unknown_failover_status_is_refused_at_start_up() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let err = Edge::try_start(&group(&a.origin("a"), &b.origin("b"), "[501]", ""), &[])
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("failover_status_codes"), "{err}");
}

#[tokio::test]
async fn create_request_origin_group_from_a_function_fails_over() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let code = "import cf from 'cloudfront';
function handler(event) {
    cf.createRequestOriginGroup({
        originIds: ['a', 'b'],
        failoverCriteria: { statusCodes: [500] }
    });
    return event.request;
}";
    let text = format!(
        "{}{}[default_behavior]\norigin = \"a\"\ncache_policy = \"CachingDisabled\"\nviewer_request = {{ code = \"f.js\" }}\n",
        a.origin("a"),
        b.origin("b")
    );
    let edge = Edge::start(&text, &[("f.js", code)]).await;
    a.fail_with(500);
    let reply = edge.get("/s/f").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!((a.count("/s/"), b.count("/s/")), (1, 1));
}

#[tokio::test]
async fn select_request_origin_by_id_from_a_function_takes_effect() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let code = "import cf from 'cloudfront';
function handler(event) {
    cf.selectRequestOriginById('b');
    return event.request;
}";
    let text = format!(
        "{}{}[default_behavior]\norigin = \"a\"\ncache_policy = \"CachingDisabled\"\nviewer_request = {{ code = \"f.js\" }}\n",
        a.origin("a"),
        b.origin("b")
    );
    let edge = Edge::start(&text, &[("f.js", code)]).await;
    assert_eq!(edge.get("/s/sel").await.status, 200);
    assert_eq!((a.count("/s/"), b.count("/s/")), (0, 1));
}

#[tokio::test]
async fn origin_hooks_run_once_per_origin_tried() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let handler = "exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  request.headers['x-hook'] = [{ key: 'X-Hook', value: 'ran' }];
  return request;
};";
    let behavior = "origin_request = { runtime = \"nodejs20.x\", handler = \"index.handler\" }";
    let edge = Edge::start(
        &group(&a.origin("a"), &b.origin("b"), "[503]", behavior),
        &[("index.js", handler)],
    )
    .await;
    a.fail_with(503);
    assert_eq!(edge.get("/s/hooks").await.status, 200);
    assert_eq!(a.last().1.get("x-hook").unwrap(), "ran");
    assert_eq!(b.last().1.get("x-hook").unwrap(), "ran");
}

const ALL: &str =
    "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\", \"PUT\", \"PATCH\", \"POST\", \"DELETE\"]";

const S3: &str = "[[origins]]\nid = \"bucket\"\nmock = { root = \"bucket\", s3 = true }\n\
    [default_behavior]\norigin = \"bucket\"\ncache_policy = \"CachingDisabled\"\n";

#[tokio::test]
async fn s3_answers_a_missing_key_with_403_access_denied_without_list_permission() {
    let edge = Edge::start(S3, &[("bucket/a.txt", "hello")]).await;
    let missing = edge.get("/nope.txt").await;
    assert_eq!(missing.status, 403);
    assert_eq!(missing.header("content-type"), Some("application/xml"));
    assert!(
        missing.body.contains("<Code>AccessDenied</Code>"),
        "{}",
        missing.body
    );
    assert!(missing.body.contains("<RequestId>"));
    let listable = S3.replace("s3 = true", "s3 = true, list_bucket = true");
    let edge = Edge::start(&listable, &[("bucket/a.txt", "hello")]).await;
    let missing = edge.get("/nope.txt").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<Code>NoSuchKey</Code>"));
    assert!(missing.body.contains("<Key>nope.txt</Key>"));
}

#[tokio::test]
async fn s3_sends_its_headers_and_an_md5_etag() {
    let edge = Edge::start(S3, &[("bucket/a.txt", "hello")]).await;
    let object = edge.get("/a.txt").await;
    assert_eq!(object.status, 200);
    assert_eq!(object.body, "hello");
    // MD5("hello")
    assert_eq!(
        object.header("etag"),
        Some("\"5d41402abc4b2a76b9719d911017c592\"")
    );
    assert_eq!(object.header("server"), Some("AmazonS3"));
    assert!(object.header("x-amz-request-id").is_some());
    assert!(object.header("x-amz-id-2").is_some());
    assert!(object.header("last-modified").is_some());
}

#[tokio::test]
async fn s3_refuses_writes_and_oversized_header_sections() {
    let edge = Edge::start(
        &S3.replace(
            "cache_policy = \"CachingDisabled\"",
            &format!("cache_policy = \"CachingDisabled\"\norigin_request_policy = \"AllViewerExceptHostHeader\"\n{ALL}"),
        ),
        &[("bucket/a.txt", "hello")],
    )
    .await;
    let put = edge
        .send_body(Request::put("/a.txt").body("x".to_owned()).unwrap())
        .await;
    assert_eq!(put.status, 403);
    assert!(put.body.contains("AccessDenied"));
    let big = "x".repeat(9000);
    let large = edge.get_with("/a.txt", &[("x-big", &big)]).await;
    assert_eq!(large.status, 400);
    assert!(large.body.contains("RequestHeaderSectionTooLarge"));
}

#[tokio::test]
async fn head_and_options_fail_over_like_get() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let behavior = "allowed_methods = [\"GET\", \"HEAD\", \"OPTIONS\"]";
    let edge = Edge::start(
        &group(&a.origin("a"), &b.origin("b"), "[502]", behavior),
        &[],
    )
    .await;
    a.fail_with(502);
    let head = edge.send(Request::head("/s/h").body(()).unwrap()).await;
    assert_eq!(head.status, 200);
    let options = edge.send(Request::options("/s/o").body(()).unwrap()).await;
    assert_eq!(options.status, 200);
    assert_eq!(b.count("/s/"), 2);
}

#[tokio::test]
async fn put_and_delete_never_fail_over() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let edge = Edge::start(&group(&a.origin("a"), &b.origin("b"), "[503]", ALL), &[]).await;
    a.fail_with(503);
    let put = edge
        .send_body(Request::put("/s/p").body("x".to_owned()).unwrap())
        .await;
    let delete = edge.send(Request::delete("/s/d").body(()).unwrap()).await;
    assert_eq!((put.status.as_u16(), delete.status.as_u16()), (503, 503));
    assert_eq!(b.count("/s/"), 0);
}

#[tokio::test]
async fn a_4xx_in_the_failover_criteria_fails_over() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let edge = Edge::start(
        &group(&a.origin("a"), &b.origin("b"), "[403, 404, 416]", ""),
        &[],
    )
    .await;
    for status in [403, 404, 416] {
        a.fail_with(status);
        assert_eq!(edge.get(&format!("/s/f{status}")).await.status, 200);
    }
    assert_eq!(b.count("/s/"), 3);
}

#[tokio::test]
async fn a_redirect_from_the_primary_is_returned_as_it_is() {
    let (a, b) = (Scripted::start().await, Scripted::start().await);
    let edge = Edge::start(&group(&a.origin("a"), &b.origin("b"), "[500]", ""), &[]).await;
    let reply = edge.get("/s/status=302;h=Location:%2Felsewhere/r").await;
    assert_eq!(reply.status, 302);
    assert_eq!(reply.header("location"), Some("/elsewhere"));
    assert_eq!(b.count("/s/"), 0);
}

#[tokio::test]
async fn connection_attempts_and_timeouts_outside_cloudfronts_ranges_are_refused() {
    let a = Scripted::start().await;
    for (line, field) in [
        ("connection_attempts = 4", "connection_attempts"),
        ("connection_attempts = 0", "connection_attempts"),
        ("connect_timeout = 11", "connect_timeout"),
        ("connect_timeout = 0", "connect_timeout"),
        ("read_timeout = 121", "read_timeout"),
    ] {
        let text = format!(
            "{}{line}\n[default_behavior]\norigin = \"a\"\n",
            a.origin("a")
        );
        let err = Edge::try_start(&text, &[])
            .await
            .err()
            .unwrap_or_else(|| panic!("{line} accepted"))
            .to_string();
        assert!(err.contains(field), "{line}: {err}");
    }
}

#[tokio::test]
async fn the_secondary_answers_a_failed_primary_after_every_connection_attempt() {
    let b = Scripted::start().await;
    let dead = dead_port().await;
    let primary = format!(
        "[[origins]]\nid = \"a\"\nurl = \"http://127.0.0.1:{dead}\"\nconnection_attempts = 3\nconnect_timeout = 1\n"
    );
    let edge = Edge::start(&group(&primary, &b.origin("b"), "[500]", ""), &[]).await;
    let reply = edge.get("/s/after-attempts").await;
    assert_eq!(reply.status, 200);
    assert_eq!(b.count("/s/"), 1);
}

#[tokio::test]
async fn a_get_that_times_out_is_tried_again_up_to_the_connection_attempts_and_a_post_is_not() {
    let a = Scripted::start().await;
    let text = format!(
        "{}read_timeout = 0.3\nconnection_attempts = 2\n[default_behavior]\norigin = \"a\"\ncache_policy = \"CachingDisabled\"\n{ALL}\n",
        a.origin("a")
    );
    let edge = Edge::start(&text, &[]).await;
    let get = edge.get("/s/delay_ms=1000/get").await;
    assert_eq!(get.status, 504);
    assert_eq!(a.count("/s/delay_ms=1000/get"), 2);
    let post = edge
        .send_body(
            Request::post("/s/delay_ms=1000/post")
                .body("x".to_owned())
                .unwrap(),
        )
        .await;
    assert_eq!(post.status, 504);
    assert_eq!(a.count("/s/delay_ms=1000/post"), 1, "never retried");
}
