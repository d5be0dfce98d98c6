//! `edgesim test-function`: `aws cloudfront test-function`, offline.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use edgesim::functions::limits::MAX_TEST_EVENT_BYTES;
use edgesim::functions::test_function::{test_function, TestOptions};
use edgesim::functions::{
    CloudFrontFunction, FunctionError, FunctionOptions, KeyValueStore, Runtime,
};
use serde::Serialize;

/// Test a CloudFront Function against an event and print the TestResult, like
/// `aws cloudfront test-function` but offline and without an AWS account.
///
/// Exit status: 0 when the function ran and returned a valid object, 1 when it failed
/// (FunctionErrorMessage is set), 2 for usage or input errors.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  edgesim test-function --runtime cloudfront-js-2.0 \\\n      --function edge-samples/functions/spa-rewrite.js \\\n      --event edge-samples/events/viewer-request-dir.json\n\n  KeyValueStore functions also take --kvs edge-samples/kvs/redirects.json\n\nA connection function (mutual TLS), like `aws cloudfront test-connection-function`:\n  edgesim test-function --event-type connection \\\n      --function edge-samples/functions/connection/device-check.js \\\n      --event edge-samples/events/connection-device.json --kvs kvs/revoked-serials.json\n  (prints ConnectionFunctionTestResult; `edgesim generate-event connection --cert client.pem`\n  writes the event for a certificate)"
)]
pub struct Args {
    /// The function's runtime: cloudfront-js-1.0 or cloudfront-js-2.0 (required for viewer
    /// events; connection functions run on cloudfront-js-2.0).
    #[arg(long, value_parser = parse_runtime)]
    pub(crate) runtime: Option<Runtime>,
    /// `connection` tests a connection function (`connectionHandler`, run on the mTLS
    /// handshake) and prints TestConnectionFunction's result; `viewer-request` and
    /// `viewer-response` are checked against the event's `context.eventType`.
    #[arg(long, value_enum)]
    pub(crate) event_type: Option<EventTypeArg>,
    /// The function code (JavaScript, at most 10 KB).
    #[arg(long, value_name = "FILE")]
    pub(crate) function: PathBuf,
    /// A CloudFront Functions event object (JSON, at most 40 KB), viewer-request or viewer-response.
    #[arg(long, value_name = "EVENT.json")]
    pub(crate) event: PathBuf,
    /// A KeyValueStore import file ({"data":[{"key":…,"value":…}]}) associated with the function.
    #[arg(long, value_name = "KVS.json")]
    pub(crate) kvs: Option<PathBuf>,
    /// The compute budget ComputeUtilization is a percentage of, in milliseconds.
    /// [default: 1, for connection functions their 5 ms execution limit]
    #[arg(long, value_name = "MS")]
    pub(crate) budget_ms: Option<f64>,
    /// Also apply the checks CloudFront makes at the edge but TestFunction skips (read-only and
    /// disallowed headers, method, URI…): a violation is reported as the edge's 502 message.
    #[arg(long)]
    pub(crate) strict: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EventTypeArg {
    ViewerRequest,
    ViewerResponse,
    Connection,
}

fn parse_runtime(s: &str) -> Result<Runtime, String> {
    s.parse()
        .map_err(|e: edgesim::functions::runtime::UnknownRuntime| e.to_string())
}

/// The AWS CLI prints `{"TestResult": {…}}` with four-space indentation.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Output<'a> {
    test_result: &'a edgesim::functions::test_function::TestResult,
}

