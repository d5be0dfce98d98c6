//! Times handler snippets (development aid): cargo run --release --example profile
use edgesim_functions::*;
fn main() {
    let ev = serde_json::json!({"version":"1.0","context":{"eventType":"viewer-request"},"viewer":{"ip":"1.2.3.4"},
      "request":{"method":"GET","uri":"/a","querystring":{},"headers":{"host":{"value":"x"}},"cookies":{}}});
    let tok = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyIsIm5hbWUiOiJFeGFtcGxlIFVzZXIiLCJleHAiOjQxMDI0NDQ4MDB9";
    let snippets = [
        ("empty", "return 1;".to_string()),
        ("require", "var c = require('crypto'); return 1;".to_string()),
        ("createHmac", "var c = require('crypto'); c.createHmac('sha256', 'secret'); return 1;".to_string()),
        ("hmac-digest", format!("var c = require('crypto'); return c.createHmac('sha256', 'secret').update('{tok}').digest('base64url');")),
        ("buffer-from-b64", format!("return Buffer.from('{tok}'.split('.')[1], 'base64url').toString('utf8');")),
        ("buffer-from-b64-only", format!("Buffer.from('{tok}'.split('.')[1], 'base64url'); return 1;")),
        ("json-parse", "return JSON.parse('{\"sub\":\"user-123\",\"name\":\"Example User\",\"exp\":4102444800}').exp;".to_string()),
        ("qs-loop", "var o = {}; var ks = ['b','a','utm_x','c']; ks.sort(); for (var i = 0; i < ks.length; i++) { if (ks[i].indexOf('utm_') !== 0) o[ks[i].toLowerCase()] = {value: 'x'}; } return o;".to_string()),
    ];
    for (name, body) in snippets {
        let f = CloudFrontFunction::new(
            &format!("function handler(e) {{ {body} }}"),
            FunctionOptions::new(name, Runtime::Js20),
        )
        .unwrap();
        for _ in 0..200 {
            let _ = f.invoke(&ev, &InvokeInput::default());
        }
        let mut ts: Vec<f64> = (0..2000)
            .map(|_| {
                let t = std::time::Instant::now();
                let r = f.invoke(&ev, &InvokeInput::default());
                assert!(r.outcome.is_ok(), "{name}: {:?}", r.outcome);
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        ts.sort_by(f64::total_cmp);
        println!("{name:24} p50 {:8.1} µs", ts[ts.len() / 2]);
    }
}
