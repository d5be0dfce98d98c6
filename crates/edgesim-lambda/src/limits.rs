//! Every number this crate enforces or defaults to, with where it comes from.
//!
//! The per-trigger quotas (timeouts, sizes) are CloudFront's and live in
//! [`edgesim_model::lambda::limits`]; this file holds the Lambda-side and simulator-side ones.

use std::time::Duration;

/// Default function timeout: the viewer-trigger quota (lambda-edge.md §5.1, `classic`
/// profile). Origin triggers allow 30 s: use [`edgesim_model::lambda::Trigger::max_timeout`].
pub const DEFAULT_TIMEOUT: Duration = edgesim_model::lambda::limits::VIEWER_TIMEOUT;

/// Lambda's regional concurrent-executions quota (lambda-edge.md §5.2); more invocations in
/// flight at once are throttled.
pub const DEFAULT_MAX_CONCURRENCY: usize = 1000;

/// Memory reported to the handler (`context.memoryLimitInMB`): the viewer-trigger cap
/// (lambda-edge.md §5.1).
pub const DEFAULT_MEMORY_MB: u32 = 128;

/// The Region Lambda@Edge functions are created in, and the default simulated edge Region
/// (lambda-edge.md §3.4, §3.5).
pub const DEFAULT_REGION: &str = "us-east-1";

/// The account id used in the simulated function ARN (AWS's documentation placeholder).
pub const ACCOUNT_ID: &str = "123456789012";

/// The function version reported to handlers: associations always use a numbered version
/// (lambda-edge.md §3.4).
pub const FUNCTION_VERSION: &str = "1";

/// How long a new Node.js worker may take to load the handler (cold start is ~90 ms,
/// engines.md §5.2; generous for slow CI machines).
pub const WORKER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// After a worker died, how long to wait for the rest of what it wrote on stderr.
pub const LOG_DRAIN_GRACE: Duration = Duration::from_millis(500);

/// Workers (execution environments) a function may have at once: invocations beyond that
/// wait for a free one, within their own timeout. Lambda would start more; eight covers
/// local use without letting one function fill the machine.
pub const DEFAULT_MAX_WORKERS: usize = 8;

/// How often a busy worker's resident memory is compared with the function's memory size.
pub const MEMORY_POLL: Duration = Duration::from_millis(50);

/// Address space a Python worker gets above the function's memory size (MiB): the
/// interpreter itself maps ~18 MB before any handler code runs.
pub const PYTHON_ADDRESS_SLACK: u64 = 64;

/// Longest protocol line read from a worker: Lambda's 6 MB synchronous response payload
/// quota plus room for the JSON framing. A longer line ends the environment.
pub const MAX_LINE: usize = 7 * 1024 * 1024;

/// Raw stderr lines kept from a worker between invocations; more are dropped.
pub const STDERR_BACKLOG: usize = 1024;

/// At most this many log lines are kept per invocation (Lambda@Edge throttles log volume,
/// lambda-edge.md §7); later lines are counted and dropped.
pub const MAX_LOG_LINES: usize = 10_000;
