//! `edgesim invoke`: run a Lambda@Edge handler once on an event file, like `sam local invoke`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use edgesim_lambda::{LambdaError, LambdaFunction, LambdaOptions};
use edgesim_model::lambda::{parse_event, validate_output, LambdaValidationOptions};
use edgesim_model::EdgeFailure;

/// Invoke a Lambda@Edge handler (Node.js or Python) on an event and print its result.
///
/// The result goes to stdout as JSON, the function's logs to stderr. When the event names its
/// trigger (`config.eventType`), the result is also checked as CloudFront checks it.
///
/// Exit status: 0 on success, 1 when the handler failed (error, timeout, crash) or returned
/// something CloudFront would refuse, 2 for bad input (event file, handler, runtime).
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  edgesim invoke --runtime nodejs20.x \\\n      --handler edge-samples/lambda/auth/index.handler \\\n      --event edge-samples/events/lambda-viewer-request.json"
)]
pub struct Args {
    /// nodejs<N>.x (run by the `node` on PATH) or python3.<N> (run by the `python3` on PATH).
    #[arg(long)]
    runtime: String,
    /// The handler: path/to/file.export, e.g. edge-samples/lambda/auth/index.handler.
    #[arg(long, value_name = "FILE.EXPORT")]
    handler: String,
    /// A Lambda@Edge event ({"Records":[{"cf":…}]}); see `edgesim generate-event`.
    #[arg(long, value_name = "EVENT.json")]
    event: PathBuf,
    /// The function timeout in milliseconds; default: the trigger's quota (5 s viewer,
    /// 30 s origin).
    #[arg(long, value_name = "N")]
    timeout_ms: Option<u64>,
    /// Also refuse results CloudFront's documentation leaves open, which edgesim otherwise
    /// accepts with a warning ending in "(refused with --strict)".
    #[arg(long)]
    strict: bool,
}

pub fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("edgesim invoke: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(execute(&args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edgesim invoke: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn execute(args: &Args) -> Result<ExitCode> {
    let event = read_event(&args.event)?;
    let trigger = parse_event(&event).map_err(|e| anyhow!("{}: {e}", args.event.display()))?;
    let timeout = match args.timeout_ms {
        Some(0) => bail!("--timeout-ms must be at least 1"),
        Some(ms) => Duration::from_millis(ms),
        None => trigger.map_or(edgesim_lambda::limits::DEFAULT_TIMEOUT, |t| t.max_timeout()),
    };
    let mut options = LambdaOptions::new(args.runtime.clone(), args.handler.clone());
    options.timeout = timeout;
    options.pool_size = 1;
    let function = match LambdaFunction::start(options).await {
        Ok(function) => function,
        Err(LambdaError::BadHandler { handler, reason }) => {
            bail!("--handler {handler}: {reason}")
        }
        Err(e @ LambdaError::UnknownRuntime(_)) => bail!("--runtime: {e}"),
        Err(e) => bail!("{e}"),
    };
    for warning in function.warnings() {
        eprintln!("warning: {warning}");
    }
    let invocation = function.invoke_ref(&event).await;
    for line in &invocation.logs {
        eprintln!("{line}");
    }
    let payload = match invocation.outcome {
        Ok(payload) => payload,
        Err(error) => {
            report_failure(&error);
            return Ok(ExitCode::FAILURE);
        }
    };
    match &payload {
        Some(value) => println!("{}", serde_json::to_string_pretty(value)?),
        None => eprintln!("note: the handler returned no payload (a non-async handler that never called callback?)"),
    }
    let Some(trigger) = trigger else {
        eprintln!("note: the event has no config.eventType; the result was not checked against CloudFront's rules");
        return Ok(ExitCode::SUCCESS);
    };
    let validation = LambdaValidationOptions {
        strict: args.strict,
    };
    match validate_output(trigger, &event, payload.as_ref(), &validation) {
        Ok(verdict) => {
            for warning in verdict.warnings {
                eprintln!("warning: {warning}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let failure = EdgeFailure::from(error.clone());
            eprintln!(
                "CloudFront would answer {} ({}, rule {}): {}",
                failure.status(),
                failure.result_type(),
                error.rule,
                failure.message()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

fn report_failure(error: &LambdaError) {
    match error {
        LambdaError::Handler {
            error_type,
            error_message,
            stack,
        } => {
            eprintln!("{error_type}: {error_message}");
            for line in stack {
                eprintln!("{line}");
            }
        }
        other => eprintln!("{other}"),
    }
    let failure = error.edge_failure();
    eprintln!(
        "CloudFront would answer {} ({}): {}",
        failure.status(),
        failure.result_type(),
        failure.message()
    );
}

fn read_event(path: &Path) -> Result<serde_json::Value> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read the event file", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| anyhow!("{}: not valid JSON: {e}", path.display()))
}
