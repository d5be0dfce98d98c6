//! The CloudFront Functions runtimes as cloudfront-functions.md describes them (§ numbers).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use edgesim_functions::{
    CloudFrontFunction, FunctionError, FunctionOptions, InvokeInput, KeyValueStore, OriginChange,
    Runtime,
};
use serde_json::{json, Value};

use Runtime::{Js10, Js20};

fn event() -> Value {
    json!({
        "version": "1.0",
        "context": {"eventType": "viewer-request", "requestId": "r1"},
        "viewer": {"ip": "203.0.113.10"},
        "request": {"method": "GET", "uri": "/a", "querystring": {"q": {"value": "1"}},
                    "headers": {"host": {"value": "www.example.com"}}, "cookies": {}}
    })
}

fn load(runtime: Runtime, src: &str) -> Result<CloudFrontFunction, FunctionError> {
    CloudFrontFunction::new(src, FunctionOptions::new("test", runtime))
}

/// Runs `body` as the handler's body and returns what it returned.
fn eval(runtime: Runtime, body: &str) -> Result<Value, String> {
    let f = load(runtime, &format!("function handler(event) {{ {body} }}"))
        .map_err(|e| e.to_string())?;
    f.invoke(&event(), &InvokeInput::default())
        .outcome
        .map_err(|e| e.to_string())
}

fn ok(runtime: Runtime, body: &str) -> Value {
    eval(runtime, body).unwrap_or_else(|e| panic!("{runtime}: {body}: {e}"))
}

fn compile_error(runtime: Runtime, src: &str) -> String {
    match load(runtime, src) {
        Err(FunctionError::Compile(m)) => m,
        other => panic!("expected a compile error, got {other:?}"),
    }
}

#[test]
fn const_let_and_async_are_2_0_only() {
    assert_eq!(
        compile_error(
            Js10,
            "function handler(e) {\n  const r = e.request;\n  return r;\n}"
        ),
        "SyntaxError: Token \"const\" not supported in this version in 2"
    );
    assert!(
        compile_error(Js10, "async function handler(e) { return e.request; }")
            .contains("\"async\"")
    );
    assert_eq!(
        ok(Js20, "const r = event.request; let u = r.uri; return u;"),
        json!("/a")
    );
}

#[test]
fn async_handlers_are_awaited_in_2_0() {
    let f = load(Js20, "async function handler(e) { var v = await Promise.resolve(2); return {statusCode: 200 + v}; }").unwrap();
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default()).outcome.unwrap(),
        json!({"statusCode": 202})
    );
    let f = load(
        Js20,
        "async function handler(e) { await null; throw new TypeError('late'); }",
    )
    .unwrap();
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default())
            .outcome
            .unwrap_err()
            .to_string(),
        "TypeError: late"
    );
}

#[test]
fn a_promise_that_never_settles_is_an_execution_error() {
    let f = load(
        Js20,
        "function handler(e) { return new Promise(function () {}); }",
    )
    .unwrap();
    let err = f
        .invoke(&event(), &InvokeInput::default())
        .outcome
        .unwrap_err();
    assert!(err.to_string().contains("never settled"), "{err}");
}

#[test]
fn syntax_refused_in_both_runtimes() {
    for rt in [Js10, Js20] {
        assert!(compile_error(
            rt,
            "function handler(e) { var {request} = e; return request; }"
        )
        .contains("Token \"{\""));
        assert!(compile_error(
            rt,
            "function handler(e) { return e.request; }\nexport default handler;"
        )
        .contains("Illegal export statement in 2"));
    }
    assert_eq!(
        compile_error(Js20, "import cf from 'cloudfront';\nasync function handler(e) {\n  return parseFloat(await cf.kvs().get('w'));\n}"),
        "SyntaxError: await in arguments not supported in 3"
    );
}

#[test]
fn ordinary_syntax_errors_name_the_line() {
    assert_eq!(
        compile_error(Js20, "function handler(e) {\n  return e.request.uri + ;\n}"),
        "SyntaxError: Unexpected token \";\" in 2"
    );
}

