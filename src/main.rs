//! The `edgesim` command line.

mod bench;
mod generate_event;
mod import;
mod invalidate;
mod invoke;
mod serve;
mod test_connection;
mod test_function;
mod test_suite;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// boa allocates and frees many small objects per function run; under `serve` glibc's malloc
/// took about a third of all CPU time (perf, benches/load/run.sh functions). mimalloc's
/// thread-local free lists make the same work markedly cheaper (docs/PERFORMANCE.md).
/// Wrapped to count each thread's allocations: that count is how CloudFront Functions' 2 MB
/// memory quota is enforced (edgesim-functions' `quota` module).
#[global_allocator]
static ALLOCATOR: edgesim_functions::CountingAlloc<mimalloc::MiMalloc> =
    edgesim_functions::CountingAlloc(mimalloc::MiMalloc);

/// Run AWS CloudFront edge code locally, exactly as CloudFront would.
#[derive(Parser)]
#[command(name = "edgesim", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    TestFunction(test_function::Args),
    Bench(bench::Args),
    /// Serve a CloudFront distribution locally (reverse proxy with functions and cache).
    Serve(serve::Args),
    Invoke(invoke::Args),
    GenerateEvent(generate_event::Args),
    Import(import::Args),
    /// Run a folder of test cases (functions, Lambda@Edge handlers, HTTP through a distribution).
    Test(test_suite::Args),
    Invalidate(invalidate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::TestFunction(args) => test_function::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Invoke(args) => invoke::run(args),
        Command::GenerateEvent(args) => generate_event::run(args),
        Command::Import(args) => import::run(args),
        Command::Test(args) => test_suite::run(args),
        Command::Invalidate(args) => invalidate::run(args),
    }
}
