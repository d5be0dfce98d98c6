//! Lambda@Edge runtimes for edgesim: Node.js and Python handlers in warm worker processes
//! (`node`, `python3`), behind one API.
//!
//! - [`LambdaFunction::start`] resolves the handler (`dir/index.handler`), loads it once, and
//!   reports a bad handler (missing file or export, syntax error) right away.
//! - [`LambdaFunction::invoke`] runs the handler on an event and returns an [`Invocation`]: the
//!   payload or a [`LambdaError`], the log lines, the duration.
//! - [`runtime`]: runtime names and handler resolution; [`limits`]: every default.
//!
//! Each function has a pool of worker processes, one per execution environment, that grows on
//! demand up to [`LambdaOptions::pool_size`]. Every invocation times out on its own clock; a
//! worker that times out, crashes or outgrows the memory size is killed and replaced, and
//! nothing a handler does can reach the calling process (see `worker.rs`).
//!
//! What the payload means to CloudFront (validation, the 502/503 pages) is decided by
//! `edgesim_model::lambda`; [`LambdaError::edge_failure`] gives the page for a failed
//! invocation.
//!
//! ```no_run
//! # async fn demo() -> Result<(), edgesim_lambda::LambdaError> {
//! use edgesim_lambda::{LambdaFunction, LambdaOptions};
//!
//! let function = LambdaFunction::start(LambdaOptions::new(
//!     "nodejs20.x",
//!     "edge-samples/lambda/auth/index.handler",
//! ))
//! .await?;
//! let event = serde_json::json!({"Records": [{"cf": {"request": {"uri": "/"}}}]});
//! let invocation = function.invoke(event).await;
//! for line in &invocation.logs {
//!     eprintln!("{line}");
//! }
//! println!("{:?}", invocation.outcome);
//! # Ok(())
//! # }
//! ```

mod error;
pub mod limits;
mod logs;
mod node;
mod pool;
mod python;
pub mod runtime;
mod worker;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

pub use error::LambdaError;
pub use runtime::Runtime;

use limits::{
    ACCOUNT_ID, DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_WORKERS, DEFAULT_MEMORY_MB, DEFAULT_REGION,
    DEFAULT_TIMEOUT, FUNCTION_VERSION,
};
use logs::LogSink;
use pool::Pool;

/// How to run one Lambda@Edge function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaOptions {
    /// `nodejs<N>.x` or `python3.<N>`.
    pub runtime: String,
    /// `path/to/file.export`, relative to [`LambdaOptions::base_dir`].
    pub handler: String,
    /// Where a relative handler path starts; the current directory by default.
    pub base_dir: PathBuf,
    /// The function timeout: 5 s by default (viewer triggers); 30 s is the origin-trigger cap
    /// (`edgesim_model::lambda::Trigger::max_timeout`).
    pub timeout: Duration,
    /// The most worker processes (execution environments) the function has at once, started
    /// on demand: the number of invocations that run at the same time. Further invocations
    /// wait for a free worker, within their own timeout.
    pub pool_size: usize,
    /// Invocations in flight (running or waiting for a worker) above which the function is
    /// throttled with [`LambdaError::LimitExceeded`].
    pub max_concurrency: usize,
    /// The function's name; the replica is called `us-east-1.<name>` (lambda-edge.md §7).
    pub name: String,
    /// The memory size: `context.memoryLimitInMB`, the Node.js heap limit, and the resident
    /// memory above which a worker is stopped (its invocation fails, it is replaced).
    pub memory_mb: u32,
    /// The simulated edge Region (`AWS_REGION`).
    pub region: String,
}

impl LambdaOptions {
    /// Options with the defaults: 5 s timeout, up to eight workers, 128 MB, the name taken
    /// from the handler's directory (or file).
    pub fn new(runtime: impl Into<String>, handler: impl Into<String>) -> Self {
        let handler = handler.into();
        LambdaOptions {
            runtime: runtime.into(),
            name: default_name(&handler),
            handler,
            base_dir: PathBuf::from("."),
            timeout: DEFAULT_TIMEOUT,
            pool_size: DEFAULT_MAX_WORKERS,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            memory_mb: DEFAULT_MEMORY_MB,
            region: DEFAULT_REGION.to_owned(),
        }
    }
}

