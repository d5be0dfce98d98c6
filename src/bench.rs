//! `edgesim bench`: latency budgets for one CloudFront Function, one Lambda@Edge handler, or a
//! whole distribution replaying requests. The work is in `edgesim_proxy::bench`; this file reads
//! the arguments, shows the progress bar and prints the table or the JSON.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use edgesim::functions::throttle::ThrottlePolicy;
use edgesim::functions::{CloudFrontFunction, FunctionOptions, KeyValueStore, Runtime};
use edgesim_lambda::{LambdaFunction, LambdaOptions};
use edgesim_proxy::bench::{self, Gates, Plan, Report};
use edgesim_proxy::{Config, Distribution};

/// Benchmark a function, a Lambda@Edge handler or a whole distribution: warm-up, then N runs,
/// then p50/p90/p99/max, the predicted ComputeUtilization (deterministic, the figure CloudFront
/// would report; docs/compute-utilization.md), throughput, and for a distribution the time per
/// phase and the cache hit ratio.
///
/// Exit status: 0, 1 when a gate (--max-utilization, --max-p99-us) is crossed, 2 for bad input.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  edgesim bench --function edge-samples/functions/hmac-auth.js --runtime cloudfront-js-2.0 \\
      --event edge-samples/events/viewer-request-jwt-valid.json
  edgesim bench --function functions/kvs-redirects.js --runtime cloudfront-js-2.0 \\
      --event events/ --kvs kvs/redirects.json --max-utilization 80
  edgesim bench --handler edge-samples/lambda/auth/index.handler --runtime nodejs20.x \\
      --event edge-samples/events/lambda-viewer-request.json
  edgesim bench --config edge-samples/edgesim.toml --requests edge-samples/logs/cloudfront-access.log
  edgesim bench … --json > bench.json

