//! An HTTP case: requests through a whole distribution (an `edgesim.toml`, or a template
//! imported on the fly), in order, so a case can check cache behaviour (`Miss`, then `Hit`).
//! In process through `Distribution::handle` by default; `"socket": true` serves it on an
//! ephemeral 127.0.0.1 port and sends real HTTP.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use edgesim_proxy::{Config, Distribution, Server};
use http_body_util::BodyExt;
use serde_json::{json, Map, Value};

use crate::case::Case;
use crate::matching::{check_assertion, line_diff};
use crate::{CaseRun, SuiteError};

/// The viewer address requests come from (documentation range), unless a case says otherwise
/// with `x-edgesim-viewer-ip`.
const VIEWER: &str = "203.0.113.10:5000";

async fn config(case: &Case) -> Result<Config, SuiteError> {
    if let Some(rel) = case.json.get("config").and_then(Value::as_str) {
        return Config::load(&case.path(rel)?).map_err(|e| case.error(e.to_string()));
    }
    let source = case.path(case.str("from")?)?;
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "edgesim-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    // Relative paths in the generated config start here, so it must exist even when the
    // import writes no file.
    std::fs::create_dir_all(&dir).map_err(|e| case.error(format!("{}: {e}", dir.display())))?;
    let mut options = edgesim_import::ImportOptions::new(&dir);
    options.code_dir = dir.join("code");
    for (id, target) in case
        .json
        .get("origins")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let target = target
            .as_str()
            .ok_or_else(|| case.error(format!("origins.{id} must be a directory or a URL")))?;
        let target = if target.starts_with("http://") || target.starts_with("https://") {
            edgesim_import::OriginTarget::Url(target.to_owned())
        } else {
            edgesim_import::OriginTarget::Dir(case.path(target)?)
        };
        options.origins.insert(id.clone(), target);
    }
    for (name, value) in case
        .json
        .get("params")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        options
            .parameters
            .insert(name.clone(), value.as_str().unwrap_or_default().to_owned());
    }
    let imported =
        edgesim_import::import_file(&source, &options).map_err(|e| case.error(e.to_string()))?;
    imported
        .write_files()
        .map_err(|e| case.error(e.to_string()))?;
    imported
        .config(&dir.join("edgesim.toml"), &dir)
        .map_err(|e| case.error(e.to_string()))
}

struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Bytes,
}

async fn send(
    case: &Case,
    d: &Distribution,
    socket: Option<SocketAddr>,
    r: &Value,
) -> Result<Reply, SuiteError> {
    let method = r.get("method").and_then(Value::as_str).unwrap_or("GET");
    let path = r.get("path").and_then(Value::as_str).unwrap_or("/");
    let mut req = http::Request::builder().method(method);
    req = match socket {
        Some(addr) => req.uri(format!("http://{addr}{path}")),
        None => req.uri(path),
    };
    let mut has_host = false;
    for (k, v) in r
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        has_host |= k.eq_ignore_ascii_case("host");
        req = req.header(k.as_str(), v.as_str().unwrap_or_default());
    }
    if !has_host {
        req = req.header("host", "d111111abcdef8.cloudfront.net");
    }
    let body = Bytes::from(
        r.get("body")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    );
    let (status, headers, body) = match socket {
        None => {
            let req = req
                .body(edgesim_proxy::full(body))
                .map_err(|e| case.error(format!("{method} {path}: {e}")))?;
            let resp = d
                .handle(req, VIEWER.parse().expect("a socket address"))
                .await;
            let (parts, body) = resp.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            (parts.status, parts.headers, body)
        }
        Some(_) => {
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http::<http_body_util::Full<Bytes>>();
            let req = req
                .body(http_body_util::Full::new(body))
                .map_err(|e| case.error(format!("{method} {path}: {e}")))?;
            let resp = client
                .request(req)
                .await
                .map_err(|e| case.error(format!("{method} {path}: {e}")))?;
            let (parts, body) = resp.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            (parts.status, parts.headers, body)
        }
    };
    let mut map = BTreeMap::new();
    for name in headers.keys() {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap_or(""))
            .collect();
        map.insert(name.as_str().to_owned(), values.join(", "));
    }
    Ok(Reply {
        status: status.as_u16(),
        headers: map,
        body,
    })
}

