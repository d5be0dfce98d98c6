//! Hot reload: "Save a file and the next request runs the new code. Save a broken one and the
//! terminal shows the error; the last good version keeps serving; nothing is dropped."

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::harness::request;
use crate::live::LiveEdge;

const CONFIG: &str = r#"
[[origins]]
id = "site"
mock = {}

[[origins.routes]]
path = "/*"
headers = { "cache-control" = "no-store" }
body = "hello"

[default_behavior]
origin = "site"
viewer_response = { code = "version.js" }
"#;

fn version(v: &str) -> String {
    format!(
        "function handler(event) {{ event.response.headers['x-version'] = {{ value: '{v}' }}; return event.response; }}"
    )
}

/// Replaces a file the way editors do: write a temporary file, then rename it over the old one.
fn save(dir: &std::path::Path, name: &str, content: &str) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, content).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_under_load_drops_no_request_and_the_new_code_answers() {
    let edge = Arc::new(LiveEdge::start(CONFIG, &[("version.js", &version("1"))], true).await);
    assert_eq!(edge.get("/").await.header("x-version"), Some("1"));

    // Bounded load: 4 clients in a loop until told to stop (at most 15 s).
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed, saw_new) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (edge, stop, ok, failed, saw_new) = (
            edge.clone(),
            stop.clone(),
            ok.clone(),
            failed.clone(),
            saw_new.clone(),
        );
        clients.push(tokio::spawn(async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
            while !stop.load(Ordering::Relaxed) && tokio::time::Instant::now() < deadline {
                let req = http::Request::get("/").body(String::new()).unwrap();
                let reply = request(edge.server.local_addr(), req).await;
                match (reply.status.as_u16(), reply.header("x-version")) {
                    (200, Some("1")) => ok.fetch_add(1, Ordering::Relaxed),
                    (200, Some("2")) => {
                        saw_new.fetch_add(1, Ordering::Relaxed);
                        ok.fetch_add(1, Ordering::Relaxed)
                    }
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    save(&edge.dir.0, "version.js", &version("2"));
    for _ in 0..100 {
        if saw_new.load(Ordering::Relaxed) > 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.unwrap();
    }
    assert_eq!(failed.load(Ordering::Relaxed), 0, "no request failed");
    assert!(saw_new.load(Ordering::Relaxed) > 0, "the new code answered");
    assert!(ok.load(Ordering::Relaxed) > saw_new.load(Ordering::Relaxed));
    assert_eq!(edge.get("/").await.header("x-version"), Some("2"));
    assert!(
        edge.events()[0].starts_with("reloaded"),
        "{:?}",
        edge.events()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_edit_keeps_the_old_code_serving_and_reports_file_line_and_message() {
    let edge = LiveEdge::start(CONFIG, &[("version.js", &version("1"))], true).await;
    save(
        &edge.dir.0,
        "version.js",
        "function handler(event) {\n  return event.response\n  }}\n",
    );
    let events = edge.wait_events(1).await;
    assert!(events[0].starts_with("failed: "), "{events:?}");
    assert!(
        events[0].contains("version.js:3: SyntaxError"),
        "names the file and line: {events:?}"
    );
    assert!(
        events[0].contains("SyntaxError"),
        "CloudFront's message: {events:?}"
    );
    let line = events[0].rsplit(" in ").next().unwrap_or("");
    assert!(line.parse::<u32>().is_ok(), "the line: {events:?}");
    let reply = edge.get("/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("x-version"),
        Some("1"),
        "the last good version serves"
    );

    // Fixing it takes effect again.
    save(&edge.dir.0, "version.js", &version("3"));
    edge.wait_events(2).await;
    assert_eq!(edge.get("/").await.header("x-version"), Some("3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_edit_is_checked_whole_and_a_bad_one_names_line_and_field() {
    let edge = LiveEdge::start(CONFIG, &[("version.js", &version("1"))], true).await;
    save(
        &edge.dir.0,
        "edgesim.toml",
        &CONFIG.replace("origin = \"site\"", "origin = \"nope\""),
    );
    let events = edge.wait_events(1).await;
    assert!(events[0].contains("edgesim.toml"), "{events:?}");
    assert!(events[0].contains("unknown origin \"nope\""), "{events:?}");
    assert_eq!(edge.get("/").await.header("x-version"), Some("1"));
}

const CACHED: &str = r#"
[[origins]]
id = "site"
mock = {}

[[origins.routes]]
path = "/*"
headers = { "cache-control" = "max-age=300" }
body = "hello"

[default_behavior]
origin = "site"
viewer_response = { code = "version.js" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_survives_a_code_edit_but_not_a_cache_settings_change() {
    let edge = LiveEdge::start(CACHED, &[("version.js", &version("1"))], true).await;
    edge.get("/a").await;
    assert_eq!(edge.get("/a").await.x_cache(), "Hit from cloudfront");

    save(&edge.dir.0, "version.js", &version("2"));
    let events = edge.wait_events(1).await;
    assert_eq!(events[0], "reloaded cache_kept=true");
    let reply = edge.get("/a").await;
    assert_eq!(
        reply.x_cache(),
        "Hit from cloudfront",
        "code edits keep the cache"
    );
    assert_eq!(reply.header("x-version"), Some("2"));

    save(
        &edge.dir.0,
        "edgesim.toml",
        &CACHED.replace(
            "origin = \"site\"\n",
            "origin = \"site\"\ncache = { default_ttl = 60 }\n",
        ),
    );
    let events = edge.wait_events(2).await;
    assert_eq!(events[1], "reloaded cache_kept=false");
    assert_eq!(edge.get("/a").await.x_cache(), "Miss from cloudfront");
}

const LAMBDA: &str = r#"
[[origins]]
id = "site"
mock = {}

[[origins.routes]]
path = "/*"
headers = { "cache-control" = "no-store" }
body = "hello"

[default_behavior]
origin = "site"
origin_response = { runtime = "nodejs20.x", handler = "lambda/index.handler" }
"#;

fn lambda(v: &str) -> String {
    format!(
        "exports.handler = async (event) => {{ const r = event.Records[0].cf.response; r.headers['x-lambda'] = [{{ key: 'X-Lambda', value: '{v}' }}]; return r; }};"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_handler_edit_restarts_its_workers_with_the_new_code() {
    let edge = LiveEdge::start(LAMBDA, &[("lambda/index.js", &lambda("1"))], true).await;
    assert_eq!(edge.get("/").await.header("x-lambda"), Some("1"));
    save(&edge.dir.0.join("lambda"), "index.js", &lambda("2"));
    let events = edge.wait_events(1).await;
    assert!(events[0].starts_with("reloaded"), "{events:?}");
    assert_eq!(edge.get("/").await.header("x-lambda"), Some("2"));
}

const KVS: &str = r#"
[[origins]]
id = "site"
mock = {}

[[origins.routes]]
path = "/*"
headers = { "cache-control" = "no-store" }
body = "hello"

[[key_value_stores]]
id = "flags"
file = "flags.json"

[default_behavior]
origin = "site"
viewer_response = { runtime = "cloudfront-js-2.0", code = "flag.js", kvs = "flags" }
"#;

const FLAG: &str = "import cf from 'cloudfront';\nconst kvs = cf.kvs();\nasync function handler(event) {\n  const r = event.response;\n  r.headers['x-flag'] = { value: await kvs.get('colour') };\n  return r;\n}\n";

fn flags(colour: &str) -> String {
    format!("{{ \"data\": [ {{ \"key\": \"colour\", \"value\": \"{colour}\" }} ] }}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_value_store_file_edit_is_served_from_the_next_request() {
    let edge = LiveEdge::start(
        KVS,
        &[("flag.js", FLAG), ("flags.json", &flags("red"))],
        true,
    )
    .await;
    assert_eq!(edge.get("/").await.header("x-flag"), Some("red"));
    save(&edge.dir.0, "flags.json", &flags("blue"));
    let events = edge.wait_events(1).await;
    assert!(events[0].starts_with("reloaded"), "{events:?}");
    assert_eq!(edge.get("/").await.header("x-flag"), Some("blue"));

    // A store file that is no longer valid JSON: reported, the last good store serves.
    save(&edge.dir.0, "flags.json", "{ \"data\": [ ");
    let events = edge.wait_events(2).await;
    assert!(events[1].starts_with("failed: "), "{events:?}");
    assert!(
        events[1].contains("flags.json"),
        "names the file: {events:?}"
    );
    assert_eq!(edge.get("/").await.header("x-flag"), Some("blue"));
}

const PYTHON: &str = r#"
[[origins]]
id = "site"
mock = {}

[[origins.routes]]
path = "/*"
headers = { "cache-control" = "no-store" }
body = "hello"

[default_behavior]
origin = "site"
origin_response = { runtime = "python3.11", handler = "py/app.handler" }
"#;

fn python(v: &str) -> String {
    format!(
        "import helper\n\ndef handler(event, context):\n    r = event['Records'][0]['cf']['response']\n    r['headers']['x-python'] = [{{'key': 'X-Python', 'value': '{v}-' + helper.NAME}}]\n    return r\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_handler_and_the_module_it_imports_are_imported_again_after_an_edit() {
    let edge = LiveEdge::start(
        PYTHON,
        &[
            ("py/app.py", &python("1")),
            ("py/helper.py", "NAME = 'a'\n"),
        ],
        true,
    )
    .await;
    assert_eq!(edge.get("/").await.header("x-python"), Some("1-a"));
    save(&edge.dir.0.join("py"), "app.py", &python("2"));
    edge.wait_events(1).await;
    assert_eq!(edge.get("/").await.header("x-python"), Some("2-a"));
    // A neighbour the handler imports counts as the handler's code too.
    save(&edge.dir.0.join("py"), "helper.py", "NAME = 'b'\n");
    let events = edge.wait_events(2).await;
    assert!(events[1].starts_with("reloaded"), "{events:?}");
    assert_eq!(edge.get("/").await.header("x-python"), Some("2-b"));
}

const SLOW_NODE: &str = r#"
[[origins]]
id = "site"
mock = {}

[[origins.routes]]
path = "/*"
headers = { "cache-control" = "no-store" }
body = "hello"

[default_behavior]
origin = "site"
origin_response = { runtime = "nodejs20.x", handler = "lambda/index.handler", timeout_ms = 10000 }
"#;

/// Answers after `delay` ms on `/slow`, at once elsewhere, naming its version.
fn slow_lambda(v: &str) -> String {
    format!(
        "exports.handler = async (event) => {{ const cf = event.Records[0].cf; if (cf.request.uri === '/slow') await new Promise(r => setTimeout(r, 1500)); const r = cf.response; r.headers['x-lambda'] = [{{ key: 'X-Lambda', value: '{v}' }}]; return r; }};"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_running_in_the_old_node_worker_finishes_there_while_new_ones_get_the_new_code() {
    let edge =
        Arc::new(LiveEdge::start(SLOW_NODE, &[("lambda/index.js", &slow_lambda("1"))], true).await);
    assert_eq!(edge.get("/").await.header("x-lambda"), Some("1"));
    let running = {
        let edge = edge.clone();
        tokio::spawn(async move { edge.get("/slow").await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    save(&edge.dir.0.join("lambda"), "index.js", &slow_lambda("2"));
    let events = edge.wait_events(1).await;
    assert!(events[0].starts_with("reloaded"), "{events:?}");
    assert_eq!(edge.get("/").await.header("x-lambda"), Some("2"));
    let slow = running.await.unwrap();
    assert_eq!(slow.status, 200, "the in-flight request was not dropped");
    assert_eq!(
        slow.header("x-lambda"),
        Some("1"),
        "it finished on the worker it started on"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_handler_that_no_longer_loads_keeps_the_old_workers_serving() {
    let edge = LiveEdge::start(LAMBDA, &[("lambda/index.js", &lambda("1"))], true).await;
    save(
        &edge.dir.0.join("lambda"),
        "index.js",
        "exports.handler = async (event) => {\n  return event.Records[0].cf.response\n}}\n",
    );
    let events = edge.wait_events(1).await;
    assert!(events[0].starts_with("failed: "), "{events:?}");
    assert!(
        events[0].contains("edgesim.toml"),
        "names the config: {events:?}"
    );
    assert!(
        events[0].contains("SyntaxError"),
        "Node's message: {events:?}"
    );
    assert_eq!(edge.get("/").await.header("x-lambda"), Some("1"));
}
