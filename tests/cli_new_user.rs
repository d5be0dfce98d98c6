//! What a new user runs first, through the binary and the files in the repository: the README's
//! config is a real file that loads, the CLI explains itself without notes from outside the
//! repository, and the event generator covers CloudFront Functions too.

use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn edgesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the edgesim binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

#[test]
fn the_readme_config_is_the_dev_server_sample_file_verbatim() {
    let file = std::fs::read_to_string(root().join("edge-samples/dev-server.toml")).unwrap();
    let readme = readme();
    assert!(
        readme.contains(&format!("```toml\n{file}```")),
        "README.md must show edge-samples/dev-server.toml as it is"
    );
}

#[test]
fn the_dev_server_sample_config_loads_and_points_at_files_that_exist() {
    let path = root().join("edge-samples/dev-server.toml");
    let config = edgesim::proxy::Config::load(&path).expect("parses");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // Building compiles every function and starts the Lambda@Edge workers: a missing file fails.
    let distribution = runtime.block_on(edgesim::proxy::Distribution::start(&config));
    assert!(distribution.is_ok(), "{:?}", distribution.err());
    // Made for development: nothing cached by default when the origin says nothing.
    assert_eq!(config.default_behavior.cache.default_ttl, 0);
}

#[test]
fn readme_and_help_cite_nothing_outside_the_repository() {
    let mut texts = vec![("README.md".to_owned(), readme())];
    for command in ["serve", "invoke", "test-function", "generate-event"] {
        let out = edgesim(&[command, "--help"]);
        assert!(out.status.success());
        texts.push((format!("{command} --help"), text(&out.stdout)));
    }
    for (name, text) in texts {
        for outside in ["shared/reference", "team notes", "the reference, §"] {
            assert!(!text.contains(outside), "{name} cites {outside:?}");
        }
    }
}

#[test]
fn generate_event_writes_a_cloudfront_functions_viewer_request_event() {
    let out = edgesim(&[
        "generate-event",
        "viewer-request",
        "--cloudfront-function",
        "--uri",
        "/blog/",
        "--querystring",
        "a=1&b=2",
        "--header",
        "accept-language: de",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(event["version"], "1.0");
    assert_eq!(event["context"]["eventType"], "viewer-request");
    assert_eq!(event["request"]["uri"], "/blog/");
    assert_eq!(event["request"]["querystring"]["b"]["value"], "2");
    assert_eq!(
        event["request"]["headers"]["accept-language"]["value"],
        "de"
    );
    assert!(event.get("Records").is_none());
}

#[test]
fn a_generated_viewer_response_event_runs_in_test_function() {
    let dir = std::env::temp_dir().join(format!("edgesim-new-user-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = edgesim(&[
        "generate-event",
        "viewer-response",
        "--cff",
        "--status",
        "404",
        "--response-header",
        "content-type: text/plain",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(event["context"]["eventType"], "viewer-response");
    assert_eq!(event["response"]["statusCode"], 404);
    assert_eq!(
        event["response"]["headers"]["content-type"]["value"],
        "text/plain"
    );
    let event_file = dir.join("response.json");
    std::fs::write(&event_file, &out.stdout).unwrap();
    let run = edgesim(&[
        "test-function",
        "--runtime",
        "cloudfront-js-2.0",
        "--function",
        "edge-samples/functions/security-headers.js",
        "--event",
        event_file.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
}

#[test]
fn generate_event_refuses_origin_triggers_for_cloudfront_functions() {
    let out = edgesim(&["generate-event", "origin-request", "--cloudfront-function"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("viewer-request and viewer-response only"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn test_function_names_the_disallowed_header_with_and_without_strict() {
    let dir = std::env::temp_dir().join(format!("edgesim-new-user-h-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let function = dir.join("real-ip.js");
    std::fs::write(
        &function,
        "function handler(event) { event.request.headers['x-real-ip'] = { value: '1.2.3.4' }; return event.request; }",
    )
    .unwrap();
    for strict in [false, true] {
        let mut args = vec![
            "test-function",
            "--runtime",
            "cloudfront-js-2.0",
            "--function",
            function.to_str().unwrap(),
            "--event",
            "edge-samples/events/viewer-request-dir.json",
        ];
        if strict {
            args.push("--strict");
        }
        let out = edgesim(&args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let message = result["TestResult"]["FunctionErrorMessage"]
            .as_str()
            .unwrap();
        assert!(
            message.contains("must not contain disallowed headers"),
            "{message}"
        );
        assert!(
            text(&out.stderr).contains("`x-real-ip`"),
            "strict={strict}: {}",
            text(&out.stderr)
        );
    }
}
