//! The round trip of one Lambda@Edge invocation through a warm worker process, for Node.js and
//! Python, without building the rest of edgesim: the `auth` sample on the viewer-request
//! sample event, 2,000 sequential invocations after 200 warm-ups, p50 and p99.
//!
//! `cargo run --release -p edgesim-lambda --example roundtrip` (from the repository root).
//! `cargo bench --bench lambda_invoke` measures the same through the facade.

use std::time::{Duration, Instant};

use edgesim_lambda::{LambdaFunction, LambdaOptions};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let event: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{root}/edge-samples/events/lambda-viewer-request.json"
        ))
        .expect("the sample event"),
    )
    .expect("JSON");
    for (runtime, handler) in [
        ("nodejs20.x", "edge-samples/lambda/auth/index.handler"),
        ("python3.11", "edge-samples/lambda/auth/app.handler"),
    ] {
        let mut options = LambdaOptions::new(runtime, handler);
        options.base_dir = root.into();
        options.pool_size = 1;
        let function = LambdaFunction::start(options).await.expect("start");
        for _ in 0..200 {
            function.invoke_ref(&event).await;
        }
        let mut samples: Vec<Duration> = Vec::with_capacity(2000);
        for _ in 0..2000 {
            let start = Instant::now();
            let invocation = function.invoke_ref(&event).await;
            assert!(invocation.outcome.is_ok(), "{:?}", invocation.outcome);
            samples.push(start.elapsed());
        }
        samples.sort();
        println!(
            "{runtime}: p50 {:?}, p99 {:?} (2000 sequential invocations)",
            samples[1000], samples[1980]
        );
    }
}
