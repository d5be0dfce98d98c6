//! The dashboard at `/_edgesim/` (configurable; never forwarded to an origin): recent
//! requests with per-phase timings, X-Cache and each function's ComputeUtilization; each
//! request's hook events in and out and the functions' logs; the cache; the behaviors; an
//! invalidation form. One static page embedded in the binary, live updates over SSE.
//!
//! Cost on the hot path: every request adds one small entry to a bounded ring buffer (one
//! mutex push). Events and logs are copied only while a dashboard page is connected.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt as _;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::body::{full, Body, BodyError};
use crate::distribution::Distribution;
use crate::hook::Hook;
use crate::invalidate;

const PAGE: &str = include_str!("dashboard.html");

/// How one hook ran, for the request's detail view.
#[derive(Debug, Clone, Serialize)]
pub struct HookTrace {
    /// `viewer-request`, `origin-request`, …
    pub trigger: &'static str,
    pub function: String,
    /// `CloudFront Functions` or `Lambda@Edge`.
    pub kind: &'static str,
    pub event_in: Value,
    /// What the function returned (before validation), when it returned.
    pub event_out: Option<Value>,
    /// Why the run failed, in CloudFront's words.
    pub error: Option<String>,
    pub logs: Vec<String>,
}

/// One request in the ring buffer.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub seq: u64,
    /// Milliseconds since the Unix epoch.
    pub at: u64,
    pub id: String,
    pub method: String,
    pub uri: String,
    pub status: u16,
    pub x_cache: String,
    pub total_us: u64,
    /// (phase, microseconds)
    pub phases: Vec<(&'static str, u64)>,
    /// (trigger, function, ComputeUtilization)
    pub functions: Vec<(&'static str, String, u8)>,
    /// Filled only while a dashboard was connected when the request arrived.
    pub hooks: Vec<HookTrace>,
}

/// Recent requests, bounded, and the live feed of the connected pages.
#[derive(Debug)]
pub struct Recent {
    entries: Mutex<VecDeque<Arc<Entry>>>,
    capacity: usize,
    seq: AtomicU64,
    feed: broadcast::Sender<Arc<str>>,
    /// Set on shutdown: the live feeds end so their connections can close.
    closed: tokio::sync::watch::Sender<bool>,
}

impl Recent {
    pub fn new(capacity: usize) -> Arc<Recent> {
        let (feed, _) = broadcast::channel(256);
        Arc::new(Recent {
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(4096))),
            capacity: capacity.max(1),
            seq: AtomicU64::new(0),
            feed,
            closed: tokio::sync::watch::Sender::new(false),
        })
    }

    /// Ends every live feed (before a graceful shutdown, which would otherwise wait for the
    /// open dashboards' never-ending responses).
    pub fn close_feeds(&self) {
        self.closed.send_replace(true);
    }

    /// Whether a dashboard page is listening (then hooks record their events).
    pub fn watched(&self) -> bool {
        self.feed.receiver_count() > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Entry>>> {
        // Every update is one push/pop: a panic elsewhere cannot leave it inconsistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn push(&self, mut entry: Entry) {
        entry.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let entry = Arc::new(entry);
        {
            let mut entries = self.lock();
            if entries.len() >= self.capacity {
                entries.pop_front();
            }
            entries.push_back(entry.clone());
        }
        if self.watched() {
            if let Ok(text) = serde_json::to_string(&*entry) {
                let _ = self
                    .feed
                    .send(format!("event: request\ndata: {text}\n\n").into());
            }
        }
    }

    /// Tells connected pages something changed besides requests (`reload`, `cache`).
    pub fn notify(&self, event: &str, data: &Value) {
        if self.watched() {
            let _ = self
                .feed
                .send(format!("event: {event}\ndata: {data}\n\n").into());
        }
    }

    pub fn snapshot(&self) -> Vec<Arc<Entry>> {
        self.lock().iter().cloned().collect()
    }
}

/// What one request collects on its way through the pipeline (task-local, so hooks anywhere
/// in the pipeline can add to it without it being passed around).
#[derive(Debug)]
pub struct Recorder {
    recent: Arc<Recent>,
    capture: bool,
    hooks: Mutex<Vec<HookTrace>>,
}

tokio::task_local! {
    static CURRENT: Arc<Recorder>;
}

impl Recorder {
    pub fn new(recent: &Arc<Recent>) -> Arc<Recorder> {
        Arc::new(Recorder {
            recent: recent.clone(),
            capture: recent.watched(),
            hooks: Mutex::new(Vec::new()),
        })
    }

    /// Runs a request's future with this recorder current.
    pub async fn scope<F: std::future::Future>(self: Arc<Self>, f: F) -> F::Output {
        CURRENT.scope(self, f).await
    }
}

/// Records a hook run when a dashboard is watching; `trace` is only called then.
pub fn record_hook(trace: impl FnOnce() -> HookTrace) {
    let _ = CURRENT.try_with(|r| {
        if r.capture {
            let trace = trace();
            r.hooks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(trace);
        }
    });
}

