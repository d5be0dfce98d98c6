//! `edgesim serve`: run a CloudFront distribution locally as a reverse proxy.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context as _, Result};
use edgesim::proxy::{Config, Distribution, Server};
use tracing::Level;

/// The demo distribution shipped in the repository (edge-samples/edgesim.toml). Its relative
/// paths resolve against the repository's edge-samples directory, so it works from a checkout
/// (`cargo run -- serve`); an installed binary needs `--config` or `./edgesim.toml`.
const DEMO_CONFIG: &str = include_str!("../edge-samples/edgesim.toml");
const DEMO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/edge-samples");

/// Serve a CloudFront distribution on your machine: cache behaviors, CloudFront Functions on
/// the viewer events, the edge cache and your origins, with CloudFront's headers and error pages.
///
/// Without --config, ./edgesim.toml is used if present, else the bundled demo distribution.
#[derive(clap::Args)]
#[command(
    after_help = "Per-request viewer overrides (removed before functions run):\n  \
    x-edgesim-viewer-country: DE      sets CloudFront-Viewer-Country (any x-edgesim-viewer-<name>\n                                    sets CloudFront-Viewer-<name>)\n  \
    x-edgesim-viewer-device: mobile   desktop | mobile | tablet | smarttv\n  \
    x-edgesim-viewer-ip: 203.0.113.9  the viewer address functions see\n\n\
    Example:\n  edgesim serve --config edgesim.toml\n  curl -i http://127.0.0.1:8080/"
)]
pub struct Args {
    /// The distribution config (TOML).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on, overriding the config (default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Also log each function's event and what it returned.
    #[arg(short, long)]
    verbose: bool,
    /// Log only warnings and errors (no line per request).
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
}

pub fn run(args: Args) -> ExitCode {
    init_logging(&args);
    match execute(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("edgesim serve: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(args: &Args) {
    let level = match (args.quiet, args.verbose) {
        (true, _) => Level::WARN,
        (_, true) => Level::DEBUG,
        _ => Level::INFO,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn load_config(args: &Args) -> Result<Config> {
    let mut config = if let Some(path) = &args.config {
        Config::load(path)?
    } else if Path::new("edgesim.toml").is_file() {
        Config::load(Path::new("edgesim.toml"))?
    } else if Path::new(DEMO_DIR).is_dir() {
        let label = Path::new(DEMO_DIR).join("edgesim.toml");
        Config::parse(DEMO_CONFIG, &label, Path::new(DEMO_DIR))?
    } else {
        return Err(anyhow!(
            "no ./edgesim.toml, and the bundled demo's files ({DEMO_DIR}) are not on this machine; pass --config FILE"
        ));
    };
    if let Some(listen) = &args.listen {
        config.listen = listen.clone();
    }
    Ok(config)
}

fn execute(args: &Args) -> Result<()> {
    let config = load_config(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(&config))
}

/// The distribution's listener plus the mock origins that also listen on their own address,
/// until Ctrl-C; then in-flight requests finish.
async fn serve(config: &Config) -> Result<()> {
    let distribution = Distribution::from_config(config)?;
    let server = Server::bind(distribution.clone(), &config.listen).await?;
    let mut mocks = Vec::new();
    for (origin, addr) in distribution.standalone_mocks() {
        mocks.push((origin.id.clone(), Server::bind_mock(origin, addr).await?));
    }
    println!("edgesim serve: {}", config.source.path.display());
    println!("listening on http://{}", server.local_addr());
    print!("{}", distribution.summary());
    for (id, mock) in &mocks {
        println!(
            "mock origin {id} also served directly on http://{}",
            mock.local_addr()
        );
    }
    println!("Ctrl-C to stop");
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    eprintln!(
        "shutting down: waiting for in-flight requests ({} function contexts were built)",
        edgesim::functions::contexts_built()
    );
    server.shutdown().await;
    for (_, mock) in mocks {
        mock.shutdown().await;
    }
    Ok(())
}