#[test]
fn eval_new_function_url_and_timers_are_unavailable() {
    for rt in [Js10, Js20] {
        assert!(eval(rt, "return eval('1');")
            .unwrap_err()
            .starts_with("EvalError"));
        assert!(eval(rt, "return new Function('return 1')();")
            .unwrap_err()
            .starts_with("EvalError"));
        assert_eq!(
            eval(rt, "return new URL('http://x');").unwrap_err(),
            "ReferenceError: \"URL\" is not defined"
        );
        assert_eq!(
            ok(
                rt,
                "return [typeof setTimeout, typeof fetch, typeof process, typeof Array.from];"
            ),
            json!(["undefined", "undefined", "undefined", "undefined"])
        );
        assert_eq!(
            eval(rt, "require('fs');").unwrap_err(),
            "Error: Cannot find module \"fs\""
        );
    }
}

#[test]
fn globals_differ_by_runtime() {
    assert_eq!(
        ok(Js10, "return [typeof Buffer, typeof TextEncoder, typeof atob, typeof String.bytesFrom, typeof ''.replaceAll];"),
        json!(["undefined", "undefined", "undefined", "function", "undefined"])
    );
    assert_eq!(
        ok(Js20, "return [typeof Buffer, typeof TextEncoder, typeof atob, typeof String.bytesFrom, typeof ''.replaceAll];"),
        json!(["function", "function", "function", "undefined", "function"])
    );
    assert_eq!(ok(Js20, "return [Buffer.from('héllo').toString('base64'), btoa('hi'), atob('aGk='), new TextEncoder().encode('é').length];"),
        json!(["aMOpbGxv", "aGk=", "hi", 2]));
    assert_eq!(
        ok(Js10, "return String.bytesFrom('aGk=', 'base64');"),
        json!("hi")
    );
}

