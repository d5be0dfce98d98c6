//! A whole request through `Distribution::handle` in process, without sockets: the pipeline
//! `serve` runs per request (behavior match, viewer-request function, cache key and lookup,
//! origin exchange with the mock origin, viewer-response function, CloudFront's headers), and
//! the response body read to the end. This is what `edgesim bench --config` measures per
//! request; the difference to the `benches/load/` figures is hyper, the sockets and wrk.
//!
//! Cases (configs in benches/load/, the same ones the wrk script uses):
//! - `cache-hit`: every request a hit, no functions;
//! - `cache-hit-functions`: hits with spa-rewrite.js and security-headers.js on the viewer hooks;
//! - `pass-through`: caching disabled (all TTLs 0), every request goes to the mock origin.
//!
//! Run with `cargo bench --bench pipeline`.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use edgesim::proxy::{Config, Distribution};
use http_body_util::BodyExt;

const CASES: &[&str] = &["cache-hit", "cache-hit-functions", "pass-through"];

fn start(runtime: &tokio::runtime::Runtime, case: &str) -> Arc<Distribution> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/load")
        .join(format!("{case}.toml"));
    let mut config = Config::load(&path).expect("load the config");
    // Measure every request; throttling would turn some into 503s under a tight loop.
    config.throttle.enabled = false;
    runtime
        .block_on(Distribution::start(&config))
        .expect("start the distribution")
}

/// One request, the body read to the end; the status is returned so the loop cannot be
/// optimised into nothing and a broken config shows up as a panic, not as a fast figure.
async fn one(dist: &Distribution, viewer: SocketAddr) -> u16 {
    let request = http::Request::builder()
        .uri("/index.html")
        .header(http::header::HOST, "bench.example")
        .body(edgesim::proxy::empty())
        .expect("a valid request");
    let response = dist.handle(request, viewer).await;
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    status
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let viewer: SocketAddr = ([203, 0, 113, 10], 50000).into();
    let mut group = c.benchmark_group("pipeline");
    for case in CASES {
        let dist = start(&runtime, case);
        // Warm-up: fills the cache and the function contexts.
        for _ in 0..50 {
            assert_eq!(runtime.block_on(one(&dist, viewer)), 200, "{case}");
        }
        group.bench_function(*case, |b| {
            b.iter(|| runtime.block_on(one(&dist, viewer)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