/// `dir/auth/index.handler` → `auth`; `app.handler` → `app`.
fn default_name(handler: &str) -> String {
    let mut parts = handler.rsplit('/');
    let last = parts.next().unwrap_or_default();
    let dir = parts.find(|p| !p.is_empty() && *p != "." && *p != "..");
    let name = dir.unwrap_or_else(|| last.split('.').next().unwrap_or("function"));
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() {
        "function".to_owned()
    } else {
        name
    }
}

/// The result of one invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// `context.awsRequestId`.
    pub request_id: String,
    /// The payload, or why there is none. `Ok(None)` means the handler produced no payload at
    /// all (a plain Node.js function that returned without calling back, or an `async` one that
    /// resolved to `undefined`), which CloudFront reports as unparsable JSON; `Ok(Some(null))`
    /// is an explicit `null` / `None`.
    pub outcome: Result<Option<Value>, LambdaError>,
    /// Log lines: `[<function>] <timestamp>\t<request id>\t<LEVEL>\t<message>`.
    pub logs: Vec<String>,
    /// Wall time of the invocation as seen by the caller (queueing and cold start included).
    pub duration: Duration,
    /// The handler's own time, measured inside the worker from the handler's call to its
    /// result (callback, resolved Promise, return or throw), before serialisation; `None` when
    /// the invocation ended without a result (timeout, crash, concurrency limit).
    pub handler_duration: Option<Duration>,
}

/// A started Lambda@Edge function, ready to be invoked.
pub struct LambdaFunction {
    pool: Pool,
    options: LambdaOptions,
    runtime: Runtime,
    function_name: String,
    warnings: Vec<String>,
    in_flight: AtomicUsize,
}

impl std::fmt::Debug for LambdaFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaFunction")
            .field("function_name", &self.function_name)
            .field("runtime", &self.runtime)
            .field("handler", &self.options.handler)
            .finish()
    }
}

impl LambdaFunction {
    /// Resolves and loads the handler in a first worker (~90 ms for Node.js, ~60 ms for
    /// Python), so that a bad handler is reported now. Must be called within a tokio runtime.
    pub async fn start(options: LambdaOptions) -> Result<LambdaFunction, LambdaError> {
        let runtime = Runtime::parse(&options.runtime)?;
        let target = runtime::resolve_handler(&runtime, &options.handler, &options.base_dir)?;
        let function_name = format!("{DEFAULT_REGION}.{}", options.name);
        let arn = format!(
            "arn:aws:lambda:{DEFAULT_REGION}:{ACCOUNT_ID}:function:{}:{FUNCTION_VERSION}",
            options.name
        );
        let log_group = format!("/aws/lambda/{function_name}");
        let log_stream = log_stream_name();
        let mut warnings = Vec::new();
        let env = reserved_env(&options, &runtime, &function_name, &log_group, &log_stream);
        let memory_mb = options.memory_mb;
        let spec = match runtime {
            Runtime::Node { major } => {
                node::spec(&target, &options.handler, major, env, &arn, memory_mb)
            }
            Runtime::Python { .. } => python::spec(&target, &options.handler, env, &arn, memory_mb),
        };
        let (pool, version) = Pool::start(spec, options.pool_size).await?;
        match runtime {
            Runtime::Node { major } => {
                let found = version.split('.').next().unwrap_or_default();
                if found != major.to_string() {
                    warnings.push(format!(
                        "runtime {runtime} runs on the local node v{version}; behaviour specific to Node.js {major} is not reproduced"
                    ));
                }
            }
            Runtime::Python { minor } => {
                let found_minor = version.split('.').nth(1).unwrap_or_default();
                if found_minor != minor.to_string() {
                    warnings.push(format!(
                        "runtime {runtime} runs on the local python3 {version}; behaviour specific to Python 3.{minor} is not reproduced"
                    ));
                }
            }
        }
        Ok(LambdaFunction {
            pool,
            options,
            runtime,
            function_name,
            warnings,
            in_flight: AtomicUsize::new(0),
        })
    }

