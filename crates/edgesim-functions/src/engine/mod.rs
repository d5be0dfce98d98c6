//! Running a CloudFront Function: compile once per thread, a fresh top-level scope per call.
//!
//! This file is the public API; `pool` keeps one engine context per function and thread,
//! `context` builds a context and runs one invocation in it, `hooks` holds the engine's host hooks
//! (frozen clock, no `eval`).
//!
//! Design (shared/reference/engines.md §3, §8.1):
//! - boa's `Context` is `!Send` and costs ~0.5 ms to build, so each thread keeps one context per
//!   function in a `thread_local!` pool and reuses it; the proxy runs functions inline on its
//!   tokio workers with no thread hop.
//! - The user's code is compiled once per context inside a factory,
//!   `(function (imports) { 'use strict'; <code>; return handler; })`, and the factory is called
//!   on every invocation, so top-level `var`s and functions start fresh each time (no state leaks
//!   between invocations, as on CloudFront). New globals written through `globalThis` are
//!   removed after each run; the context is rebuilt after an engine-level failure or after
//!   `RECYCLE_AFTER` runs.
//! - Time: each run is measured in thread CPU time for `ComputeUtilization`. Runaway code is
//!   bounded by boa's loop and recursion limits and by a CPU-time deadline checked while the
//!   call is polled with `evaluate_async_with_budget`; a run past the deadline is abandoned and
//!   its context dropped.

mod context;
mod hooks;
mod pool;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::cloudfront_module::OriginChange;
use crate::error::FunctionError;
use crate::kvs::KeyValueStore;
use crate::limits;
use crate::lint::{self, Module};
use crate::runtime::Runtime;

use context::Instance;
pub use pool::contexts_built;

/// How a function is set up.
#[derive(Debug, Clone)]
pub struct FunctionOptions {
    /// A name for logs (usually the file name).
    pub name: String,
    pub runtime: Runtime,
    /// The associated KeyValueStore, if any (runtime 2.0).
    pub kvs: Option<Arc<KeyValueStore>>,
    /// The compute budget `ComputeUtilization` is a percentage of (default 1 ms).
    pub budget: Duration,
    /// edgesim's backstop: a run still going after this is stopped (default 100 ms).
    pub hard_timeout: Duration,
    /// A run still going after this much wall time is stuck where the deadline cannot reach
    /// it; while it lasts, further runs are refused as throttled (default 1 s).
    pub stuck_after: Duration,
}

impl FunctionOptions {
    pub fn new(name: impl Into<String>, runtime: Runtime) -> Self {
        Self {
            name: name.into(),
            runtime,
            kvs: None,
            budget: limits::DEFAULT_BUDGET,
            hard_timeout: limits::DEFAULT_HARD_TIMEOUT,
            stuck_after: limits::DEFAULT_STUCK_AFTER,
        }
    }
}

/// What one invocation sees of the outside world besides the event.
#[derive(Debug, Clone, Default)]
pub struct InvokeInput {
    /// The query string as received, for `request.rawQueryString()`; `None` when there was no `?`.
    pub raw_query: Option<String>,
    /// The instant `Date` is frozen at (default: now).
    pub now: Option<SystemTime>,
    /// `cf.edgeLocation` for viewer-request runs, e.g. `{"name":"FRA","serverIp":…,"region":…}`.
    pub edge_location: Option<Value>,
}

/// The result of one invocation.
#[derive(Debug)]
pub struct Invocation {
    /// What the handler returned, as JSON (`null` for `undefined`), or why it failed.
    pub outcome: Result<Value, FunctionError>,
    /// `console.log` lines, truncated at 10 KB.
    pub logs: Vec<String>,
    /// Thread CPU time from building the event to reading the result.
    pub cpu_time: Duration,
    /// `min(100, round(100 · cpu_time / budget))`.
    pub compute_utilization: u8,
    pub origin_changes: Vec<OriginChange>,
    pub custom_log_data: Option<String>,
}

/// A loaded CloudFront Function. Cheap to clone and shareable across threads; each thread that
/// invokes it builds its own engine context on first use.
#[derive(Debug, Clone)]
pub struct CloudFrontFunction {
    spec: Arc<Spec>,
}

#[derive(Debug)]
struct Spec {
    id: u64,
    options: FunctionOptions,
    /// The factory-wrapped source.
    factory_source: String,
    imports: Vec<lint::Import>,
    in_flight: InFlight,
}

