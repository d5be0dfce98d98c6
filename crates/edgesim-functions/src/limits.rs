//! CloudFront Functions quotas, in one place (cloudfront-functions.md §9.2, §10).
//! Source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html

use std::time::Duration;

/// Maximum function code size: 10 KB (`FunctionSizeLimitExceeded`).
pub const MAX_CODE_BYTES: usize = 10 * 1024;
/// Function memory: 2 MB, counted as the bytes a run allocates (`crate::quota`).
pub const MEMORY_QUOTA_BYTES: u64 = 2 * 1024 * 1024;
/// `console.log` output per invocation is truncated at 10 KB.
pub const MAX_LOG_BYTES: usize = 10 * 1024;
/// The run-time budget CloudFront does not publish; "sub-millisecond", assumed 1 ms (§10).
pub const DEFAULT_BUDGET: Duration = Duration::from_millis(1);
/// A connection function's execution limit: 5 ms (docs/cloudfront/connection-functions.md,
/// "Write CloudFront Connection Function code"); what its `ComputeUtilization` is a share of.
pub const CONNECTION_BUDGET: Duration = Duration::from_millis(5);
/// `cf.logCustomData`: at most 800 bytes; longer values are truncated (§8.1).
pub const MAX_CUSTOM_LOG_BYTES: usize = 800;
/// TestFunction accepts event objects up to 40,960 bytes (§10).
pub const MAX_TEST_EVENT_BYTES: usize = 40_960;

/// KeyValueStore key size: 512 bytes (§9.2, §17 #6).
pub const KVS_MAX_KEY_BYTES: usize = 512;
/// KeyValueStore value size: 1 KB.
pub const KVS_MAX_VALUE_BYTES: usize = 1024;
/// KeyValueStore total size, and import file size: 5 MB.
pub const KVS_MAX_STORE_BYTES: usize = 5 * 1024 * 1024;

/// edgesim's own backstop, not a CloudFront quota: a run still going after this long is stopped
/// and reported as an execution error, so runaway code can never hang the caller.
pub const DEFAULT_HARD_TIMEOUT: Duration = Duration::from_millis(100);
/// edgesim's own: a run past this much wall time is stuck in something the deadline cannot
/// stop (a backtracking regular expression), and further runs of that function are refused as
/// throttled until it ends. Ten times the hard limit, so a merely slow machine never trips it.
pub const DEFAULT_STUCK_AFTER: Duration = Duration::from_secs(1);
/// Loop back-edges allowed per call frame (~20 ns each in boa, so ~20 ms of spinning).
pub const LOOP_ITERATION_LIMIT: u64 = 1_000_000;
/// Nested calls allowed before a `RangeError`-like stop.
pub const RECURSION_LIMIT: usize = 400;
/// An engine context is rebuilt after this many invocations, to bound leaks through prototypes.
pub const RECYCLE_AFTER: u32 = 10_000;