#[test]
fn crypto_hashes_and_hmacs_like_node() {
    for rt in [Js10, Js20] {
        assert_eq!(
            ok(rt, "var c = require('crypto'); return [c.createHash('md5').update('abc').digest('hex'), c.createHash('sha1').update('abc').digest('base64'), c.createHash('sha256').update('abc').digest('base64url')];"),
            json!(["900150983cd24fb0d6963f7d28e17f72", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=", "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"])
        );
        assert_eq!(
            ok(rt, "return require('crypto').createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex');"),
            json!("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        );
    }
    // digest() without an encoding: a byte string in 1.0, a Buffer in 2.0 (§7).
    assert_eq!(ok(Js10, "var d = require('crypto').createHash('md5').update('abc').digest(); return [typeof d, d.length];"), json!(["string", 16]));
    assert_eq!(ok(Js20, "var d = require('crypto').createHash('md5').update('abc').digest(); return [Buffer.isBuffer(d), d.length];"), json!([true, 16]));
    assert_eq!(
        ok(Js20, "return typeof require('crypto').createHash;"),
        json!("function")
    );
}

#[test]
fn crypto_can_be_imported_in_2_0() {
    let f = load(Js20, "import crypto from 'crypto';\nfunction handler(e) { return crypto.createHash('sha1').update('').digest('hex'); }").unwrap();
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default()).outcome.unwrap(),
        json!("da39a3ee5e6b4b0d3255bfef95601890afd80709")
    );
}

#[test]
fn querystring_module_parses_and_stringifies() {
    for rt in [Js10, Js20] {
        assert_eq!(
            ok(rt, "var qs = require('querystring'); var p = qs.parse('a=1&b=x%20y&a=2&c'); return [p.a, p.b, p.c, qs.stringify({x: [1, 2], y: 'a b'})];"),
            json!([["1", "2"], "x y", "", "x=1&x=2&y=a%20b"])
        );
    }
}

#[test]
fn console_log_lines_are_captured_in_order() {
    let f = load(Js20, "function handler(e) { console.log('uri ' + e.request.uri); console.log({a: 1}); return e.request; }").unwrap();
    let run = f.invoke(&event(), &InvokeInput::default());
    assert_eq!(run.logs, ["uri /a", "{\"a\":1}"]);
}

#[test]
fn console_output_is_truncated_at_10_kb() {
    let f = load(Js20, "function handler(e) { for (var i = 0; i < 50; i++) { console.log('x'.repeat(1000)); } return e.request; }").unwrap();
    let run = f.invoke(&event(), &InvokeInput::default());
    assert_eq!(run.logs.iter().map(String::len).sum::<usize>(), 10 * 1024);
    assert!(run.outcome.is_ok());
}

#[test]
fn no_state_leaks_between_invocations() {
    let f = load(Js20, "var count = 0; function handler(e) { count++; globalThis.seen = (globalThis.seen || 0) + 1; return [count, globalThis.seen]; }").unwrap();
    for _ in 0..5 {
        assert_eq!(
            f.invoke(&event(), &InvokeInput::default()).outcome.unwrap(),
            json!([1, 1])
        );
    }
}

#[test]
fn date_is_frozen_at_the_start_of_the_invocation() {
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
    let f = load(Js20, "function handler(e) { var a = Date.now(); for (var i = 0; i < 10000; i++) {} return [a, Date.now(), new Date().getTime()]; }").unwrap();
    let input = InvokeInput {
        now: Some(at),
        ..InvokeInput::default()
    };
    assert_eq!(
        f.invoke(&event(), &input).outcome.unwrap(),
        json!([
            1_700_000_000_000i64,
            1_700_000_000_000i64,
            1_700_000_000_000i64
        ])
    );
}

#[test]
fn raw_query_string_is_a_2_0_request_method_not_part_of_the_output() {
    let f = load(Js20, "function handler(e) { e.request.headers['x-raw'] = {value: String(e.request.rawQueryString())}; return e.request; }").unwrap();
    let input = InvokeInput {
        raw_query: Some("q=1&flag".into()),
        ..InvokeInput::default()
    };
    let out = f.invoke(&event(), &input).outcome.unwrap();
    assert_eq!(out["headers"]["x-raw"]["value"], "q=1&flag");
    assert!(out.get("rawQueryString").is_none());
    let out = f.invoke(&event(), &InvokeInput::default()).outcome.unwrap();
    assert_eq!(out["headers"]["x-raw"]["value"], "undefined");
}

#[test]
fn an_infinite_loop_is_stopped_and_the_next_invocation_is_healthy() {
    let spin = load(Js20, "function handler(e) { if (e.request.uri === '/spin') { while (true) {} } return e.request.uri; }").unwrap();
    let mut spinning = event();
    spinning["request"]["uri"] = json!("/spin");
    let run = spin.invoke(&spinning, &InvokeInput::default());
    assert!(
        matches!(run.outcome, Err(FunctionError::Execution(_))),
        "{:?}",
        run.outcome
    );
    assert_eq!(run.compute_utilization, 100);
    assert_eq!(
        spin.invoke(&event(), &InvokeInput::default())
            .outcome
            .unwrap(),
        json!("/a")
    );
}

#[test]
fn nested_loops_and_loops_in_callbacks_are_stopped_too() {
    for body in [
        "for (var i = 0; i < 1e9; i++) { for (var j = 0; j < 10; j++) {} } return 1;",
        "[1, 2, 3].forEach(function () { while (true) {} }); return 1;",
        "function f() { return f(); } return f();",
    ] {
        let err = eval(Js20, body).unwrap_err();
        assert!(
            err.starts_with("InternalError") || err.starts_with("RangeError"),
            "{body}: {err}"
        );
    }
}

/// A regular expression that backtracks exponentially is one native call the deadline cannot
/// interrupt. While such a run lasts, the function is throttled: further runs are refused at
/// once (CloudFront's 503 `FunctionThrottledError`) instead of each taking another thread.
#[test]
fn a_function_stuck_in_a_regular_expression_is_throttled_until_the_run_ends() {
    let src = "function handler(e) {
        if (e.request.uri === '/stuck') { /^(a+)+$/.test('a'.repeat(STUCK_LEN) + '!'); }
        return e.request.uri;
    }"
    .replace(
        "STUCK_LEN",
        &std::env::var("EDGESIM_STUCK_LEN").unwrap_or("26".into()),
    );
    let mut options = FunctionOptions::new("stuck", Js20);
    options.stuck_after = Duration::from_millis(50);
    let f = CloudFrontFunction::new(&src, options).unwrap();
    let mut stuck = event();
    stuck["request"]["uri"] = json!("/stuck");

    let started = std::time::Instant::now();
    let stuck_run = {
        let f = f.clone();
        std::thread::spawn(move || f.invoke(&stuck, &InvokeInput::default()))
    };
    std::thread::sleep(Duration::from_millis(200));
    let refused = f.invoke(&event(), &InvokeInput::default());
    let still_running = !stuck_run.is_finished();
    let stuck_run = stuck_run.join().unwrap();
    eprintln!("the stuck run took {:?}", started.elapsed());
    assert!(
        still_running,
        "the regular expression ended within 200 ms; raise EDGESIM_STUCK_LEN"
    );
    match refused.outcome {
        Err(e @ FunctionError::Throttled { .. }) => {
            assert_eq!(
                e.edge_failure(),
                edgesim_model::EdgeFailure::FunctionThrottled
            );
            assert!(e.to_string().starts_with("FunctionThrottledError"), "{e}");
        }
        other => panic!("expected a throttled run, got {other:?}"),
    }
    // The stuck run itself finished normally; once it is over the function runs again.
    assert_eq!(stuck_run.outcome.unwrap(), json!("/stuck"));
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default()).outcome.unwrap(),
        json!("/a")
    );
}

