//! The cost of running a CloudFront Function on the supervised function threads
//! (`FunctionThreads`, as `serve` does) against running it directly on the calling thread: the
//! viewer-request handler of benches/load/compare on a small event, 20,000 sequential runs
//! (docs/PERFORMANCE.md, "The hand-off").
//!
//! `cargo run --release -p edgesim-functions --example handoff`

use edgesim_functions::{
    CloudFrontFunction, FunctionOptions, FunctionThreads, InvokeInput, Runtime,
};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let code = "function handler(event) { var request = event.request; if (request.uri.endsWith('/')) { request.uri += 'index.html'; } request.headers['x-edgesim-viewer-request'] = { value: '1' }; return request; }";
    let f = CloudFrontFunction::new(code, FunctionOptions::new("vr", Runtime::Js10)).unwrap();
    let event = json!({"version":"1.0","context":{"eventType":"viewer-request","distributionDomainName":"d.cloudfront.net","distributionId":"E1","requestId":"abc"},
        "viewer":{"ip":"127.0.0.1"},
        "request":{"method":"GET","uri":"/index.html","querystring":{},"headers":{"host":{"value":"127.0.0.1:18091"},"user-agent":{"value":"wrk"},"accept":{"value":"*/*"}},"cookies":{}}});
    let input = InvokeInput::default();
    let n = 20000;
    for _ in 0..1000 {
        f.invoke(&event, &input);
    }
    let t = Instant::now();
    for _ in 0..n {
        f.invoke(&event, &input);
    }
    println!(
        "direct: {:.1} µs/run",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ev = Arc::new(event);
    let pool = FunctionThreads::global();
    pool.warm(std::slice::from_ref(&f));
    rt.block_on(async {
        for _ in 0..1000 {
            pool.invoke(&f, ev.clone(), InvokeInput::default()).await;
        }
        let t = Instant::now();
        for _ in 0..n {
            pool.invoke(&f, ev.clone(), InvokeInput::default()).await;
        }
        println!(
            "threads (sequential): {:.1} µs/run",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
        let mut v = Vec::new();
        for _ in 0..n {
            let t = Instant::now();
            pool.invoke(&f, ev.clone(), InvokeInput::default()).await;
            v.push(t.elapsed().as_micros());
        }
        v.sort();
        println!("threads p50 {} p99 {}", v[n / 2], v[n * 99 / 100]);
    });
}
