//! Every edge-sample case (edge-samples/cases/*.json) through the library: the function runs on
//! its event and the TestResult must match the case's expected output.
//!
//! A case file is the golden format users can copy: `runtime`, `function`, `event`, optional
//! `kvs`, and `expected` with `FunctionOutput` (parsed JSON, compared as JSON, never as bytes),
//! `FunctionErrorMessage` and `FunctionExecutionLogs`. An expected message equal to CloudFront's
//! bare execution-error sentence matches any engine error after it. `strict_expected_error`, when
//! present, is what `--strict` (the edge's own validation) must report instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use edgesim::functions::test_function::{test_function, TestOptions, EXECUTION_ERROR_MESSAGE};
use edgesim::functions::{CloudFrontFunction, FunctionOptions, KeyValueStore, Runtime};
use serde_json::Value;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("edge-samples")
}

struct Case {
    name: String,
    json: Value,
}

fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = std::fs::read_dir(samples().join("cases"))
        .expect("edge-samples/cases exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| Case {
            name: p.file_stem().unwrap().to_string_lossy().into_owned(),
            json: serde_json::from_slice(&std::fs::read(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display())),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Runs a case; returns the TestResult as JSON (FunctionOutput parsed) or why it could not run.
fn run(case: &Case, strict: bool) -> Value {
    let field = |k: &str| {
        case.json[k]
            .as_str()
            .unwrap_or_else(|| panic!("{}: missing {k}", case.name))
    };
    let runtime: Runtime = field("runtime").parse().unwrap();
    let event_json: Value =
        serde_json::from_slice(&std::fs::read(samples().join(field("event"))).unwrap()).unwrap();
    let event =
        edgesim::model::parse_event(&event_json).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    let mut options = FunctionOptions::new(case.name.clone(), runtime);
    if let Some(kvs) = case.json["kvs"].as_str() {
        options.kvs = Some(Arc::new(KeyValueStore::load(&samples().join(kvs)).unwrap()));
    }
    let run = match CloudFrontFunction::from_file(&samples().join(field("function")), options) {
        Ok(f) => test_function(&f, &event, &TestOptions { strict }),
        Err(e) => edgesim::functions::test_function::compile_failure(&e),
    };
    let output = if run.result.function_output.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&run.result.function_output).expect("FunctionOutput is JSON")
    };
    serde_json::json!({
        "FunctionOutput": output,
        "FunctionErrorMessage": run.result.function_error_message,
        "FunctionExecutionLogs": run.result.function_execution_logs,
        "ComputeUtilization": run.result.compute_utilization,
    })
}

fn message_matches(expected: &str, actual: &str) -> bool {
    if expected == EXECUTION_ERROR_MESSAGE {
        actual.starts_with(&format!("{EXECUTION_ERROR_MESSAGE} "))
    } else {
        expected == actual
    }
}

#[test]
fn every_edge_sample_case_matches_its_expected_test_result() {
    let cases = cases();
    assert!(
        cases.len() >= 30,
        "expected the bundled cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let got = run(case, false);
        let expected = &case.json["expected"];
        let want_output = expected
            .get("FunctionOutput")
            .cloned()
            .unwrap_or(Value::Null);
        let want_message = expected["FunctionErrorMessage"].as_str().unwrap_or("");
        if got["FunctionOutput"] != want_output {
            failures.push(format!(
                "{}: FunctionOutput\n  expected {want_output}\n  got      {}\n  error    {}",
                case.name, got["FunctionOutput"], got["FunctionErrorMessage"]
            ));
        }
        if !message_matches(want_message, got["FunctionErrorMessage"].as_str().unwrap()) {
            failures.push(format!(
                "{}: FunctionErrorMessage\n  expected {want_message:?}\n  got      {}",
                case.name, got["FunctionErrorMessage"]
            ));
        }
        if let Some(logs) = expected.get("FunctionExecutionLogs") {
            if &got["FunctionExecutionLogs"] != logs {
                failures.push(format!(
                    "{}: logs expected {logs} got {}",
                    case.name, got["FunctionExecutionLogs"]
                ));
            }
        }
        let utilization: u32 = got["ComputeUtilization"].as_str().unwrap().parse().unwrap();
        assert!(
            utilization <= 100,
            "{}: utilisation {utilization}",
            case.name
        );
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn strict_mode_reports_what_the_edge_would_refuse() {
    let mut checked = 0;
    for case in cases() {
        let Some(want) = case.json["strict_expected_error"].as_str() else {
            continue;
        };
        let got = run(&case, true);
        assert_eq!(got["FunctionErrorMessage"], want, "{}", case.name);
        assert_eq!(got["FunctionOutput"], Value::Null, "{}", case.name);
        checked += 1;
    }
    assert!(
        checked >= 2,
        "expected strict cases in edge-samples, found {checked}"
    );
}
