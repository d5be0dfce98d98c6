//! `edgesim invoke` and `edgesim generate-event` through the binary.

use std::process::{Command, Output};

fn edgesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn invoke_prints_the_result_on_stdout_and_logs_on_stderr() {
    let out = edgesim(&[
        "invoke",
        "--runtime",
        "nodejs20.x",
        "--handler",
        "edge-samples/lambda/auth/index.handler",
        "--event",
        "edge-samples/events/lambda-viewer-request-noauth.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["status"], "401");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[us-east-1.auth] "), "{stderr}");
    assert!(
        stderr.contains("\tINFO\tdenied GET /private/report.html"),
        "{stderr}"
    );
}

#[test]
fn invoke_exits_1_with_the_traceback_on_a_python_error() {
    let out = edgesim(&[
        "invoke",
        "--runtime",
        "python3.11",
        "--handler",
        "edge-samples/lambda/broken/app.raises",
        "--event",
        "edge-samples/events/lambda-viewer-request.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("KeyError: 'cookie'"), "{stderr}");
    assert!(stderr.contains("app.py\", line 6, in raises"), "{stderr}");
    assert!(
        stderr.contains("return request[\"headers\"][\"cookie\"][0][\"value\"]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("CloudFront would answer 503 (LambdaExecutionError)"),
        "{stderr}"
    );
}

#[test]
fn invoke_exits_1_when_cloudfront_would_refuse_the_result() {
    let out = edgesim(&[
        "invoke",
        "--runtime",
        "nodejs20.x",
        "--handler",
        "edge-samples/lambda/broken/index.readOnlyHost",
        "--event",
        "edge-samples/events/lambda-viewer-request.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("CloudFront would answer 502 (LambdaValidationError, rule read-only-header): The Lambda function result failed validation: The function tried to add, delete, or change a read-only header."), "{stderr}");
}

#[test]
fn invoke_times_out_with_timeout_ms() {
    let dir = std::env::temp_dir().join(format!("edgesim-cli-invoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("spin.js"),
        "exports.handler = async () => { for (;;) {} };",
    )
    .unwrap();
    let handler = format!("{}/spin.handler", dir.display());
    let out = edgesim(&[
        "invoke",
        "--runtime",
        "nodejs20.x",
        "--handler",
        &handler,
        "--event",
        "edge-samples/events/lambda-viewer-request.json",
        "--timeout-ms",
        "200",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Task timed out after 0.20 seconds"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_file_or_field() {
    let out = edgesim(&[
        "invoke",
        "--runtime",
        "nodejs20.x",
        "--handler",
        "edge-samples/lambda/auth/index.handler",
        "--event",
        "edge-samples/events/viewer-request-dir.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(
            "edgesim invoke: edge-samples/events/viewer-request-dir.json: Records: missing"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let out = edgesim(&[
        "invoke",
        "--runtime",
        "nodejs20.x",
        "--handler",
        "edge-samples/lambda/auth/index.nope",
        "--event",
        "edge-samples/events/lambda-viewer-request.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr)
        .contains("--handler edge-samples/lambda/auth/index.nope: Runtime.HandlerNotFound"));

    let out = edgesim(&[
        "invoke",
        "--runtime",
        "ruby3.3",
        "--handler",
        "x.handler",
        "--event",
        "edge-samples/events/lambda-viewer-request.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("edgesim invoke: --runtime: unsupported runtime `ruby3.3`")
    );
}

#[test]
fn generate_event_writes_an_event_that_invoke_accepts() {
    let out = edgesim(&[
        "generate-event",
        "origin-request",
        "--uri",
        "/img/a.png",
        "--header",
        "accept: image/webp",
        "--querystring",
        "w=200",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cf = &event["Records"][0]["cf"];
    assert_eq!(cf["config"]["eventType"], "origin-request");
    assert_eq!(cf["request"]["uri"], "/img/a.png");
    assert_eq!(cf["request"]["querystring"], "w=200");
    assert_eq!(cf["request"]["headers"]["accept"][0]["value"], "image/webp");
    assert!(cf["request"]["origin"]["custom"].is_object());

    let bad = edgesim(&["generate-event", "viewer-request", "--uri", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("--uri: must start with `/`"));
}
