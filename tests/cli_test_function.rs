//! `edgesim test-function` through the built binary, as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("edge-samples")
}

fn edgesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args(args)
        .current_dir(samples())
        .output()
        .expect("the edgesim binary runs")
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edgesim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

#[test]
fn prints_a_test_result_shaped_like_the_aws_cli() {
    let out = edgesim(&[
        "test-function",
        "--runtime",
        "cloudfront-js-2.0",
        "--function",
        "functions/spa-rewrite.js",
        "--event",
        "events/viewer-request-dir.json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        text.starts_with("{\n    \"TestResult\": {\n        \"ComputeUtilization\": \""),
        "{text}"
    );
    let result = &stdout_json(&out)["TestResult"];
    let keys: Vec<&str> = result
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "ComputeUtilization",
            "FunctionExecutionLogs",
            "FunctionErrorMessage",
            "FunctionOutput"
        ]
    );
    assert_eq!(result["FunctionErrorMessage"], "");
    let output: Value = serde_json::from_str(result["FunctionOutput"].as_str().unwrap()).unwrap();
    assert_eq!(output["request"]["uri"], "/blog/index.html");
    let cu: u32 = result["ComputeUtilization"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(cu <= 100);
}

#[test]
fn a_kvs_function_reads_the_store_given_with_kvs() {
    let out = edgesim(&[
        "test-function",
        "--runtime",
        "cloudfront-js-2.0",
        "--function",
        "functions/kvs-redirects.js",
        "--event",
        "events/viewer-request-old-blog.json",
        "--kvs",
        "kvs/redirects.json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output: Value = serde_json::from_str(
        stdout_json(&out)["TestResult"]["FunctionOutput"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(output["response"]["statusCode"], 301);
}

#[test]
fn a_function_that_throws_exits_1_with_cloudfronts_message() {
    let out = edgesim(&[
        "test-function",
        "--runtime",
        "cloudfront-js-2.0",
        "--function",
        "functions/broken/throws.js",
        "--event",
        "events/viewer-request-dir.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let result = &stdout_json(&out)["TestResult"];
    let msg = result["FunctionErrorMessage"].as_str().unwrap();
    assert!(
        msg.starts_with("The CloudFront function associated with the CloudFront distribution is invalid or could not run. TypeError"),
        "{msg}"
    );
    assert_eq!(result["FunctionOutput"], "");
}

#[test]
fn an_infinite_loop_is_stopped_and_reported_and_the_process_exits() {
    let out = edgesim(&[
        "test-function",
        "--runtime",
        "cloudfront-js-2.0",
        "--function",
        "functions/broken/infinite-loop.js",
        "--event",
        "events/viewer-request-dir.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let result = &stdout_json(&out)["TestResult"];
    assert_eq!(result["ComputeUtilization"], "100");
    assert!(result["FunctionErrorMessage"]
        .as_str()
        .unwrap()
        .contains("InternalError"));
}

#[test]
fn syntax_the_runtime_refuses_is_a_function_error_naming_the_line() {
    let out = edgesim(&[
        "test-function",
        "--runtime",
        "cloudfront-js-1.0",
        "--function",
        "functions/broken/let-in-v1.js",
        "--event",
        "events/viewer-request-dir.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let msg = stdout_json(&out)["TestResult"]["FunctionErrorMessage"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(msg.contains("SyntaxError: Token \""), "{msg}");
    assert!(msg.contains("not supported in this version in "), "{msg}");
}

#[test]
fn input_errors_exit_2_with_one_line_naming_the_file() {
    let not_json = temp_file("not-json.json", "{ nope");
    let lambda = temp_file(
        "lambda.json",
        r#"{"Records":[{"cf":{"config":{"eventType":"viewer-request"},"request":{}}}]}"#,
    );
    let bad_uri = temp_file(
        "bad-uri.json",
        r#"{"context":{"eventType":"viewer-request"},"request":{"method":"GET","uri":5,"headers":{}}}"#,
    );
    let bad_kvs = temp_file(
        "bad-kvs.json",
        r#"{"data":[{"key":"a","value":"1"},{"key":"a","value":"2"}]}"#,
    );
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--event".into(), "events/does-not-exist.json".into()],
            "does-not-exist.json",
        ),
        (
            vec!["--event".into(), not_json.display().to_string()],
            "not valid JSON",
        ),
        (
            vec!["--event".into(), lambda.display().to_string()],
            "Lambda@Edge",
        ),
        (
            vec!["--event".into(), bad_uri.display().to_string()],
            "request.uri",
        ),
        (
            vec![
                "--event".into(),
                "events/viewer-request-dir.json".into(),
                "--kvs".into(),
                bad_kvs.display().to_string(),
            ],
            "duplicate key",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec![
            "test-function",
            "--runtime",
            "cloudfront-js-2.0",
            "--function",
            "functions/spa-rewrite.js",
        ];
        args.extend(extra.iter().map(String::as_str));
        let out = edgesim(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn an_unknown_runtime_or_a_missing_function_file_exits_2() {
    let out = edgesim(&[
        "test-function",
        "--runtime",
        "nodejs20.x",
        "--function",
        "functions/spa-rewrite.js",
        "--event",
        "events/viewer-request-dir.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cloudfront-js-2.0"));
    let out = edgesim(&[
        "test-function",
        "--runtime",
        "cloudfront-js-2.0",
        "--function",
        "functions/nope.js",
        "--event",
        "events/viewer-request-dir.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.js"));
}

#[test]
fn code_over_10_kb_is_refused_like_the_api() {
    let big = temp_file(
        "big.js",
        &format!(
            "function handler(e) {{ return e.request; }}\n//{}",
            "x".repeat(11_000)
        ),
    );
    let out = edgesim(&[
        "test-function",
        "--runtime",
        "cloudfront-js-2.0",
        "--function",
        &big.display().to_string(),
        "--event",
        "events/viewer-request-dir.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("FunctionSizeLimitExceeded"));
}

#[test]
fn help_shows_an_example() {
    let out = edgesim(&["test-function", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("edgesim test-function --runtime cloudfront-js-2.0"),
        "{help}"
    );
    assert!(help.contains("--kvs"));
}

#[test]
fn a_regex_the_engine_cannot_interrupt_still_ends_the_command() {
    let out = edgesim(&[
        "test-function",
        "--runtime",
        "cloudfront-js-2.0",
        "--function",
        "functions/broken/catastrophic-regex.js",
        "--event",
        "events/viewer-request-dir.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let msg = stdout_json(&out)["TestResult"]["FunctionErrorMessage"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(msg.contains("did not finish within 5 s"), "{msg}");
}
