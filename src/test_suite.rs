//! `edgesim test`: run a folder of cases (see crates/edgesim-suite and docs/testing.md).

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use edgesim_suite::{Options, Outcome};

/// Run a folder of test cases: CloudFront Functions (event -> expected TestResult), Lambda@Edge
/// handlers (event -> expected payload or error) and HTTP requests through a distribution
/// (expected status, headers, body, X-Cache). Cases are JSON files; see docs/testing.md.
///
/// Exit status: 0 all passed, 1 a case failed, 2 bad input (which file, what is wrong).
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    edgesim test edge-samples/cases\n  \
    edgesim test tests/edge/ --junit report.xml\n  \
    edgesim test tests/edge/ --update      # rewrite expected outputs after a confirmed change")]
pub struct Args {
    /// A folder of cases (*.json, searched recursively) or one case file.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Also write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Rewrite each case's expected output with what it produced.
    #[arg(long)]
    update: bool,
    /// Cases run at once (default: the number of CPUs).
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,
}

fn print_outcome(o: &Outcome) {
    let ms = o.duration.as_millis();
    match &o.result {
        Ok(run) if run.failures.is_empty() => println!("ok    {} ({ms} ms)", o.name),
        Ok(run) => {
            println!("FAIL  {} ({ms} ms)", o.name);
            for line in &run.failures {
                println!("      {line}");
            }
        }
        Err(e) => println!("ERROR {}: {}", o.name, e.message),
    }
}

pub fn run(args: Args) -> ExitCode {
    let suite = match edgesim_suite::load(&args.dir) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("edgesim test: {e}");
            }
            return ExitCode::from(2);
        }
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("edgesim test: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let bar = indicatif::ProgressBar::new(suite.cases.len() as u64);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let printer = bar.clone();
    let on_done: Arc<dyn Fn(&Outcome) + Send + Sync> = Arc::new(move |o: &Outcome| {
        printer.suspend(|| print_outcome(o));
        printer.inc(1);
    });
    let options = Options {
        update: args.update,
        jobs,
    };
    let outcomes = runtime.block_on(edgesim_suite::run(suite.cases, &options, on_done));
    bar.finish_and_clear();
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let bad: Vec<&Outcome> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    let failed = outcomes.len() - passed - bad.len();
    let mut summary = format!("{passed} passed, {failed} failed");
    if !bad.is_empty() {
        summary.push_str(&format!(", {} could not run", bad.len()));
    }
    if !suite.skipped.is_empty() {
        summary.push_str(&format!(
            " ({} JSON files that are not cases skipped)",
            suite.skipped.len()
        ));
    }
    println!("{summary}");
    if let Some(path) = &args.junit {
        let xml = edgesim_suite::junit::report(&args.dir.display().to_string(), &outcomes);
        if let Err(e) = std::fs::write(path, xml) {
            eprintln!("edgesim test: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if args.update {
        match edgesim_suite::write_updates(&outcomes) {
            Ok(n) => println!("updated {n} case file(s)"),
            Err(e) => {
                eprintln!("edgesim test: {e}");
                return ExitCode::from(2);
            }
        }
    }
    for o in &bad {
        if let Err(e) = &o.result {
            eprintln!("edgesim test: {e}");
        }
    }
    // Handlers' worker processes end with the runtime.
    drop(runtime);
    if !bad.is_empty() {
        ExitCode::from(2)
    } else if failed > 0 && !args.update {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
