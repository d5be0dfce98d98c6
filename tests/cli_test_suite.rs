//! `edgesim test` through the real binary: a suite written as the README describes it, with a
//! deliberately failing case, a bad case, `--junit` and `--update`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn edgesim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_edgesim"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn suite(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edgesim-cli-suite-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("rewrite.js"),
        "function handler(event) { var r = event.request; if (r.uri.endsWith('/')) { r.uri += 'index.html'; } return r; }\n",
    )
    .unwrap();
    let event = r#"{"version":"1.0","context":{"eventType":"viewer-request"},"viewer":{"ip":"203.0.113.1"},
        "request":{"method":"GET","uri":"/docs/","querystring":{},"headers":{},"cookies":{}}}"#;
    std::fs::write(dir.join("event.json"), event).unwrap();
    let case = |uri: &str| {
        format!(
            r#"{{"description":"directories get index.html","runtime":"cloudfront-js-2.0","function":"rewrite.js","event":"event.json",
               "match":"partial","expected":{{"FunctionOutput":{{"request":{{"uri":"{uri}"}}}},"FunctionErrorMessage":""}}}}"#
        )
    };
    std::fs::write(dir.join("passes.json"), case("/docs/index.html")).unwrap();
    std::fs::write(dir.join("fails-on-purpose.json"), case("/docs/wrong.html")).unwrap();
    dir
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = edgesim().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_failing_case_prints_a_diff_and_exits_1_with_a_junit_report() {
    let dir = suite("fail");
    let junit = dir.join("report.xml");
    let (code, out, _) = run(&[
        "test",
        dir.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ok    passes ("), "{out}");
    assert!(out.contains("FAIL  fails-on-purpose ("), "{out}");
    assert!(out.contains("-     \"uri\": \"/docs/wrong.html\""), "{out}");
    assert!(out.contains("+     \"uri\": \"/docs/index.html\""), "{out}");
    assert!(
        !out.contains("querystring"),
        "a partial case's diff shows only what it asks for: {out}"
    );
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
    assert!(
        xml.contains("<failure message=\"FunctionOutput differs:\">"),
        "{xml}"
    );
}

#[test]
fn update_rewrites_the_expected_output_and_the_suite_then_passes() {
    let dir = suite("update");
    let (code, out, _) = run(&["test", dir.to_str().unwrap(), "--update"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("updated 1 case file(s)"), "{out}");
    let (code, out, _) = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 passed, 0 failed"), "{out}");
}

#[test]
fn a_case_naming_a_missing_file_is_bad_input_exit_2() {
    let dir = suite("bad");
    std::fs::write(
        dir.join("broken.json"),
        r#"{"runtime":"cloudfront-js-2.0","function":"nope.js","event":"event.json","expected":{}}"#,
    )
    .unwrap();
    let (code, out, err) = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("broken.json: nope.js: no such file"), "{err}");
}

#[test]
fn http_cases_run_through_the_demo_distribution_in_process_and_on_a_socket() {
    let (code, out, err) = run(&[
        "test",
        repo().join("edge-samples/http-cases").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("5 passed, 0 failed"), "{out}");
}

#[test]
fn the_bundled_lambda_cases_pass() {
    let (code, out, err) = run(&[
        "test",
        repo().join("edge-samples/lambda/cases").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

#[test]
fn import_prints_the_config_and_lists_warnings_on_stderr() {
    let template = repo().join("crates/edgesim-import/tests/fixtures/sam-site/template.yaml");
    let dir = std::env::temp_dir().join(format!("edgesim-cli-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = edgesim()
        .current_dir(&dir)
        .args([
            "import",
            template.to_str().unwrap(),
            "--param",
            "ApiDomain=api.example.com",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("[default_behavior]"), "{stdout}");
    assert!(
        stderr.contains(
            "warning: Resources.Distribution.Properties.DistributionConfig.WebACLId: AWS WAF"
        ),
        "{stderr}"
    );
    assert!(Path::new(&dir)
        .join("edgesim-import/functions/template-rewrite.js")
        .is_file());

    let (code, _, err) = run(&["import", repo().join("Cargo.toml").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("Cargo.toml: not valid"), "{err}");
}

#[test]
fn the_bundled_golden_cases_run_as_they_are() {
    let (code, out, err) = run(&["test", repo().join("edge-samples/cases").to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

/// A function stuck where the engine cannot interrupt it (a regular expression that backtracks
/// without end) must not hang the suite: its case fails with the hard-limit message, the other
/// cases still run.
#[test]
fn a_stuck_function_fails_its_case_instead_of_hanging_the_suite() {
    let dir = suite("stuck");
    std::fs::remove_file(dir.join("fails-on-purpose.json")).unwrap();
    std::fs::write(
        dir.join("stuck.js"),
        "function handler(event) { if (/^(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab')) { event.request.uri = '/x'; } return event.request; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("stuck.json"),
        r#"{"description":"a catastrophic regex","runtime":"cloudfront-js-2.0","function":"stuck.js","event":"event.json",
            "match":"partial","expected":{"FunctionErrorMessage":""}}"#,
    )
    .unwrap();
    let (code, stdout, stderr) = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("1 passed, 1 failed"), "{stdout}");
    assert!(stdout.contains("hard time limit"), "{stdout}");
}

/// Connection-function cases (viewer mTLS): the bundled ones pass, and one expecting the wrong
/// decision fails with a diff of `ConnectionFunctionOutput`.
#[test]
fn connection_function_cases_compare_the_decision() {
    let (code, out, err) = run(&[
        "test",
        repo()
            .join("edge-samples/connection-cases")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 passed, 0 failed"), "{out}");

    let dir = suite("connection");
    let samples = repo().join("edge-samples");
    let case = serde_json::json!({
        "description": "expects a revoked device to be allowed (wrong on purpose)",
        "connection_function": samples.join("functions/connection/device-check.js"),
        "event": samples.join("events/connection-revoked.json"),
        "kvs": samples.join("kvs/revoked-serials.json"),
        "match": "partial",
        "expected": {"ConnectionFunctionOutput": {"action": "allow"}}
    });
    std::fs::write(dir.join("wrong.json"), case.to_string()).unwrap();
    let (code, out, _) = run(&["test", dir.join("wrong.json").to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ConnectionFunctionOutput differs:"), "{out}");
    assert!(out.contains("\"deny\""), "{out}");
}