/// Adds the finished request to the ring buffer (called once per request by the log).
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_request(
    method: &str,
    uri: &str,
    status: u16,
    x_cache: &str,
    request_id: &str,
    total_us: u64,
    phases: impl FnOnce() -> Vec<(&'static str, u64)>,
    functions: impl FnOnce() -> Vec<(&'static str, String, u8)>,
) {
    let _ = CURRENT.try_with(|r| {
        let (phases, functions) = (phases(), functions());
        let hooks = std::mem::take(&mut *r.hooks.lock().unwrap_or_else(|e| e.into_inner()));
        r.recent.push(Entry {
            seq: 0,
            at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            id: request_id.to_owned(),
            method: method.to_owned(),
            uri: uri.to_owned(),
            status,
            x_cache: x_cache.to_owned(),
            total_us,
            phases,
            functions,
            hooks,
        });
    });
}

/// The reserved path, normalised to start and end with `/`.
pub fn normalise_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    }
}

/// Whether a request path belongs to the dashboard at `base` (`/_edgesim/`).
pub fn is_dashboard(base: &str, path: &str) -> bool {
    path.starts_with(base) || path == base.trim_end_matches('/')
}

fn json_response(status: StatusCode, value: &Value) -> Response<Body> {
    let mut response = Response::new(full(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    response
}

/// Answers a dashboard request. `base` is the normalised reserved path.
pub async fn handle(
    base: &str,
    distribution: &Distribution,
    recent: &Arc<Recent>,
    req: Request<Body>,
) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let rest = path.strip_prefix(base).unwrap_or("");
    match (req.method().clone(), rest) {
        (Method::GET, "") | (Method::HEAD, "") => {
            if !path.ends_with('/') {
                let mut response = Response::new(full(""));
                *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
                if let Ok(location) = http::HeaderValue::from_str(base) {
                    response
                        .headers_mut()
                        .insert(http::header::LOCATION, location);
                }
                return response;
            }
            let mut response = Response::new(full(PAGE));
            response.headers_mut().insert(
                CONTENT_TYPE,
                http::HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
                .headers_mut()
                .insert(CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
            response
        }
        (Method::GET, "api/requests") => {
            let entries = recent.snapshot();
            json_response(StatusCode::OK, &json!(entries))
        }
        (Method::GET, "api/cache") => json_response(StatusCode::OK, &cache_json(distribution)),
        (Method::GET, "api/behaviors") => {
            json_response(StatusCode::OK, &behaviors_json(distribution))
        }
        (Method::GET, "api/events") => events(recent),
        (Method::POST, "api/invalidate") => {
            let body = match req.into_body().collect().await {
                Ok(body) => body.to_bytes(),
                Err(e) => {
                    return json_response(
                        StatusCode::BAD_REQUEST,
                        &json!({ "error": format!("cannot read the body: {e}") }),
                    )
                }
            };
            let (status, answer) = invalidate_batch(distribution, &body);
            if status == StatusCode::CREATED {
                recent.notify("cache", &answer);
            }
            json_response(status, &answer)
        }
        _ => json_response(
            StatusCode::NOT_FOUND,
            &json!({ "error": format!("no dashboard route {} {path}", req.method()) }),
        ),
    }
}

/// `POST api/invalidate` with CloudFront's `InvalidationBatch` JSON
/// (`{"Paths":{"Quantity":1,"Items":["/*"]},"CallerReference":"…"}`), as
/// `aws cloudfront create-invalidation --invalidation-batch` takes it. Answers like
/// CreateInvalidation (an `Invalidation` with `Status: Completed`: locally it is immediate),
/// plus `Removed`, the number of cached objects that went.
pub fn invalidate_batch(distribution: &Distribution, body: &[u8]) -> (StatusCode, Value) {
    let batch: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                json!({ "error": format!("not JSON: {e}") }),
            )
        }
    };
    let items: Vec<String> = batch
        .pointer("/Paths/Items")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let parsed = match invalidate::parse_items(&items) {
        Ok(parsed) => parsed,
        Err(message) => {
            return (
                StatusCode::BAD_REQUEST,
                json!({ "error": format!("InvalidArgument: {message}") }),
            )
        }
    };
    let tag_header = distribution.settings.cache_tag_header.as_deref();
    let removed = invalidate::invalidate(&distribution.cache, &parsed, tag_header);
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = format!("IEDGESIM{:06}", NEXT.fetch_add(1, Ordering::Relaxed));
    let mut warnings = Vec::new();
    if tag_header.is_none() && parsed.iter().any(|i| matches!(i, invalidate::Item::Tag(_))) {
        warnings.push("no cache_tag_header in the config: objects carry no tags, so #tag items remove nothing".to_owned());
    }
    tracing::info!(target: "edgesim::invalidate", "invalidated {} ({removed} cached object(s) removed)", items.join(" "));
    (
        StatusCode::CREATED,
        json!({
            "Location": format!("/2020-05-31/distribution/{}/invalidation/{id}", distribution.settings.distribution_id),
            "Invalidation": {
                "Id": id,
                "Status": "Completed",
                "CreateTime": httpdate::fmt_http_date(SystemTime::now()),
                "InvalidationBatch": {
                    "Paths": { "Quantity": items.len(), "Items": items },
                    "CallerReference": batch.get("CallerReference").cloned().unwrap_or(Value::Null),
                },
            },
            "Removed": removed,
            "Warnings": warnings,
        }),
    )
}