    /// Runs the handler on `event`. Never panics; every failure is in
    /// [`Invocation::outcome`].
    pub async fn invoke(&self, event: Value) -> Invocation {
        self.invoke_ref(&event).await
    }

    /// [`LambdaFunction::invoke`] without giving up the event.
    pub async fn invoke_ref(&self, event: &Value) -> Invocation {
        let start = Instant::now();
        let request_id = logs::request_id();
        let mut sink = LogSink::new(&self.function_name, &request_id);
        let limit = self.options.max_concurrency;
        let guard = InFlight::enter(&self.in_flight);
        let (outcome, handler_duration) = if guard.count > limit {
            (Err(LambdaError::LimitExceeded { limit }), None)
        } else {
            let timeout = self.options.timeout;
            self.pool
                .invoke(&request_id, event, timeout, &mut sink)
                .await
        };
        drop(guard);
        if let Err(LambdaError::Timeout { timeout }) = &outcome {
            sink.platform(&format!(
                "Task timed out after {:.2} seconds",
                timeout.as_secs_f64()
            ));
        }
        Invocation {
            request_id,
            outcome,
            logs: sink.finish(),
            duration: start.elapsed(),
            handler_duration,
        }
    }

    /// Notes about the local setup (e.g. `nodejs22.x` running on Node.js 20).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The replica's name, `us-east-1.<name>`.
    pub fn function_name(&self) -> &str {
        &self.function_name
    }

    /// The parsed runtime.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The options the function was started with.
    pub fn options(&self) -> &LambdaOptions {
        &self.options
    }
}

/// Counts an invocation in flight for as long as it lives.
struct InFlight<'a> {
    counter: &'a AtomicUsize,
    count: usize,
}

impl<'a> InFlight<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        let count = counter.fetch_add(1, Ordering::SeqCst) + 1;
        InFlight { counter, count }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `2026/02/09/[1]0123456789abcdef0123456789abcdef`, as Lambda names log streams.
fn log_stream_name() -> String {
    let date = logs::utc_timestamp(SystemTime::now());
    let hex: String = logs::request_id().chars().filter(|c| *c != '-').collect();
    format!(
        "{}/[{FUNCTION_VERSION}]{hex}",
        date.get(..10).unwrap_or("1970-01-01").replace('-', "/")
    )
}

/// The environment variables Lambda sets itself (lambda-edge.md §3.5); user-defined variables
/// are not supported by Lambda@Edge, so nothing else from the local environment is passed
/// (but `PATH`).
fn reserved_env(
    options: &LambdaOptions,
    runtime: &Runtime,
    function_name: &str,
    log_group: &str,
    log_stream: &str,
) -> Vec<(String, String)> {
    [
        ("AWS_REGION", options.region.clone()),
        ("AWS_DEFAULT_REGION", options.region.clone()),
        ("AWS_EXECUTION_ENV", format!("AWS_Lambda_{runtime}")),
        ("AWS_LAMBDA_FUNCTION_NAME", function_name.to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", FUNCTION_VERSION.to_owned()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            options.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_LOG_GROUP_NAME", log_group.to_owned()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", log_stream.to_owned()),
        ("_HANDLER", options.handler.clone()),
        ("LAMBDA_RUNTIME_DIR", "/var/runtime".to_owned()),
        ("TZ", ":UTC".to_owned()),
        ("LANG", "en_US.UTF-8".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_come_from_the_handlers_directory_or_file() {
        assert_eq!(
            default_name("edge-samples/lambda/auth/index.handler"),
            "auth"
        );
        assert_eq!(default_name("app.handler"), "app");
        assert_eq!(default_name("./app.handler"), "app");
        assert_eq!(default_name("weird dir/x.h"), "weird-dir");
    }
}