/// The runs of one function executing right now, on any thread, by start time.
///
/// Why: boa checks the deadline between instructions, but a single native call (above all a
/// regular expression that backtracks exponentially, see edge-samples/functions/broken/
/// catastrophic-regex.js) cannot be interrupted and may hold its worker thread for minutes.
/// Rather than let every request to that function take another worker until the server stops
/// answering, later runs are refused while such a run lasts: CloudFront's 503
/// `FunctionThrottledError` for a function that keeps exceeding its budget
/// (cloudfront-functions.md §10).
#[derive(Debug, Default)]
struct InFlight {
    runs: std::sync::Mutex<Vec<(u64, Instant)>>,
    next: AtomicU64,
}

impl InFlight {
    /// Registers a run, unless one has been going for longer than `stuck_after`; then returns
    /// how long that one has been running.
    fn enter(&self, stuck_after: Duration) -> Result<RunGuard<'_>, Duration> {
        let now = Instant::now();
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(oldest) = runs.iter().map(|(_, started)| now - *started).max() {
            if oldest > stuck_after {
                return Err(oldest);
            }
        }
        let token = self.next.fetch_add(1, Ordering::Relaxed);
        runs.push((token, now));
        Ok(RunGuard {
            in_flight: self,
            token,
        })
    }
}

/// Removes its run from [`InFlight`] when the run ends, however it ends.
struct RunGuard<'a> {
    in_flight: &'a InFlight,
    token: u64,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        let mut runs = self
            .in_flight
            .runs
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        runs.retain(|(token, _)| *token != self.token);
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl CloudFrontFunction {
    /// Checks and compiles `source`. Fails with CloudFront's compile error if the runtime would
    /// refuse it, or [`FunctionError::CodeTooLarge`] past the 10 KB quota.
    pub fn new(source: &str, options: FunctionOptions) -> Result<Self, FunctionError> {
        if source.len() > limits::MAX_CODE_BYTES {
            return Err(FunctionError::CodeTooLarge {
                size: source.len(),
                limit: limits::MAX_CODE_BYTES,
            });
        }
        let checked = lint::check(source, options.runtime)
            .map_err(|e| FunctionError::Compile(e.to_string()))?;
        let bindings: String = checked
            .imports
            .iter()
            .map(|i| {
                format!(
                    "var {} = __cf_imports.{}; ",
                    i.binding,
                    import_key(i.module)
                )
            })
            .collect();
        // Everything before the user's first line stays on line 1, so error lines match theirs.
        let factory_source = format!(
            "(function (__cf_imports) {{ 'use strict'; {bindings}{}\n;return typeof handler === 'function' ? handler : undefined; }})",
            checked.body
        );
        let spec = Arc::new(Spec {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            options,
            factory_source,
            imports: checked.imports,
            in_flight: InFlight::default(),
        });
        // Compile once here so syntax errors surface at load time, and warm this thread.
        let instance = Instance::new(&spec)?;
        pool::put(spec.id, instance);
        Ok(Self { spec })
    }

    /// Reads and loads a function file.
    pub fn from_file(
        path: &std::path::Path,
        options: FunctionOptions,
    ) -> Result<Self, FunctionError> {
        let source = std::fs::read_to_string(path).map_err(|source| FunctionError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::new(&source, options)
    }

    pub fn options(&self) -> &FunctionOptions {
        &self.spec.options
    }

    pub fn runtime(&self) -> Runtime {
        self.spec.options.runtime
    }

    pub fn name(&self) -> &str {
        &self.spec.options.name
    }

    /// Runs the handler on `event` (a CloudFront Functions event object) on the current thread.
    pub fn invoke(&self, event: &Value, input: &InvokeInput) -> Invocation {
        let _run = match self.spec.in_flight.enter(self.spec.options.stuck_after) {
            Ok(guard) => guard,
            Err(running_for) => {
                return Invocation::failed(FunctionError::Throttled {
                    running_for_ms: running_for.as_millis(),
                })
            }
        };
        let instance = pool::take(self.spec.id);
        let mut instance = match instance {
            Some(i) => i,
            None => match Instance::new(&self.spec) {
                Ok(i) => i,
                Err(e) => return Invocation::failed(e),
            },
        };
        let (invocation, reusable) = instance.invoke(&self.spec, event, input);
        if reusable && instance.uses < limits::RECYCLE_AFTER {
            pool::put(self.spec.id, instance);
        }
        invocation
    }
}

impl Invocation {
    fn failed(error: FunctionError) -> Self {
        Self {
            outcome: Err(error),
            logs: Vec::new(),
            cpu_time: Duration::ZERO,
            compute_utilization: 0,
            origin_changes: Vec::new(),
            custom_log_data: None,
        }
    }
}

fn import_key(module: Module) -> &'static str {
    match module {
        Module::Cloudfront => "cloudfront",
        Module::Crypto => "crypto",
        Module::Querystring => "querystring",
    }
}

impl Drop for Spec {
    /// Frees this thread's context for the function; other threads sweep theirs lazily.
    fn drop(&mut self) {
        pool::forget(self.id);
    }
}
