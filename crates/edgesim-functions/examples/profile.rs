//! Development aid: how much does a cold CPU cache cost an invocation?
//! cargo run --release -p edgesim-functions --example profile
use edgesim_functions::*;
fn main() {
    let ev: serde_json::Value = serde_json::from_str(r#"{"version":"1.0","context":{"distributionDomainName":"d111111abcdef8.cloudfront.net","distributionId":"E1EDGESIMLOCAL","eventType":"viewer-request","requestId":"fHxP1iT5ue5T1o-EpjgiFj1v5VwvrIH-76rpYN9JKz41JaILXj8cXQ=="},"viewer":{"ip":"127.0.0.1"},"request":{"method":"GET","uri":"/index.html","querystring":{},"headers":{"host":{"value":"127.0.0.1:18080"},"user-agent":{"value":"curl/7.88.1"},"accept":{"value":"*/*"},"cloudfront-viewer-country":{"value":"US"},"cloudfront-is-desktop-viewer":{"value":"true"},"cloudfront-is-mobile-viewer":{"value":"false"},"cloudfront-is-tablet-viewer":{"value":"false"},"cloudfront-is-smarttv-viewer":{"value":"false"}},"cookies":{}}}"#).unwrap();
    let src = std::fs::read_to_string("edge-samples/functions/spa-rewrite.js").unwrap();
    let f = CloudFrontFunction::new(&src, FunctionOptions::new("spa", Runtime::Js20)).unwrap();
    let mut junk = vec![0u8; 16 << 20];
    for evict in [false, true, false, true] {
        let mut ts = Vec::new();
        let mut cus = 0u64;
        for i in 0..3000 {
            if evict {
                for j in (0..junk.len()).step_by(64) {
                    junk[j] = junk[j].wrapping_add(i as u8);
                }
            }
            let t = std::time::Instant::now();
            let r = f.invoke(&ev, &InvokeInput::default());
            ts.push(t.elapsed().as_secs_f64() * 1e6);
            cus += u64::from(r.compute_utilization);
        }
        ts.sort_by(f64::total_cmp);
        println!(
            "evict={evict}: p50 {:.1} µs p99 {:.1} µs mean CU {:.1}",
            ts[ts.len() / 2],
            ts[ts.len() * 99 / 100],
            cus as f64 / 3000.0
        );
    }
    std::hint::black_box(&junk);
}
