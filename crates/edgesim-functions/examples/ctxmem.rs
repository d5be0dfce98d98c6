//! What a CloudFront Function's engine context costs in memory: RSS after building 1..10
//! contexts of a trivial function on one thread, then the first on another thread
//! (docs/PERFORMANCE.md, "Memory").
//!
//! `cargo run --release -p edgesim-functions --example ctxmem [cloudfront-js-2.0]`

use edgesim_functions::{CloudFrontFunction, FunctionOptions, Runtime};

fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .unwrap()
        .to_string()
}
fn main() {
    let rt: Runtime = std::env::args()
        .nth(1)
        .unwrap_or("cloudfront-js-1.0".into())
        .parse()
        .unwrap();
    println!("start {}", rss());
    let mut v = Vec::new();
    for i in 0..10 {
        v.push(
            CloudFrontFunction::new(
                "function handler(e){return e.request}",
                FunctionOptions::new(format!("f{i}"), rt),
            )
            .unwrap(),
        );
        println!("{} contexts {}", i + 1, rss());
    }
    let f = v[0].clone();
    std::thread::spawn(move || {
        f.warm_this_thread();
        println!("other thread 1 ctx {}", rss());
    })
    .join()
    .unwrap();
}
