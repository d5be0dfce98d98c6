use std::time::Instant;

use edgesim_model::cff_http::{apply_request, request_event, EventContext};
use edgesim_model::validate::{normalize, validate, ValidationOptions};
use edgesim_model::EventType;

fn main() {
    let (parts, ()) = http::Request::get("/index.html?lang=en&page=2&q=a%20b&flag&x=1&x=2")
        .header("Host", "www.example.test")
        .header(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0",
        )
        .header(
            "Accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .header("Accept-Language", "en-US,en;q=0.5")
        .header("Accept-Encoding", "gzip, deflate, br")
        .header("Cache-Control", "no-cache")
        .header("X-Forwarded-For", "203.0.113.10")
        .header("X-Request-Id", "abc-123")
        .header("X-A", "1")
        .header("X-A", "2")
        .header("Referer", "https://www.example.test/")
        .header("Cookie", "session=abc; theme=dark; lang=en")
        .body(())
        .unwrap()
        .into_parts();
    let event = request_event(&parts, "203.0.113.10", &EventContext::default());
    let mut returned = event["request"].clone();
    returned["headers"]["x-added"] = serde_json::json!({"value": "yes"});
    let opts = ValidationOptions::default();
    let iterations = 10_000;
    for round in 0..5 {
        let start = Instant::now();
        let mut sink = 0usize;
        for _ in 0..iterations {
            let v = validate(EventType::ViewerRequest, &event, &returned, &opts).unwrap();
            let n = normalize(&returned).unwrap();
            let parts = apply_request(&v.output.to_value(), event.get("request")).unwrap();
            sink += parts.headers.len() + n.object().len() + v.warnings.len();
        }
        let elapsed = start.elapsed();
        println!(
            "round {round}: {iterations} iterations in {:?} ({:.2} us/iter) sink={sink}",
            elapsed,
            elapsed.as_secs_f64() * 1e6 / f64::from(iterations)
        );
    }
}
