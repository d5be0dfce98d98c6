//! `edgesim serve`: run a CloudFront distribution locally as a reverse proxy.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context as _, Result};
use edgesim::proxy::{Config, Distribution, ProxyError, Server};
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
/// --from serves a distribution imported from a CloudFormation/SAM/CDK template, cdk.out, the
/// AWS CLI's get-distribution-config JSON or `terraform show -json` (see `edgesim import`).
#[derive(clap::Args)]
#[command(
    after_help = "Per-request viewer overrides (removed before functions run):\n  \
    x-edgesim-viewer-country: DE      sets CloudFront-Viewer-Country (any x-edgesim-viewer-<name>\n                                    sets CloudFront-Viewer-<name>)\n  \
    x-edgesim-viewer-device: mobile   desktop | mobile | tablet | smarttv\n  \
    x-edgesim-viewer-ip: 203.0.113.9  the viewer address functions see\n\n\
    Examples:\n  edgesim serve --config edgesim.toml\n  curl -i http://127.0.0.1:8080/\n  \
    edgesim serve --from cdk.out/MyStack.template.json --origin S3Origin=./dist --origin Api=http://127.0.0.1:3000"
)]
pub struct Args {
    /// The distribution config (TOML).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Serve a distribution imported from this template / cdk.out / CLI JSON / Terraform JSON.
    #[arg(long, value_name = "FILE", conflicts_with = "config")]
    from: Option<PathBuf>,
    #[command(flatten)]
    source: crate::import::SourceArgs,
    /// Address to listen on, overriding the config (default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Also log each function's event and what it returned.
    #[arg(short, long)]
    verbose: bool,
    /// Log only warnings and errors (no line per request).
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Never throttle CloudFront Functions. By default a function whose predicted
    /// ComputeUtilization keeps reaching 100 (half of its last 20–100 runs within 10 s) answers
    /// 503 FunctionThrottledError for 5 s, as CloudFront throttles; tune it in [throttle].
    #[arg(long)]
    no_throttle: bool,
}

pub fn run(args: Args) -> ExitCode {
    init_logging(&args);
    match execute(&args) {
        Ok(()) => ExitCode::SUCCESS,
        // A config that does not load or check is bad input: exit 2, like the other commands.
        // Its message is complete (file, line, field, cause), so the cause chain is not
        // printed again after it.
        Err(e) => match e.downcast_ref::<ProxyError>() {
            Some(ProxyError::Bind { .. }) => {
                eprintln!("edgesim serve: {e}");
                ExitCode::FAILURE
            }
            Some(config_error) => {
                eprintln!("edgesim serve: {config_error}");
                ExitCode::from(2)
            }
            None => {
                eprintln!("edgesim serve: {e:#}");
                ExitCode::FAILURE
            }
        },
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
    let mut config = if let Some(from) = &args.from {
        imported_config(from, args)?
    } else if let Some(path) = &args.config {
        Config::load(path)?
    } else if Path::new("edgesim.toml").is_file() {
        Config::load(Path::new("edgesim.toml"))?
    } else if Path::new(DEMO_DIR).is_dir() {
        let label = Path::new(DEMO_DIR).join("edgesim.toml");
        Config::parse(DEMO_CONFIG, &label, Path::new(DEMO_DIR))?
    } else {
        return Err(ProxyError::Config {
            path: PathBuf::from("edgesim.toml"),
            message: format!(
                "not found, and the bundled demo's files ({DEMO_DIR}) are not on this machine; pass --config FILE"
            ),
        }
        .into());
    };
    if let Some(listen) = &args.listen {
        config.listen = listen.clone();
    }
    if args.no_throttle {
        config.throttle.enabled = false;
    }
    Ok(config)
}

/// `--from`: the source imported into a scratch directory (the generated edgesim.toml and the
/// function code it points at), warnings and unmapped origins on stderr.
fn imported_config(from: &Path, args: &Args) -> Result<Config> {
    let dir = std::env::temp_dir().join(format!("edgesim-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let options = args.source.options(&dir, Some(&dir.join("code")))?;
    let imported = edgesim::import::import_file(from, &options)?;
    imported.write_files()?;
    let toml_path = dir.join("edgesim.toml");
    std::fs::write(&toml_path, &imported.toml)
        .with_context(|| format!("{}: cannot write", toml_path.display()))?;
    crate::import::report(&imported);
    eprintln!(
        "imported {} ({} warning(s)); the generated config is {}",
        imported.source.display(),
        imported.warnings.len(),
        toml_path.display()
    );
    Ok(imported.config(&toml_path, &dir)?)
}

fn execute(args: &Args) -> Result<()> {
    let s = &args.source;
    if args.from.is_none()
        && !(s.origins.is_empty()
            && s.params.is_empty()
            && s.code.is_empty()
            && s.kvs.is_empty()
            && s.distribution.is_none())
    {
        return Err(anyhow!(
            "--origin, --param, --code, --kvs and --distribution go with --from FILE"
        ));
    }
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
    if server.local_addr().ip().is_unspecified() {
        tracing::warn!(
            "listening on {} accepts connections from other machines too; use 127.0.0.1 to keep the simulator to this one",
            server.local_addr()
        );
    }
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