--event takes an event file, a folder of .json events, or a .jsonl file (one event per line).
--requests takes a CloudFront standard access log (gzipped or not; #Fields: header) or a .jsonl
file of {\"method\":…, \"uri\":\"/path?query\", \"host\":…, \"headers\":{…}, \"country\":…} lines;
malformed lines are counted and listed with their line numbers, never fatal.")]
pub struct Args {
    /// A CloudFront Function to benchmark (with --runtime cloudfront-js-1.0|2.0 and --event).
    #[arg(long, value_name = "FILE", group = "target")]
    function: Option<PathBuf>,
    /// A Lambda@Edge handler, path/to/file.export (with --runtime nodejs<N>.x|python3.<N>).
    #[arg(long, value_name = "FILE.EXPORT", group = "target")]
    handler: Option<String>,
    /// A distribution (edgesim.toml) to replay --requests through, in process.
    #[arg(long, value_name = "edgesim.toml", group = "target")]
    config: Option<PathBuf>,
    /// The function's or handler's runtime.
    #[arg(long)]
    runtime: Option<String>,
    /// Events: a file, a folder of .json files, or a .jsonl file.
    #[arg(long, value_name = "FILE|DIR|JSONL")]
    event: Option<PathBuf>,
    /// Requests to replay (--config): a CloudFront access log (.gz or not) or a .jsonl file.
    #[arg(long, value_name = "LOG|JSONL")]
    requests: Option<PathBuf>,
    /// A KeyValueStore import file for --function.
    #[arg(long, value_name = "KVS.json")]
    kvs: Option<PathBuf>,
    /// The compute budget ComputeUtilization is a percentage of (--function).
    #[arg(long, value_name = "MS", default_value_t = 1.0)]
    budget_ms: f64,
    /// Measured runs (default: 1000 for a function, 200 for a handler, one pass over the
    /// requests for a distribution).
    #[arg(long, value_name = "N")]
    runs: Option<u64>,
    /// Run for this long instead (e.g. 5s, 500ms); with --runs, whichever ends first.
    #[arg(long, value_name = "TIME", value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Unmeasured runs first (default: 100 function, 10 handler, 20 distribution).
    #[arg(long, value_name = "N")]
    warmup: Option<u64>,
    /// ComputeUtilization at or over this counts as "over" in the table (AWS: 71–100 is at or
    /// past the limit).
    #[arg(long, value_name = "N", default_value_t = 70)]
    threshold: u8,
    /// Fail (exit 1) when any event's or request's predicted ComputeUtilization is over N.
    #[arg(long, value_name = "N")]
    max_utilization: Option<u8>,
    /// Fail (exit 1) when any event's or request's p99 latency is over N µs.
    #[arg(long, value_name = "N")]
    max_p99_us: Option<f64>,
    /// Print the report as JSON on stdout instead of the table.
    #[arg(long)]
    json: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else {
        (s, 1.0)
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(Duration::from_secs_f64(v * scale)),
        _ => Err(format!(
            "expected a duration such as 5s or 500ms, got {s:?}"
        )),
    }
}

pub fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("edgesim bench: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let report = match runtime.block_on(execute(&args)) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("edgesim bench: {e:#}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("edgesim bench: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print_table(&report);
    }
    let gates = Gates {
        max_utilization: args.max_utilization,
        max_p99_us: args.max_p99_us,
    };
    let crossed = gates.check(&report);
    for line in &crossed {
        eprintln!("edgesim bench: gate failed: {line}");
    }
    if crossed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn plan(args: &Args, warmup: u64) -> Plan {
    Plan {
        warmup: args.warmup.unwrap_or(warmup),
        runs: args.runs,
        duration: args.duration,
        threshold: args.threshold,
        throttle: ThrottlePolicy::default(),
    }
}

/// A progress bar on stderr, shown only when stdout is a terminal.
fn progress_bar(total: Option<u64>) -> indicatif::ProgressBar {
    let bar = match total {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::no_length(),
    };
    if std::io::stdout().is_terminal() && std::io::stderr().is_terminal() {
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} runs {per_sec}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

async fn execute(args: &Args) -> Result<Report> {
    if let Some(path) = &args.function {
        return bench_function(args, path);
    }
    if let Some(handler) = &args.handler {
        return bench_handler(args, handler).await;
    }
    if let Some(config) = &args.config {
        return bench_distribution(args, config).await;
    }
    bail!("say what to benchmark: --function FILE, --handler FILE.EXPORT or --config edgesim.toml (see --help)")
}

fn bench_function(args: &Args, path: &Path) -> Result<Report> {
    let runtime: Runtime = args
        .runtime
        .as_deref()
        .ok_or_else(|| {
            anyhow!("--function needs --runtime cloudfront-js-1.0 or cloudfront-js-2.0")
        })?
        .parse()
        .map_err(|e| anyhow!("--runtime: {e}"))?;
    if !(args.budget_ms > 0.0 && args.budget_ms.is_finite()) {
        bail!(
            "--budget-ms must be a positive number of milliseconds, got {}",
            args.budget_ms
        );
    }
    let events_path = args
        .event
        .as_deref()
        .ok_or_else(|| anyhow!("--function needs --event FILE|DIR|JSONL"))?;
    let events = bench::events::load(events_path, &|v| {
        edgesim::model::parse_event(v).map_err(|e| e.to_string())
    })?;
    let name = path.file_stem().map_or_else(
        || "function".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let mut options = FunctionOptions::new(name, runtime);
    options.budget = Duration::from_secs_f64(args.budget_ms / 1000.0);
    // bench runs every run to measure it; throttling is counted, not applied.
    options.throttle.enabled = false;
    if let Some(kvs) = &args.kvs {
        options.kvs = Some(Arc::new(KeyValueStore::load(kvs)?));
    }
    let function = CloudFrontFunction::from_file(path, options)
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let plan = plan(args, 100);
    let bar = progress_bar(plan.total(1000));
    let report = bench::function(
        &function,
        &path.display().to_string(),
        &events,
        &plan,
        &|n| bar.set_position(n),
    );
    bar.finish_and_clear();
    Ok(report)
}

async fn bench_handler(args: &Args, handler: &str) -> Result<Report> {
    let runtime = args
        .runtime
        .as_deref()
        .ok_or_else(|| anyhow!("--handler needs --runtime nodejs<N>.x or python3.<N>"))?;
    let events_path = args
        .event
        .as_deref()
        .ok_or_else(|| anyhow!("--handler needs --event FILE|DIR|JSONL"))?;
    let events = bench::events::load(events_path, &|v| {
        edgesim::model::lambda::parse_event(v)
            .map(|_| v.clone())
            .map_err(|e| e.to_string())
    })?;
    let mut options = LambdaOptions::new(runtime, handler);
    options.pool_size = 1;
    let function = LambdaFunction::start(options)
        .await
        .map_err(|e| anyhow!("--handler {handler}: {e}"))?;
    let plan = plan(args, 10);
    let bar = progress_bar(plan.total(200));
    let report = bench::handler(&function, handler, &events, &plan, &|n| bar.set_position(n)).await;
    bar.finish_and_clear();
    Ok(report)
}

async fn bench_distribution(args: &Args, config_path: &Path) -> Result<Report> {
    let requests = args
        .requests
        .as_deref()
        .ok_or_else(|| anyhow!("--config needs --requests LOG|JSONL"))?;
    let replay = bench::replay::load(requests)?;
    let mut config = Config::load(config_path)?;
    // Every request runs, to be measured; throttling is counted (throttled_runs), not applied.
    config.throttle.enabled = false;
    let dist = Distribution::start(&config)
        .await
        .with_context(|| format!("{}: cannot start the distribution", config_path.display()))?;
    let plan = plan(args, 20.min(replay.requests.len() as u64));
    let bar = progress_bar(plan.total(replay.requests.len() as u64));
    let report = bench::distribution(
        &dist,
        &config_path.display().to_string(),
        &replay,
        &plan,
        &|n| bar.set_position(n),
    )
    .await;
    bar.finish_and_clear();
    Ok(report)
}

fn print_table(r: &Report) {
    println!(
        "{} {}{}: {} runs in {:.2} s ({:.0}/s), {} warm-up",
        r.mode,
        r.target,
        r.runtime
            .as_deref()
            .map(|rt| format!(" ({rt})"))
            .unwrap_or_default(),
        r.runs,
        r.seconds,
        r.throughput_per_s,
        r.warmup
    );
    println!();
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9}",
        "µs", "p50", "p90", "p99", "max"
    );
    let row = |label: &str, l: &bench::Latency| {
        println!(
            "{:<34} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            label, l.p50_us, l.p90_us, l.p99_us, l.max_us
        );
    };
    let wall = match r.mode {
        "handler" => "round trip (wall)",
        "distribution" => "request (wall)",
        _ => "invocation (wall)",
    };
    row(wall, &r.latency);
    if let Some(cpu) = &r.measured_cpu {
        row("thread CPU, measured here", cpu);
    }
    if let Some(own) = &r.handler_time {
        row("handler's own time", own);
    }
    for p in &r.phases {
        row(&format!("  {} ({} runs)", p.phase, p.runs), &p.latency);
    }
    if let Some(cu) = &r.compute_utilization {
        println!();
        println!(
            "ComputeUtilization (predicted): min {} p50 {} p90 {} p99 {} max {}; {} of {} runs ({:.1}%) at or over {}",
            cu.min,
            cu.p50,
            cu.p90,
            cu.p99,
            cu.max,
            cu.over_threshold,
            r.runs,
            cu.over_threshold_share * 100.0,
            cu.threshold
        );
    }
    if let Some(t) = r.throttled_runs {
        println!("would have been throttled by CloudFront: {t} run(s)");
    }
    if let Some(h) = r.hit_ratio {
        println!("cache hit ratio: {:.1}%", h * 100.0);
    }
    if !r.statuses.is_empty() {
        let s: Vec<String> = r
            .statuses
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        println!("statuses: {}", s.join(", "));
    }
    if r.errors > 0 {
        println!("errors: {}", r.errors);
    }
    if r.inputs.len() > 1 || r.inputs.iter().any(|i| i.errors > 0) {
        println!();
        let mut inputs: Vec<&bench::InputStats> = r.inputs.iter().collect();
        inputs.sort_by(|a, b| b.latency.p99_us.total_cmp(&a.latency.p99_us));
        let shown = inputs.len().min(20);
        println!(
            "per input (slowest p99 first{}):",
            if shown < inputs.len() { ", top 20" } else { "" }
        );
        for i in &inputs[..shown] {
            println!(
                "  {:<50} runs {:>6}  p50 {:>8.1}  p99 {:>8.1} µs{}{}",
                i.name,
                i.runs,
                i.latency.p50_us,
                i.latency.p99_us,
                i.compute_utilization
                    .map(|c| format!("  ComputeUtilization {c}"))
                    .unwrap_or_default(),
                i.first_error
                    .as_deref()
                    .map(|e| format!("  errors {}: {e}", i.errors))
                    .unwrap_or_default()
            );
        }
    }
    if !r.malformed.is_empty() {
        println!();
        println!("malformed lines: {}", r.malformed.len());
        for m in r.malformed.iter().take(20) {
            println!("  line {}: {}", m.line, m.reason);
        }
    }
}
