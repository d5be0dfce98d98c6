//! `edgesim test-function --event-type connection`: `aws cloudfront test-connection-function`,
//! offline (docs/cloudfront/connection-functions.md).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use edgesim::functions::connection::{self, ConnectionTestResult};
use edgesim::functions::limits::MAX_TEST_EVENT_BYTES;
use edgesim::functions::{
    CloudFrontFunction, FunctionError, FunctionThreads, InvokeInput, KeyValueStore, Runtime,
};
use serde::Serialize;

use crate::test_function::{file_name, print_json, Args};

/// The AWS CLI prints `{"ConnectionFunctionTestResult": {…}}`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Output<'a> {
    connection_function_test_result: &'a ConnectionTestResult,
}

pub fn execute(args: &Args) -> Result<ExitCode> {
    if let Some(runtime) = args.runtime.filter(|r| *r != Runtime::Js20) {
        bail!("connection functions run on cloudfront-js-2.0 only, not {runtime}");
    }
    if args.strict {
        bail!(
            "--strict checks a returned request or response; a connection function returns neither"
        );
    }
    let event = read_event(&args.event)?;
    let mut options = connection::options(file_name(&args.function));
    if let Some(path) = &args.kvs {
        options.kvs = Some(Arc::new(KeyValueStore::load(path)?));
    }
    if let Some(ms) = args.budget_ms {
        options.budget = Duration::from_secs_f64(ms / 1000.0);
    }
    let run = match CloudFrontFunction::from_file(&args.function, options) {
        // On a supervised function thread: a run stuck where the engine cannot stop it (a
        // backtracking regular expression) is answered as failed instead of hanging the command.
        Ok(function) => connection::report(
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(FunctionThreads::global().invoke(
                    &function,
                    Arc::new(event),
                    InvokeInput::default(),
                )),
        ),
        Err(e @ FunctionError::Compile(_)) => connection::compile_failure(&e),
        Err(FunctionError::CodeTooLarge { size, limit }) => bail!(
            "{}: the function is {size} bytes; CloudFront Functions allow at most {limit} bytes (FunctionSizeLimitExceeded)",
            args.function.display()
        ),
        Err(e) => return Err(e.into()),
    };
    for note in &run.notes {
        eprintln!("note: {note}");
    }
    print_json(&Output {
        connection_function_test_result: &run.result,
    })?;
    Ok(if run.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A connection event: the documented structure, at most 40 KB as TestFunction's events
/// (inferred: TestConnectionFunction's limit is not published).
fn read_event(path: &std::path::Path) -> Result<serde_json::Value> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read the connection event", path.display()))?;
    if bytes.len() > MAX_TEST_EVENT_BYTES {
        bail!(
            "{}: the event is {} bytes; at most {MAX_TEST_EVENT_BYTES} bytes are accepted",
            path.display(),
            bytes.len()
        );
    }
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: not valid JSON: {e}", path.display()))?;
    let warnings =
        connection::check_event(&json).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    for w in warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok(json)
}
