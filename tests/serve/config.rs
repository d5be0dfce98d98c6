//! Config errors: file, line and field, before anything listens.

use crate::harness::Edge;

async fn start_error(config: &str, files: &[(&str, &str)]) -> String {
    match Edge::try_start(config, files).await {
        Ok(_) => panic!("the config was accepted"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn unknown_ids_and_bad_patterns_name_file_line_and_field() {
    let unknown_origin =
        "[[origins]]\nid = \"site\"\nmock = {}\n[default_behavior]\norigin = \"sight\"\n";
    let message = start_error(unknown_origin, &[]).await;
    assert!(
        message.contains(
            "edgesim.toml: line 5, column 10: default_behavior.origin: unknown origin \"sight\""
        ),
        "{message}"
    );

    let unknown_kvs = "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"o\"\n\
                       viewer_request = { code = \"f.js\", kvs = \"nope\" }\n";
    let message = start_error(
        unknown_kvs,
        &[("f.js", "function handler(e) { return e.request; }")],
    )
    .await;
    assert!(
        message.contains("line 6") && message.contains("unknown key_value_stores id \"nope\""),
        "{message}"
    );

    let bad_pattern = "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"o\"\n\
                       [[behaviors]]\npath_pattern = \"/a b\"\norigin = \"o\"\n";
    let message = start_error(bad_pattern, &[]).await;
    assert!(
        message.contains("line 7") && message.contains("behaviors[0].path_pattern"),
        "{message}"
    );

    let typo =
        "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"o\"\ncahce = {}\n";
    let message = start_error(typo, &[]).await;
    assert!(
        message.contains("line 6") && message.contains("unknown field `cahce`"),
        "{message}"
    );
}

#[tokio::test]
async fn function_compile_errors_carry_cloudfronts_message_and_the_file() {
    let config = "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"o\"\n\
                  viewer_request = { runtime = \"cloudfront-js-1.0\", code = \"v1.js\" }\n";
    let message = start_error(
        config,
        &[(
            "v1.js",
            "function handler(e) {\n  let x = 1;\n  return e.request;\n}",
        )],
    )
    .await;
    // file:line, then CloudFront's own message.
    assert!(message.contains("v1.js:2: SyntaxError"), "{message}");
}

const ORIGIN: &str = "[[origins]]\nid = \"o\"\nmock = {}\n";

#[tokio::test]
async fn ttl_order_is_reported_at_the_behaviors_cache_line() {
    let config = format!(
        "{ORIGIN}[default_behavior]\norigin = \"o\"\n\
         [[behaviors]]\npath_pattern = \"/a/*\"\norigin = \"o\"\n\
         cache = {{ min_ttl = 100, default_ttl = 10 }}\n"
    );
    let message = start_error(&config, &[]).await;
    assert!(
        message.contains("line 9, column 9: behaviors[0].cache: TTLs must satisfy min_ttl <= default_ttl <= max_ttl"),
        "{message}"
    );
    assert!(!message.contains("line 1, column 1"), "{message}");
}

#[tokio::test]
async fn two_cache_behaviors_with_the_same_path_pattern_are_refused() {
    let config = format!(
        "{ORIGIN}[default_behavior]\norigin = \"o\"\n\
         [[behaviors]]\npath_pattern = \"/api/*\"\norigin = \"o\"\n\
         [[behaviors]]\npath_pattern = \"/api/*\"\norigin = \"o\"\n"
    );
    let message = start_error(&config, &[]).await;
    assert!(
        message.contains("line 10, column 16: behaviors[1].path_pattern: duplicate path pattern \"/api/*\" (also behaviors[0])"),
        "{message}"
    );
}

#[tokio::test]
async fn a_runtime_lambda_edge_does_not_offer_is_refused() {
    let config = format!(
        "{ORIGIN}[default_behavior]\norigin = \"o\"\n\
         origin_request = {{ runtime = \"nodejs99.x\", handler = \"h/index.handler\" }}\n"
    );
    let message = start_error(
        &config,
        &[(
            "h/index.js",
            "exports.handler = async (e) => e.Records[0].cf.request;",
        )],
    )
    .await;
    assert!(
        message.contains("line 6")
            && message.contains("default_behavior.origin_request.runtime: `nodejs99.x` is not a Lambda@Edge runtime; use one of nodejs16.x"),
        "{message}"
    );
}

#[tokio::test]
async fn budget_ms_is_a_number_of_milliseconds() {
    let config = format!(
        "{ORIGIN}[default_behavior]\norigin = \"o\"\n\
         viewer_request = {{ code = \"f.js\", budget_ms = 0 }}\n"
    );
    let message = start_error(
        &config,
        &[("f.js", "function handler(e) { return e.request; }")],
    )
    .await;
    assert!(
        message.contains(
            "default_behavior.viewer_request.budget_ms: must be a positive number of milliseconds"
        ),
        "{message}"
    );
    // The runtime was not written in the file: no made-up position for it.
    assert!(!message.contains("line 1, column 1"), "{message}");
}

/// Runs `edgesim serve` with `args` until it exits, with its stderr.
fn serve_cli(args: &[&str]) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .arg("serve")
        .args(args)
        .output()
        .expect("run edgesim");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn serve_exits_2_on_a_bad_config_and_says_why_once() {
    let (code, stderr) = serve_cli(&["--config", "/nonexistent/edgesim.toml"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("/nonexistent/edgesim.toml: No such file or directory"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");

    let dir = crate::harness::TempDir::new();
    dir.write(
        "edgesim.toml",
        "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"nope\"\n",
    );
    let path = dir.0.join("edgesim.toml");
    let (code, stderr) = serve_cli(&["--config", path.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("line 5, column 10: default_behavior.origin: unknown origin"),
        "{stderr}"
    );
}

#[test]
fn binding_every_interface_warns() {
    use std::io::{BufRead, BufReader};
    let dir = crate::harness::TempDir::new();
    dir.write(
        "edgesim.toml",
        "[[origins]]\nid = \"o\"\nmock = {}\n[default_behavior]\norigin = \"o\"\n",
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args(["serve", "--quiet", "--listen", "0.0.0.0:0", "--config"])
        .arg(dir.0.join("edgesim.toml"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run edgesim");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    let line = line.expect("a warning on stderr");
    assert!(
        line.contains("WARN") && line.contains("accepts connections from other machines"),
        "{line}"
    );
}
