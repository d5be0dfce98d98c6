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
    match execute(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("edgesim serve: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(args: &Args) -> Result<Config> {
    if let Some(path) = &args.config {
        return Ok(Config::load(path)?);
    }
    let local = Path::new("edgesim.toml");
    if local.is_file() {
        return Ok(Config::load(local)?);
    }
    if !Path::new(DEMO_DIR).is_dir() {
        return Err(anyhow!(
            "no ./edgesim.toml, and the bundled demo's files ({DEMO_DIR}) are not on this machine; pass --config FILE"
        ));
    }
    let label = Path::new(DEMO_DIR).join("edgesim.toml");
    Ok(Config::parse(DEMO_CONFIG, &label, Path::new(DEMO_DIR))?)
}

fn execute(args: &Args) -> Result<()> {
    let mut config = load_config(args)?;
    if let Some(listen) = &args.listen {
        config.listen = listen.clone();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let distribution = Distribution::from_config(&config)?;
        let server = Server::bind(distribution.clone(), &config.listen).await?;
        let mut mocks = Vec::new();
        for (index, addr) in &distribution.standalone_mocks {
            let origin = &distribution.origins[*index];
            let mock = Server::bind_mock(origin, addr).await?;
            mocks.push((origin.id.clone(), mock));
        }
        print_summary(&config, &distribution, &server, &mocks);
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
    })
}

fn print_summary(
    config: &Config,
    distribution: &Distribution,
    server: &Server,
    mocks: &[(String, Server)],
) {
    println!("edgesim serve: {}", config.source.path.display());
    println!("listening on http://{}", server.local_addr());
    println!("behaviors (first match wins):");
    let behaviors = &distribution.behaviors;
    for behavior in behaviors
        .ordered
        .iter()
        .chain(std::iter::once(&behaviors.default))
    {
        let hook = |f: &Option<edgesim::functions::CloudFrontFunction>, event: &str| {
            f.as_ref()
                .map(|f| format!(" {event}={} ({})", f.name(), f.runtime()))
        };
        let cache = if behavior.cache.is_disabled() {
            " cache=disabled".to_owned()
        } else {
            format!(" default_ttl={}s", behavior.cache.default_ttl.as_secs())
        };
        let lambda = &behavior.lambda;
        let lambdas: String = [
            (&lambda.viewer_request, "viewer-request"),
            (&lambda.origin_request, "origin-request"),
            (&lambda.origin_response, "origin-response"),
            (&lambda.viewer_response, "viewer-response"),
        ]
        .into_iter()
        .filter_map(|(h, event)| {
            h.as_ref().map(|h| {
                format!(
                    " {event}={} (Lambda@Edge {})",
                    h.function.function_name(),
                    h.function.runtime()
                )
            })
        })
        .collect();
        println!(
            "  {:<20} -> {}{}{}{}{}",
            behavior.pattern_text(),
            distribution.origins[behavior.origin].id,
            cache,
            hook(&behavior.viewer_request, "viewer-request").unwrap_or_default(),
            lambdas,
            hook(&behavior.viewer_response, "viewer-response").unwrap_or_default(),
        );
    }
    println!("origins:");
    for origin in &distribution.origins {
        println!("  {:<20} {}", origin.id, origin.describe());
    }
    for (id, mock) in mocks {
        println!(
            "mock origin {id} also served directly on http://{}",
            mock.local_addr()
        );
    }
    println!("Ctrl-C to stop");
}