pub fn run(args: Args) -> ExitCode {
    match execute(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edgesim test-function: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn execute(args: &Args) -> Result<ExitCode> {
    if let Some(ms) = args.budget_ms.filter(|ms| !(*ms > 0.0 && ms.is_finite())) {
        bail!("--budget-ms must be a positive number of milliseconds, got {ms}");
    }
    if args.event_type == Some(EventTypeArg::Connection) {
        return crate::test_connection::execute(args);
    }
    let Some(runtime) = args.runtime else {
        bail!("--runtime is required (cloudfront-js-1.0 or cloudfront-js-2.0); for a connection function pass --event-type connection");
    };
    let event = read_event(&args.event)?;
    if let Some(wanted) = args.event_type {
        let name = if wanted == EventTypeArg::ViewerRequest {
            "viewer-request"
        } else {
            "viewer-response"
        };
        let actual = event.pointer("/context/eventType").and_then(|v| v.as_str());
        if actual != Some(name) {
            bail!(
                "{}: --event-type {name}, but the event's context.eventType is {}",
                args.event.display(),
                actual.unwrap_or("missing")
            );
        }
    }
    let kvs = match &args.kvs {
        Some(path) if runtime == Runtime::Js10 => bail!(
            "{}: KeyValueStore needs runtime cloudfront-js-2.0 (the function runs on cloudfront-js-1.0)",
            path.display()
        ),
        Some(path) => Some(Arc::new(KeyValueStore::load(path)?)),
        None => None,
    };
    let mut options = FunctionOptions::new(file_name(&args.function), runtime);
    options.kvs = kvs;
    options.budget = Duration::from_secs_f64(args.budget_ms.unwrap_or(1.0) / 1000.0);

    let test_options = TestOptions {
        strict: args.strict,
    };
    let run = match CloudFrontFunction::from_file(&args.function, options) {
        Ok(function) => {
            let _watchdog = Watchdog::arm(WATCHDOG);
            test_function(&function, &event, &test_options)
        }
        Err(e @ FunctionError::Compile(_)) => edgesim::functions::test_function::compile_failure(&e),
        Err(FunctionError::CodeTooLarge { size, limit }) => bail!(
            "{}: the function is {size} bytes; CloudFront Functions allow at most {limit} bytes (FunctionSizeLimitExceeded)",
            args.function.display()
        ),
        Err(e) => return Err(e.into()),
    };
    for change in &run.origin_changes {
        eprintln!(
            "note: the function called cf.{} — TestFunction does not apply origin changes; `edgesim serve` does",
            serde_json::to_string(change).unwrap_or_default()
        );
    }
    if let Some(detail) = &run.detail {
        eprintln!("edgesim: {detail}");
    }
    print_json(&Output {
        test_result: &run.result,
    })?;
    Ok(if run.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The engine's own deadline stops loops and recursion within 100 ms, but a native call such as
/// a catastrophic regular expression cannot be interrupted. The command must still end: past
/// this, it reports an execution error and exits.
pub(crate) const WATCHDOG: Duration = Duration::from_secs(5);

struct Watchdog(std::sync::mpsc::Sender<()>);

impl Watchdog {
    fn arm(after: Duration) -> Self {
        let (disarm, disarmed) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = disarmed.recv_timeout(after) {
                let result = edgesim::functions::test_function::TestResult {
                    compute_utilization: "100".to_owned(),
                    function_execution_logs: Vec::new(),
                    function_error_message: format!(
                        "{} InternalError: the function did not finish within {} s and was stopped by edgesim",
                        edgesim::functions::test_function::EXECUTION_ERROR_MESSAGE,
                        after.as_secs()
                    ),
                    function_output: String::new(),
                };
                let _ = print_json(&Output {
                    test_result: &result,
                });
                std::process::exit(1);
            }
        });
        Watchdog(disarm)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

fn read_event(path: &Path) -> Result<serde_json::Value> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read the event file", path.display()))?;
    if bytes.len() > MAX_TEST_EVENT_BYTES {
        bail!(
            "{}: the event is {} bytes; TestFunction accepts at most {MAX_TEST_EVENT_BYTES} bytes",
            path.display(),
            bytes.len()
        );
    }
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: not valid JSON: {e}", path.display()))?;
    edgesim::model::parse_event(&json).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || "function".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    )
}

pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    value.serialize(&mut ser)?;
    out.push(b'\n');
    use std::io::Write;
    std::io::stdout().write_all(&out)?;
    Ok(())
}