#[test]
fn code_over_10_kb_is_refused() {
    let src = format!(
        "function handler(e) {{ return e.request; }}\n//{}",
        "x".repeat(10 * 1024)
    );
    assert!(matches!(
        load(Js20, &src),
        Err(FunctionError::CodeTooLarge { .. })
    ));
}

#[test]
fn compute_utilization_is_a_percentage_of_the_budget() {
    let mut options = FunctionOptions::new("t", Js20);
    options.budget = Duration::from_nanos(1);
    let f = CloudFrontFunction::new("function handler(e) { return e.request; }", options).unwrap();
    let run = f.invoke(&event(), &InvokeInput::default());
    assert_eq!(run.compute_utilization, 100);
    assert!(run.cpu_time > Duration::ZERO);
}

fn kvs_function(body: &str) -> CloudFrontFunction {
    let store = KeyValueStore::from_json(
        "store",
        br#"{"data":[{"key":"home","value":"/v2/index.html"},{"key":"cfg","value":"{\"w\":30}"}]}"#,
    )
    .unwrap();
    let mut options = FunctionOptions::new("kvs", Js20);
    options.kvs = Some(Arc::new(store));
    let src = format!("import cf from 'cloudfront';\nconst kvs = cf.kvs();\nasync function handler(event) {{ {body} }}");
    CloudFrontFunction::new(&src, options).unwrap()
}

#[test]
fn kvs_get_reads_strings_json_and_bytes() {
    let f = kvs_function(
        "var s = await kvs.get('home'); var j = await kvs.get('cfg', {format: 'json'}); var b = await kvs.get('home', {format: 'bytes'});
         return [s, j.w, b instanceof Uint8Array, b.length, await kvs.exists('home'), await kvs.exists('nope')];",
    );
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default()).outcome.unwrap(),
        json!(["/v2/index.html", 30, true, 14, true, false])
    );
}

#[test]
fn kvs_get_rejects_on_a_missing_key() {
    let f = kvs_function(
        "try { await kvs.get('missing'); return 'found'; } catch (e) { return 'caught'; }",
    );
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default()).outcome.unwrap(),
        json!("caught")
    );
    let f = kvs_function("return await kvs.get('missing');");
    assert!(f.invoke(&event(), &InvokeInput::default()).outcome.is_err());
}

#[test]
fn kvs_meta_counts_keys() {
    let f = kvs_function("var m = await kvs.meta(); return [m.keyCount, typeof m.creationDateTime, typeof m.lastUpdatedDateTime];");
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default()).outcome.unwrap(),
        json!([2, "string", "string"])
    );
}

