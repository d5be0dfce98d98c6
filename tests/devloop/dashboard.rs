//! The dashboard at `/_edgesim/`: its API, its live feed, and the page itself in a real
//! headless Chromium (driven over the DevTools protocol): requests sent while the page is open
//! appear in it, with their hook events.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use http::Request;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{request, TempDir};
use crate::live::LiveEdge;

const CONFIG: &str = r#"
[[origins]]
id = "site"
mock = {}

[[origins.routes]]
path = "/*"
headers = { "cache-control" = "max-age=60" }
body = "page"

[default_behavior]
origin = "site"
viewer_request = { code = "log.js" }
"#;

const LOG: &str = "function handler(event) { console.log('saw ' + event.request.uri); event.request.headers['x-seen'] = { value: '1' }; return event.request; }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_lists_recent_requests_cache_contents_and_behaviors() {
    let edge = LiveEdge::start(CONFIG, &[("log.js", LOG)], false).await;
    edge.get("/one").await;
    edge.get("/one").await;
    let requests = edge.get("/_edgesim/api/requests").await.json();
    let rows = requests.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["uri"], "/one");
    assert_eq!(rows[0]["x_cache"], "Miss from cloudfront");
    assert_eq!(rows[1]["x_cache"], "Hit from cloudfront");
    assert_eq!(rows[0]["functions"][0][1], "log");
    assert!(rows[0]["phases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p[0] == "viewer-request"));

    let cache = edge.get("/_edgesim/api/cache").await.json();
    assert_eq!(cache[0]["path"], "/one");
    assert_eq!(cache[0]["ttl"], 60);

    let behaviors = edge.get("/_edgesim/api/behaviors").await.json();
    assert_eq!(behaviors[0]["path_pattern"], "*");
    assert_eq!(behaviors[0]["functions"][0]["name"], "log");

    let page = edge.get("/_edgesim/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<title>edgesim dashboard</title>"));
    // The reserved path is never forwarded, and not logged as a request.
    assert_eq!(
        edge.get("/_edgesim/api/requests")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ring_buffer_is_bounded_by_the_config() {
    let config = format!("[dashboard]\nrecent_requests = 3\n{CONFIG}");
    let edge = LiveEdge::start(&config, &[("log.js", LOG)], false).await;
    for i in 0..5 {
        edge.get(&format!("/r{i}")).await;
    }
    let rows = edge.get("/_edgesim/api/requests").await.json();
    let uris: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, ["/r2", "/r3", "/r4"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_dashboard_path_goes_to_the_origin_like_any_other() {
    let config = format!("[dashboard]\nenabled = false\n{CONFIG}");
    let edge = LiveEdge::start(&config, &[("log.js", LOG)], false).await;
    let reply = edge.get("/_edgesim/").await;
    assert_eq!(reply.body, "page");
}

/// A headless Chromium with the DevTools protocol on an ephemeral port.
struct Browser {
    child: Child,
    _profile: TempDir,
    port: u16,
}

impl Browser {
    fn start() -> Browser {
        let profile = TempDir::new();
        let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("headless Chromium (apt-get install chromium; .ci/run installs it)");
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=1400,900",
            ])
            .arg(format!("--user-data-dir={}", profile.0.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let active = profile.0.join("DevToolsActivePort");
        let mut port = None;
        for _ in 0..300 {
            if let Some(p) = std::fs::read_to_string(&active)
                .ok()
                .and_then(|t| t.lines().next().and_then(|l| l.parse().ok()))
            {
                port = Some(p);
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Browser {
            child,
            _profile: profile,
            port: port.expect("chromium wrote DevToolsActivePort"),
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One DevTools call, waiting for its answer.
async fn call(ws: &mut Ws, id: u64, method: &str, params: Value) -> Value {
    let message = json!({ "id": id, "method": method, "params": params }).to_string();
    ws.send(Message::text(message)).await.unwrap();
    while let Some(Ok(message)) = ws.next().await {
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["id"] == id {
                return value;
            }
        }
    }
    panic!("DevTools closed the connection");
}

/// Evaluates `expression` in the page until it yields `true` (20 s at most).
async fn wait_for(ws: &mut Ws, next_id: &mut u64, expression: &str) {
    for _ in 0..200 {
        *next_id += 1;
        let answer = call(
            ws,
            *next_id,
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        )
        .await;
        if answer["result"]["result"]["value"] == true {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never satisfied: {expression}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_appear_live_in_the_dashboard_in_a_real_browser() {
    let edge = LiveEdge::start(CONFIG, &[("log.js", LOG)], false).await;
    edge.get("/before-the-page").await;
    let browser = Browser::start();

    let list = Request::get("/json/list")
        .header("host", format!("127.0.0.1:{}", browser.port))
        .body(String::new())
        .unwrap();
    let addr = format!("127.0.0.1:{}", browser.port).parse().unwrap();
    let targets = request(addr, list).await.json();
    let page = targets
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "page")
        .expect("a page target");
    let (mut ws, _) =
        tokio_tungstenite::connect_async(page["webSocketDebuggerUrl"].as_str().unwrap())
            .await
            .expect("DevTools");
    let mut id = 1;
    let url = format!("http://{}/_edgesim/", edge.server.local_addr());
    call(&mut ws, id, "Page.navigate", json!({ "url": url })).await;

    // Loaded, with the request made before it opened, and the live feed connected.
    wait_for(
        &mut ws,
        &mut id,
        "document.querySelector('tr[data-uri=\"/before-the-page\"]') !== null",
    )
    .await;
    wait_for(
        &mut ws,
        &mut id,
        "document.getElementById('live').className === 'on'",
    )
    .await;

    // Sent while the page is open: it appears without a reload, with its events and logs.
    edge.get("/while-open").await;
    edge.get("/while-open").await;
    wait_for(
        &mut ws,
        &mut id,
        "document.querySelectorAll('tr[data-uri=\"/while-open\"]').length === 2",
    )
    .await;
    wait_for(
        &mut ws,
        &mut id,
        "(() => { const r = document.querySelector('tr[data-uri=\"/while-open\"]'); r.click(); \
         const t = document.getElementById('detail').textContent; \
         return t.includes('viewer-request: log') && t.includes('saw /while-open'); })()",
    )
    .await;
    // The cache table lists the object.
    wait_for(
        &mut ws,
        &mut id,
        "document.querySelector('#cache tr[data-path=\"/while-open\"]') !== null",
    )
    .await;
    // The invalidate button empties it.
    id += 1;
    call(
        &mut ws,
        id,
        "Runtime.evaluate",
        json!({ "expression": "document.getElementById('invalidate-all').click()" }),
    )
    .await;
    wait_for(
        &mut ws,
        &mut id,
        "document.getElementById('invalidate-result').textContent.includes('removed')",
    )
    .await;
    assert_eq!(
        edge.get("/while-open").await.x_cache(),
        "Miss from cloudfront"
    );

    if let Ok(path) = std::env::var("EDGESIM_SCREENSHOT") {
        id += 1;
        let shot = call(
            &mut ws,
            id,
            "Page.captureScreenshot",
            json!({ "format": "png" }),
        )
        .await;
        let data = shot["result"]["data"].as_str().unwrap();
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
}
