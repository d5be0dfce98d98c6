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

/// After a result arrives, how long to wait for the worker's end-of-logs marker on stderr.
pub const LOG_DRAIN_GRACE: Duration = Duration::from_millis(500);

/// How long after the timeout exception was raised in a Python handler the interpreter thread
/// may stay busy before it is declared stuck (blocked in C code) and replaced.
pub const PYTHON_STUCK_GRACE: Duration = Duration::from_secs(1);

/// At most this many log lines are kept per invocation (Lambda@Edge throttles log volume,
/// lambda-edge.md §7); later lines are counted and dropped.
pub const MAX_LOG_LINES: usize = 10_000;
