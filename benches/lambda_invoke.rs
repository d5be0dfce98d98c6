//! One Lambda@Edge invocation, Node.js and Python (each a warm worker process speaking NDJSON
//! over pipes), on the viewer-request sample event with the basic-auth handler.
//!
//! Prints p50/p99 over 2,000 sequential invocations per runtime (after 200 warm-up ones), then
//! lets criterion measure the mean. Run with `cargo bench --bench lambda_invoke`.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use edgesim_lambda::{LambdaFunction, LambdaOptions};

fn start(runtime: &tokio::runtime::Runtime, lang: &str, handler: &str) -> LambdaFunction {
    let mut options = LambdaOptions::new(lang, handler);
    options.base_dir = env!("CARGO_MANIFEST_DIR").into();
    options.pool_size = 1;
    runtime
        .block_on(LambdaFunction::start(options))
        .expect("start the function")
}

fn percentiles(
    runtime: &tokio::runtime::Runtime,
    function: &LambdaFunction,
    event: &serde_json::Value,
) -> (Duration, Duration) {
    for _ in 0..200 {
        runtime.block_on(function.invoke_ref(event));
    }
    let mut samples: Vec<Duration> = (0..2000)
        .map(|_| {
            let start = Instant::now();
            let invocation = runtime.block_on(function.invoke_ref(event));
            assert!(invocation.outcome.is_ok());
            start.elapsed()
        })
        .collect();
    samples.sort();
    (
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
    )
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let event: serde_json::Value = serde_json::from_str(include_str!(
        "../edge-samples/events/lambda-viewer-request.json"
    ))
    .unwrap();
    let node = start(
        &runtime,
        "nodejs20.x",
        "edge-samples/lambda/auth/index.handler",
    );
    let python = start(
        &runtime,
        "python3.11",
        "edge-samples/lambda/auth/app.handler",
    );
    for (name, function) in [("node", &node), ("python", &python)] {
        let (p50, p99) = percentiles(&runtime, function, &event);
        println!("lambda_invoke/{name}: p50 {p50:?}, p99 {p99:?} (2000 sequential invocations)");
    }
    let mut group = c.benchmark_group("lambda_invoke");
    group.bench_function("node", |b| {
        b.iter(|| runtime.block_on(node.invoke_ref(&event)))
    });
    group.bench_function("python", |b| {
        b.iter(|| runtime.block_on(python.invoke_ref(&event)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
