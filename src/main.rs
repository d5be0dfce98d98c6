//! The `edgesim` command line.

mod test_function;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::TestFunction(args) => test_function::run(args),
    }
}