fn cache_json(distribution: &Distribution) -> Value {
    let tag_header = distribution.settings.cache_tag_header.as_deref();
    let mut rows: Vec<Value> = distribution
        .cache
        .entries()
        .into_iter()
        .map(|(key, object)| {
            let tags: Vec<&str> = tag_header
                .map(|h| invalidate::object_tags(&object.headers, h).collect())
                .unwrap_or_default();
            json!({
                "key": key,
                "path": crate::cache::key_path(&key),
                "status": object.status.as_u16(),
                "age": object.age(),
                "ttl": object.ttl.as_secs(),
                "fresh": object.is_fresh(),
                "bytes": object.body.len(),
                "tags": tags,
            })
        })
        .collect();
    rows.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
    json!(rows)
}

fn behaviors_json(distribution: &Distribution) -> Value {
    let behaviors = &distribution.behaviors;
    let rows: Vec<Value> = behaviors
        .ordered
        .iter()
        .chain(std::iter::once(&behaviors.default))
        .map(|b| {
            let mut functions = Vec::new();
            let hooks = &b.hooks;
            let viewer = |hook: &Option<Hook>, trigger: &str| match hook {
                Some(Hook::Function(f)) => Some(json!({"trigger": trigger, "name": f.name(), "runtime": f.runtime().to_string()})),
                Some(Hook::Lambda(h)) => Some(json!({"trigger": trigger, "name": h.function.function_name(), "runtime": h.function.runtime().to_string()})),
                None => None,
            };
            functions.extend(viewer(&hooks.viewer_request, "viewer-request"));
            for (hook, trigger) in [
                (&hooks.origin_request, "origin-request"),
                (&hooks.origin_response, "origin-response"),
            ] {
                if let Some(h) = hook {
                    functions.push(json!({"trigger": trigger, "name": h.function.function_name(), "runtime": h.function.runtime().to_string()}));
                }
            }
            functions.extend(viewer(&hooks.viewer_response, "viewer-response"));
            json!({
                "path_pattern": b.pattern_text(),
                "origin": distribution.origins.get(b.origin).id,
                "min_ttl": b.cache.min_ttl.as_secs(),
                "default_ttl": b.cache.default_ttl.as_secs(),
                "max_ttl": b.cache.max_ttl.as_secs(),
                "caching_disabled": b.cache.is_disabled(),
                "functions": functions,
            })
        })
        .collect();
    json!(rows)
}

/// The SSE stream: one `request` event per finished request, `reload`/`cache` notices.
fn events(recent: &Arc<Recent>) -> Response<Body> {
    let mut feed = recent.feed.subscribe();
    let mut closed = recent.closed.subscribe();
    let (mut sender, body) = http_body_util::channel::Channel::<Bytes, BodyError>::new(16);
    tokio::spawn(async move {
        // A comment first so the browser's EventSource opens at once.
        if sender
            .send_data(Bytes::from_static(b": edgesim\n\n"))
            .await
            .is_err()
        {
            return;
        }
        loop {
            let received = tokio::select! {
                received = feed.recv() => received,
                _ = closed.wait_for(|closed| *closed) => return,
            };
            let message = match received {
                Ok(message) => Bytes::from(message.as_bytes().to_vec()),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    Bytes::from(format!("event: lagged\ndata: {n}\n\n"))
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            if sender.send_data(message).await.is_err() {
                return; // the page went away
            }
        }
    });
    let mut response = Response::new(body.boxed());
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("text/event-stream"),
    );
    response
        .headers_mut()
        .insert(CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(uri: &str) -> Entry {
        Entry {
            seq: 0,
            at: 0,
            id: "id".into(),
            method: "GET".into(),
            uri: uri.into(),
            status: 200,
            x_cache: "Miss from cloudfront".into(),
            total_us: 1,
            phases: Vec::new(),
            functions: Vec::new(),
            hooks: Vec::new(),
        }
    }

    #[test]
    fn the_ring_buffer_keeps_the_most_recent_entries_only() {
        let recent = Recent::new(3);
        for i in 0..5 {
            recent.push(entry(&format!("/{i}")));
        }
        let uris: Vec<String> = recent.snapshot().iter().map(|e| e.uri.clone()).collect();
        assert_eq!(uris, ["/2", "/3", "/4"]);
        assert_eq!(recent.snapshot()[2].seq, 5);
    }

    #[test]
    fn the_reserved_path_is_normalised() {
        assert_eq!(normalise_path("_edgesim"), "/_edgesim/");
        assert_eq!(normalise_path("/_edgesim/"), "/_edgesim/");
        assert!(is_dashboard("/_edgesim/", "/_edgesim"));
        assert!(is_dashboard("/_edgesim/", "/_edgesim/api/cache"));
        assert!(!is_dashboard("/_edgesim/", "/_edgesimx"));
    }
}