/// `"Hit"` matches `Hit from cloudfront`.
fn x_cache_matches(want: &str, got: &str) -> bool {
    got == want || got == format!("{want} from cloudfront")
}

pub async fn run(case: &Case, update: bool) -> Result<CaseRun, SuiteError> {
    let config = config(case).await?;
    let d = Distribution::start(&config)
        .await
        .map_err(|e| case.error(e.to_string()))?;
    let server = if case.json.get("socket").and_then(Value::as_bool) == Some(true) {
        Some(
            Server::bind(d.clone(), "127.0.0.1:0")
                .await
                .map_err(|e| case.error(e.to_string()))?,
        )
    } else {
        None
    };
    let socket = server.as_ref().map(Server::local_addr);
    let mut failures = Vec::new();
    let mut json = case.json.clone();
    let requests = case.json["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (i, r) in requests.iter().enumerate() {
        let reply = send(case, &d, socket, r).await?;
        let label = format!(
            "requests[{i}] {} {}",
            r.get("method").and_then(Value::as_str).unwrap_or("GET"),
            r["path"].as_str().unwrap_or_default()
        );
        let text = String::from_utf8_lossy(&reply.body).into_owned();
        let mut doc = json!({
            "status": reply.status,
            "headers": reply.headers,
            "body": text,
        });
        if let Ok(parsed) = serde_json::from_slice::<Value>(&reply.body) {
            doc["json"] = parsed;
        }
        let expect = r.get("expect").cloned().unwrap_or(Value::Null);
        let mut fail = |line: String| failures.push(format!("{label}: {line}"));
        if let Some(want) = expect.get("status").and_then(Value::as_u64) {
            if want != u64::from(reply.status) {
                fail(format!("status {}, expected {want}", reply.status));
            }
        }
        if let Some(want) = expect.get("x_cache").and_then(Value::as_str) {
            let got = reply
                .headers
                .get("x-cache")
                .map_or("(none)", String::as_str);
            if !x_cache_matches(want, got) {
                fail(format!("X-Cache {got:?}, expected {want:?}"));
            }
        }
        for (name, want) in expect
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let got = reply.headers.get(&name.to_ascii_lowercase());
            match (want, got) {
                (Value::Null, Some(v)) => fail(format!("header {name}: {v:?}, expected none")),
                (Value::Null, None) => {}
                (want, got)
                    if Some(want.as_str().unwrap_or_default()) != got.map(String::as_str) =>
                {
                    fail(format!(
                        "header {name}: {:?}, expected {want}",
                        got.map_or("(none)", String::as_str)
                    ))
                }
                _ => {}
            }
        }
        if let Some(want) = expect.get("body").and_then(Value::as_str) {
            if want != text {
                fail("body differs:".to_owned());
                failures.extend(line_diff(want, &text));
            }
        }
        let mut fail = |line: String| failures.push(format!("{label}: {line}"));
        if let Some(want) = expect.get("body_contains").and_then(Value::as_str) {
            if !text.contains(want) {
                fail(format!(
                    "body does not contain {want:?}: {:?}",
                    text.chars().take(200).collect::<String>()
                ));
            }
        }
        for a in expect
            .get("assert")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Err(why) = check_assertion(&doc, a).map_err(|e| case.error(e))? {
                fail(why);
            }
        }
        if update {
            let mut e: Map<String, Value> = expect.as_object().cloned().unwrap_or_default();
            e.insert("status".into(), json!(reply.status));
            if e.contains_key("x_cache") {
                let got = reply.headers.get("x-cache").cloned().unwrap_or_default();
                e.insert(
                    "x_cache".into(),
                    json!(got.trim_end_matches(" from cloudfront")),
                );
            }
            if let Some(Value::Object(h)) = e.get_mut("headers") {
                for (name, v) in h.iter_mut() {
                    *v = reply
                        .headers
                        .get(&name.to_ascii_lowercase())
                        .map_or(Value::Null, |s| json!(s));
                }
            }
            if e.contains_key("body") {
                e.insert("body".into(), json!(text));
            }
            json["requests"][i]["expect"] = Value::Object(e);
        }
    }
    if let Some(server) = server {
        server.shutdown().await;
    }
    let updated = (update && !failures.is_empty()).then_some(json);
    Ok(CaseRun { failures, updated })
}
