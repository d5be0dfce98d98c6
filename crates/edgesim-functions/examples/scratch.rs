use edgesim_functions::*;
fn main() {
    let ev = serde_json::json!({"version":"1.0","context":{"eventType":"viewer-request"},"viewer":{"ip":"1.2.3.4"},
      "request":{"method":"GET","uri":"/a","querystring":{},"headers":{"host":{"value":"x"}},"cookies":{}}});
    for (rt, src) in [
        (Runtime::Js20, "function handler(e) { return e.request; }"),
        (Runtime::Js20, "function handler(e) { return e.request.nope.value; }"),
        (Runtime::Js20, "function handler(e) { return URL; }"),
        (Runtime::Js20, "function handler(e) { var x = 1; x(); }"),
        (Runtime::Js20, "function handler(e) { e.request.foo(); }"),
        (Runtime::Js20, "function handler(e) { while(true){} }"),
        (Runtime::Js20, "function handler(e) { for(var i=0;i<1e9;i++){ for (var j=0;j<10;j++){} } }"),
        (Runtime::Js20, "function handler(e) { [1,2].forEach(function(){ while(true){} }); }"),
        (Runtime::Js20, "function f(){return f();} function handler(e) { return f(); }"),
        (Runtime::Js20, "function handler(e) { return eval('1'); }"),
        (Runtime::Js20, "function handler(e) { throw new Error('boom'); }"),
        (Runtime::Js20, "async function handler(e) { await null; throw new TypeError('late'); }"),
        (Runtime::Js20, "async function handler(e) { console.log('hi', 1, {a:1}); return {statusCode: 200, date: Date.now(), q: e.request.rawQueryString()}; }"),
        (Runtime::Js20, "function handler(e) { return e.request.uri + ; }"),
        (Runtime::Js20, "function handler(e) { return [ ; }"),
        (Runtime::Js20, "var x = 0; function handler(e) { x++; globalThis.y = (globalThis.y||0)+1; return {x: x, y: globalThis.y}; }"),
    ] {
        match CloudFrontFunction::new(src, FunctionOptions::new("t", rt)) {
            Err(e) => println!("LOAD ERR {src}\n   -> {e}"),
            Ok(f) => {
                let t = std::time::Instant::now();
                let r = f.invoke(&ev, &InvokeInput{raw_query: Some("a=1".into()), ..Default::default()});
                let r2 = f.invoke(&ev, &InvokeInput::default());
                println!("{src}\n   -> {:?} logs={:?} cu={} wall={:?} | second: {:?}", r.outcome, r.logs, r.compute_utilization, t.elapsed(), r2.outcome.as_ref().map(|v| v.to_string()).map_err(|e| e.to_string()));
            }
        }
    }
}
