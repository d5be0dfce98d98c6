//! A run is held to CloudFront's 2 MB memory quota and to the hard time limit wherever it
//! spends them: in one built-in call, in a loop, or in an async loop of Promise jobs. Each case
//! fails with an execution error (CloudFront's 503) within a bounded time, and the function
//! keeps working for the next request.

use std::time::{Duration, Instant};

use edgesim_functions::{CloudFrontFunction, CountingAlloc, FunctionOptions, InvokeInput, Runtime};
use serde_json::{json, Value};

/// Counts allocations as the `edgesim` binary does.
#[global_allocator]
static ALLOCATOR: CountingAlloc<std::alloc::System> = CountingAlloc(std::alloc::System);

fn event() -> Value {
    json!({"version": "1.0", "context": {"eventType": "viewer-request"},
        "viewer": {"ip": "203.0.113.10"},
        "request": {"method": "GET", "uri": "/", "querystring": {}, "headers": {}, "cookies": {}}})
}

/// A function that runs `body` when the URI is `/bad`, and passes the request through otherwise.
fn function(body: &str) -> CloudFrontFunction {
    let source = format!(
        "async function handler(event) {{ if (event.request.uri === '/bad') {{ {body} }} return event.request; }}"
    );
    CloudFrontFunction::new(&source, FunctionOptions::new("limits", Runtime::Js20)).unwrap()
}

/// Runs the bad case: it must fail with `expected` in its message, quickly; then a good run
/// on the same function must still succeed.
fn fails_then_recovers(body: &str, expected: &str) {
    fails_with_one_of(body, &[expected]);
}

fn fails_with_one_of(body: &str, expected: &[&str]) {
    let f = function(body);
    let mut bad = event();
    bad["request"]["uri"] = json!("/bad");
    let started = Instant::now();
    let run = f.invoke(&bad, &InvokeInput::default());
    let took = started.elapsed();
    let message = run.outcome.expect_err("the bad run fails").to_string();
    assert!(
        expected.iter().any(|e| message.contains(e)),
        "{body}: {message}"
    );
    assert!(took < Duration::from_secs(5), "{body} took {took:?}");
    let good = f.invoke(&event(), &InvokeInput::default());
    assert!(good.outcome.is_ok(), "{body}: {:?}", good.outcome);
}

#[test]
fn a_huge_repeat_is_refused_before_it_allocates() {
    fails_then_recovers("var s = 'x'.repeat(1e9); return s.length;", "MemoryError");
}

#[test]
fn a_string_doubling_loop_stops_at_the_quota() {
    fails_then_recovers("var s = 'x'; for (;;) { s += s; }", "MemoryError");
}

#[test]
fn catching_the_refusal_does_not_carry_on() {
    fails_then_recovers(
        "try { 'x'.repeat(1e8); } catch (e) {} return event.request;",
        "MemoryError",
    );
}

#[test]
fn filling_a_huge_array_is_refused() {
    fails_then_recovers("new Array(2e8).fill(0);", "MemoryError");
}

#[test]
fn padding_past_the_quota_is_refused() {
    fails_then_recovers("'x'.padStart(1e8, 'ab');", "MemoryError");
}

#[test]
fn joining_past_the_quota_is_refused() {
    fails_then_recovers("new Array(1e6).join('abc');", "MemoryError");
}

#[test]
fn an_endless_async_loop_meets_the_time_limit() {
    // Each await allocates, so the quota may be what stops it first (as in CloudFront, whose
    // runtime frees nothing during a run).
    fails_with_one_of(
        "for (;;) { await Promise.resolve(1); }",
        &["time limit", "MemoryError"],
    );
}

#[test]
fn loops_split_over_many_calls_meet_the_time_limit() {
    // boa's loop limit counts per call frame; the deadline counts the whole run.
    fails_then_recovers(
        "function spin() { for (var i = 0; i < 900000; i++) {} } for (var j = 0; j < 1e6; j++) { spin(); }",
        "time limit",
    );
}

#[test]
fn an_object_building_loop_stops_at_the_quota() {
    fails_then_recovers(
        "var a = []; for (var i = 0; i < 1e7; i++) { a.push({ i: i }); }",
        "MemoryError",
    );
}

#[test]
fn a_one_megabyte_string_fits_the_quota() {
    // 1 MiB of 'x' is 1 MiB in CloudFront's runtime: inside the 2 MB quota, and no loop.
    let f = function("");
    let f2 = CloudFrontFunction::new(
        "function handler(event) { var s = 'x'.repeat(1048576); event.request.headers['x-len'] = { value: String(s.length) }; return event.request; }",
        FunctionOptions::new("mb", Runtime::Js10),
    )
    .unwrap();
    drop(f);
    let run = f2.invoke(&event(), &InvokeInput::default());
    let out = run.outcome.expect("a 1 MiB string fits");
    assert_eq!(out["headers"]["x-len"]["value"], "1048576");
}

/// Every sample case in edge-samples/ stays well inside the quota, on its first run (which
/// warms the context) and after.
#[test]
fn the_sample_functions_fit_the_quota() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../edge-samples");
    let mut worst = (0u64, String::new());
    for entry in std::fs::read_dir(format!("{root}/cases")).unwrap() {
        let path = entry.unwrap().path();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let runtime: Runtime = case["runtime"].as_str().unwrap().parse().unwrap();
        let source =
            std::fs::read_to_string(format!("{root}/{}", case["function"].as_str().unwrap()))
                .unwrap();
        let mut options = FunctionOptions::new("sample", runtime);
        if let Some(kvs) = case.get("kvs").and_then(Value::as_str) {
            options.kvs = Some(std::sync::Arc::new(
                edgesim_functions::KeyValueStore::load(std::path::Path::new(&format!(
                    "{root}/{kvs}"
                )))
                .unwrap(),
            ));
        }
        let Ok(f) = CloudFrontFunction::new(&source, options) else {
            continue;
        };
        let event: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{root}/{}", case["event"].as_str().unwrap()))
                .unwrap(),
        )
        .unwrap();
        for _ in 0..3 {
            let run = f.invoke(&event, &InvokeInput::default());
            if run.allocated_bytes > worst.0 {
                worst = (run.allocated_bytes, path.display().to_string());
            }
            if let Err(e) = &run.outcome {
                assert!(
                    !e.to_string().contains("MemoryError"),
                    "{}: {e}",
                    path.display()
                );
            }
        }
    }
    eprintln!(
        "most allocated by a sample run: {} bytes ({})",
        worst.0, worst.1
    );
    assert!(
        worst.0 < edgesim_functions::limits::MEMORY_QUOTA_BYTES / 4,
        "{worst:?}"
    );
}
