//! The data of a loaded function and of one invocation.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::budget::Work;
use crate::cloudfront_module::OriginChange;
use crate::error::FunctionError;
use crate::kvs::KeyValueStore;
use crate::limits;
use crate::lint;
use crate::runtime::Runtime;
use crate::throttle::{Throttle, ThrottlePolicy};

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
    /// When the function is throttled for continuously exceeding its budget (throttle.rs).
    pub throttle: ThrottlePolicy,
    /// Which function the code defines: `handler` (viewer events) or `connectionHandler`
    /// (a connection function, crate::connection).
    pub entry: Entry,
}

/// The entry point CloudFront calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Entry {
    /// `function handler(event)`, returning a request or a response.
    #[default]
    Handler,
    /// `function connectionHandler(connection)`, calling `connection.allow()` or
    /// `connection.deny()` (docs/cloudfront/connection-functions.md).
    ConnectionHandler,
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
            throttle: ThrottlePolicy::default(),
            entry: Entry::Handler,
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
    /// Thread CPU time from building the event to reading the result, on this machine
    /// (measured: includes GC pauses and cold caches).
    pub cpu_time: Duration,
    /// The predicted `ComputeUtilization` (budget.rs): deterministic, from [`Invocation::work`].
    pub compute_utilization: u8,
    /// `cpu_time` as a percentage of the budget: this machine's figure, not CloudFront's.
    pub measured_utilization: u8,
    /// What the run did, counted (instructions, event size, native calls).
    pub work: Work,
    pub origin_changes: Vec<OriginChange>,
    pub custom_log_data: Option<String>,
    /// Bytes the run allocated (0 when the binary does not count allocations, see
    /// [`crate::CountingAlloc`]); the quota is `limits::MEMORY_QUOTA_BYTES`.
    pub allocated_bytes: u64,
}

#[derive(Debug)]
pub(super) struct Spec {
    pub(super) id: u64,
    pub(super) options: FunctionOptions,
    /// The factory-wrapped source.
    pub(super) factory_source: String,
    pub(super) imports: Vec<lint::Import>,
    pub(super) in_flight: InFlight,
    pub(super) throttle: Throttle,
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
pub(super) struct InFlight {
    runs: std::sync::Mutex<Vec<(u64, Instant)>>,
    next: AtomicU64,
    /// Runs the function threads' supervisor gave up on that have not ended yet.
    pub(super) abandoned: std::sync::atomic::AtomicUsize,
}

impl InFlight {
    /// Registers a run, unless one has been going for longer than `stuck_after`; then returns
    /// how long that one has been running.
    pub(super) fn enter(&self, stuck_after: Duration) -> Result<RunGuard<'_>, Duration> {
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
pub(super) struct RunGuard<'a> {
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

impl Invocation {
    pub(crate) fn failed(error: FunctionError) -> Self {
        Self {
            outcome: Err(error),
            logs: Vec::new(),
            cpu_time: Duration::ZERO,
            compute_utilization: 0,
            measured_utilization: 0,
            work: Work::default(),
            origin_changes: Vec::new(),
            custom_log_data: None,
            allocated_bytes: 0,
        }
    }
}
