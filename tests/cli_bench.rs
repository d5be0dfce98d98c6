//! `edgesim bench` as a user runs it: the real binary, real sample files.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("edge-samples")
}

fn edgesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args(args)
        .current_dir(samples())
        .output()
        .expect("edgesim runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn a_sample_function_reports_latency_and_the_same_compute_utilization_every_time() {
    let args = [
        "bench",
        "--function",
        "functions/spa-rewrite.js",
        "--runtime",
        "cloudfront-js-2.0",
        "--event",
        "events/viewer-request-dir.json",
        "--runs",
        "200",
        "--warmup",
        "5",
        "--json",
    ];
    let first = edgesim(&args);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let a = json(&first);
    assert_eq!(a["mode"], "function");
    assert_eq!(a["runs"], 200);
    assert!(a["latency"]["p99_us"].as_f64().unwrap() >= a["latency"]["p50_us"].as_f64().unwrap());
    let cu = &a["compute_utilization"];
    assert_eq!(cu["min"], cu["max"], "one event: one predicted figure");
    assert_eq!(a["throttled_runs"], 0);
    let b = json(&edgesim(&args));
    assert_eq!(
        b["compute_utilization"]["max"], cu["max"],
        "same figure on every run"
    );
}

#[test]
fn a_slow_function_fails_the_utilization_gate_naming_function_event_and_figure() {
    let out = edgesim(&[
        "bench",
        "--function",
        "functions/slow-hash.js",
        "--runtime",
        "cloudfront-js-1.0",
        "--event",
        "events/viewer-request-dir.json",
        "--runs",
        "30",
        "--warmup",
        "1",
        "--max-utilization",
        "80",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("functions/slow-hash.js")
            && stderr.contains("events/viewer-request-dir.json")
            && stderr.contains("ComputeUtilization 100 is over --max-utilization 80"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("would have been throttled by CloudFront: 10 run(s)"),
        "{stdout}"
    );
}

#[test]
fn the_demo_distribution_replays_the_sample_access_log_and_counts_malformed_lines() {
    let out = edgesim(&[
        "bench",
        "--config",
        "edgesim.toml",
        "--requests",
        "logs/cloudfront-access.log.gz",
        "--warmup",
        "0",
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["mode"], "distribution");
    assert_eq!(r["runs"], 17, "one pass over the log's 17 good lines");
    let malformed: Vec<u64> = r["malformed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["line"].as_u64().unwrap())
        .collect();
    assert_eq!(malformed, [10, 21]);
    let phases: Vec<&str> = r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert!(
        phases.contains(&"viewer-request") && phases.contains(&"cache"),
        "{phases:?}"
    );
    let hit_ratio = r["hit_ratio"].as_f64().unwrap();
    assert!(hit_ratio > 0.0 && hit_ratio < 1.0, "{hit_ratio}");
    assert!(r["compute_utilization"]["max"].as_u64().unwrap() > 0);
}

/// The round trip (pipe, serialisation both ways, scheduling) and the handler's own time as
/// the worker measured it are reported separately; each run's own time is part of its round
/// trip, so every percentile of it is at most the round trip's.
fn handler_reports_round_trip_and_own_time(handler: &str, runtime: &str) {
    let out = edgesim(&[
        "bench",
        "--handler",
        handler,
        "--runtime",
        runtime,
        "--event",
        "events/lambda-viewer-request.json",
        "--runs",
        "20",
        "--warmup",
        "2",
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(
        (r["mode"].as_str(), r["runs"].as_u64()),
        (Some("handler"), Some(20))
    );
    let round_trip = r["latency"]["p50_us"].as_f64().unwrap();
    let own = r["handler_time"]["p50_us"]
        .as_f64()
        .unwrap_or_else(|| panic!("no handler_time in {r}"));
    assert!(own > 0.0, "{r}");
    assert!(own <= round_trip, "{r}");
    assert!(r["handler_time"]["max_us"].as_f64() <= r["latency"]["max_us"].as_f64());
}

#[test]
fn a_node_handler_reports_its_round_trip_and_its_own_time() {
    handler_reports_round_trip_and_own_time("lambda/auth/index.handler", "nodejs20.x");
}

#[test]
fn a_python_handler_reports_its_round_trip_and_its_own_time() {
    handler_reports_round_trip_and_own_time("lambda/auth/app.handler", "python3.11");
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let out = edgesim(&[
        "bench",
        "--function",
        "functions/spa-rewrite.js",
        "--runtime",
        "cloudfront-js-2.0",
        "--event",
        "events/no-such-event.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("events/no-such-event.json"));
}