#[test]
fn kvs_without_an_associated_store_fails() {
    let f = load(Js20, "import cf from 'cloudfront';\nasync function handler(e) { return await cf.kvs().get('a'); }").unwrap();
    let err = f
        .invoke(&event(), &InvokeInput::default())
        .outcome
        .unwrap_err();
    assert!(err.to_string().contains("no KeyValueStore"), "{err}");
}

#[test]
fn the_cloudfront_module_is_2_0_only() {
    assert!(compile_error(
        Js10,
        "import cf from 'cloudfront';\nfunction handler(e) { return e.request; }"
    )
    .contains("Cannot find module \"cloudfront\""));
}

#[test]
fn origin_helpers_are_recorded_for_the_proxy() {
    let f = load(
        Js20,
        "import cf from 'cloudfront';\nfunction handler(e) { cf.updateRequestOrigin({domainName: 'api.example.com', originPath: '/v2'}); cf.selectRequestOriginById('backup', {hostHeader: 'b.example.com'}); cf.logCustomData('hello'); return e.request; }",
    )
    .unwrap();
    let run = f.invoke(&event(), &InvokeInput::default());
    assert!(run.outcome.is_ok());
    assert_eq!(
        run.origin_changes,
        [
            OriginChange::UpdateRequestOrigin(
                json!({"domainName": "api.example.com", "originPath": "/v2"})
            ),
            OriginChange::SelectRequestOriginById {
                origin_id: "backup".into(),
                overrides: Some(json!({"hostHeader": "b.example.com"}))
            },
        ]
    );
    assert_eq!(run.custom_log_data.as_deref(), Some("hello"));
}

#[test]
fn edge_location_comes_from_the_invocation() {
    let f = load(
        Js20,
        "import cf from 'cloudfront';\nfunction handler(e) { return cf.edgeLocation; }",
    )
    .unwrap();
    let input = InvokeInput {
        edge_location: Some(json!({"name": "FRA"})),
        ..InvokeInput::default()
    };
    assert_eq!(
        f.invoke(&event(), &input).outcome.unwrap(),
        json!({"name": "FRA"})
    );
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default()).outcome.unwrap(),
        json!({})
    );
}

#[test]
fn a_function_is_usable_from_several_threads() {
    let f = load(Js20, "function handler(e) { return e.request.uri; }").unwrap();
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let f = f.clone();
            std::thread::spawn(move || f.invoke(&event(), &InvokeInput::default()).outcome.unwrap())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), json!("/a"));
    }
}

#[test]
fn logging_an_error_prints_its_name_and_message() {
    let f = load(Js20, "function handler(e) { try { throw new Error('Token expired'); } catch (err) { console.log(err); } return e.request; }").unwrap();
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default()).logs,
        ["Error: Token expired"]
    );
}

#[test]
fn a_named_export_is_accepted_in_2_0() {
    let f = load(
        Js20,
        "function handler(e) { return e.request.uri; }\nexport { handler };",
    )
    .unwrap();
    assert_eq!(
        f.invoke(&event(), &InvokeInput::default()).outcome.unwrap(),
        json!("/a")
    );
}

#[test]
fn json_parse_behaves_like_the_standard_one() {
    assert_eq!(
        ok(
            Js20,
            r#"var o = JSON.parse('{"b":1,"2":"x","a":[1.5,-0,1e21,null,true],"b":3}'); return [Object.keys(o), o.b, o.a, String(1/o.a[1])];"#
        ),
        json!([["2", "b", "a"], 3, [1.5, 0, 1e21, null, true], "-Infinity"])
    );
    assert_eq!(
        ok(
            Js20,
            r#"return JSON.parse('{"a":1}', function (k, v) { return k === 'a' ? v + 1 : v; }).a;"#
        ),
        json!(2)
    );
    assert_eq!(
        ok(
            Js20,
            r#"var o = JSON.parse('{"__proto__": {"x": 1}}'); return [o.x, Object.keys(o)];"#
        ),
        json!([null, ["__proto__"]])
    );
    let err = eval(Js20, "return JSON.parse('{bad');").unwrap_err();
    assert!(err.starts_with("SyntaxError"), "{err}");
    assert_eq!(ok(Js10, "return JSON.parse(' \"x\" ');"), json!("x"));
}
