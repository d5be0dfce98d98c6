//! `edgesim serve`: run a CloudFront distribution locally as a reverse proxy.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::sync::Arc;

use anyhow::{anyhow, bail, Context as _, Result};
use edgesim::proxy::{
    CertSource, Config, Distribution, Live, ProxyError, ReloadEvent, Reloader, ServeOptions,
    Server, ViewerTls,
};
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
    Hot reload: the config, function code, Lambda@Edge handler directories and KeyValueStore\n\
    files are watched; a saved change is served from the next request (a broken one is reported\n\
    and the previous version keeps serving). --no-watch turns this off.\n\n\
    Dashboard: http://127.0.0.1:8080/_edgesim/ (recent requests, events, cache, behaviors,\n\
    invalidation); `[dashboard]` in the config moves or disables it.\n\n\
    Examples:\n  edgesim serve --config edgesim.toml\n  curl -i http://127.0.0.1:8080/\n  \
    edgesim serve --https            # also https://127.0.0.1:8443, HTTP/2 and HTTP/1.1\n  \
    curl --http2 -k https://127.0.0.1:8443/\n  \
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
    /// Do not watch the files for changes (no hot reload).
    #[arg(long)]
    no_watch: bool,
    /// Also serve HTTPS (HTTP/2 and HTTP/1.1) with a self-signed certificate for localhost and
    /// 127.0.0.1, generated once and kept in the cache directory (its path is printed).
    #[arg(long)]
    https: bool,
    /// Where the HTTPS listener listens.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    https_listen: String,
    /// Serve HTTPS with this certificate (PEM, leaf first) instead of the generated one.
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// The private key of --cert (PEM).
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// Viewer mTLS on the HTTPS listener: the trust store (PEM CA certificates) client
    /// certificates must chain to (CloudFront's `ViewerMtlsConfig`; implies --https).
    #[arg(long, value_name = "CA.pem")]
    client_ca: Option<PathBuf>,
    /// With --client-ca: `required` (no certificate, no connection) or `optional`.
    #[arg(
        long,
        value_name = "MODE",
        default_value = "required",
        requires = "client_ca"
    )]
    mtls_mode: String,
    /// With --client-ca: a connection function (`connectionHandler`, runtime 2.0) that allows
    /// or denies each connection presenting a certificate
    /// (docs/cloudfront/connection-functions.md).
    #[arg(long, value_name = "FILE.js", requires = "client_ca")]
    connection_function: Option<PathBuf>,
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

/// Which config file serve reads (and re-reads on a change). With --from, the source is
/// imported once into a scratch directory and the generated edgesim.toml is served (edits to
/// the generated files reload; the source itself is not re-imported).
fn config_path(args: &Args) -> Result<PathBuf> {
    if let Some(from) = &args.from {
        return imported_config(from, args);
    }
    if let Some(path) = &args.config {
        return Ok(path.clone());
    }
    if Path::new("edgesim.toml").is_file() {
        return Ok(PathBuf::from("edgesim.toml"));
    }
    let demo = Path::new(DEMO_DIR).join("edgesim.toml");
    if demo.is_file() {
        return Ok(demo);
    }
    Err(ProxyError::Config {
        path: PathBuf::from("edgesim.toml"),
        message: format!(
            "not found, and the bundled demo's files ({DEMO_DIR}) are not on this machine; pass --config FILE"
        ),
    }
    .into())
}

fn load_config(path: &Path, listen: Option<&str>, no_throttle: bool) -> Result<Config, ProxyError> {
    let mut config = if path == Path::new(DEMO_DIR).join("edgesim.toml") {
        // The demo from this checkout: its own text, its files next to it.
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path, Path::new(DEMO_DIR))?,
            Err(_) => Config::parse(DEMO_CONFIG, path, Path::new(DEMO_DIR))?,
        }
    } else {
        Config::load(path)?
    };
    if let Some(listen) = listen {
        config.listen = listen.to_owned();
    }
    if no_throttle {
        config.throttle.enabled = false;
    }
    Ok(config)
}

/// `--from`: the source imported into a scratch directory (the generated edgesim.toml and the
/// function code it points at), warnings and unmapped origins on stderr.
fn imported_config(from: &Path, args: &Args) -> Result<PathBuf> {
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
    Ok(toml_path)
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
    let path = config_path(args)?;
    let config = load_config(&path, args.listen.as_deref(), args.no_throttle)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args, &path, &config))
}

/// Terminal output: colour when stderr/stdout is a terminal, plain otherwise.
struct Paint(bool);

impl Paint {
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31;1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
}

/// The reload events as one or two lines on stderr.
fn report(paint: &Paint, event: &ReloadEvent) {
    let names = |changed: &[PathBuf]| {
        let here = std::env::current_dir().unwrap_or_default();
        changed
            .iter()
            .map(|p| p.strip_prefix(&here).unwrap_or(p).display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match event {
        ReloadEvent::Reloaded {
            changed,
            took,
            cache_kept,
        } => {
            let cache = if *cache_kept {
                "cache kept"
            } else {
                "cache emptied: cache settings changed"
            };
            eprintln!(
                "{} {} {}",
                paint.green("reloaded"),
                names(changed),
                paint.dim(&format!("({} ms, {cache})", took.as_millis()))
            );
        }
        ReloadEvent::Failed { changed, error } => {
            eprintln!(
                "{} {}: still serving the previous version",
                paint.red("reload failed"),
                names(changed)
            );
            eprintln!("  {}", paint.red(&error.to_string()));
        }
    }
}

/// The distribution's listeners (HTTP, and HTTPS with --https) plus the mock origins that
/// also listen on their own address, watching the files unless --no-watch, until Ctrl-C; then
/// in-flight requests finish.
async fn serve(args: &Args, path: &Path, config: &Config) -> Result<()> {
    let distribution = Distribution::from_config(config)?;
    let live = Live::new(distribution.clone(), distribution.recent_buffer());
    let mtls = match &args.client_ca {
        Some(ca) => Some(edgesim::proxy::ViewerMtls {
            trust_store: ca.clone(),
            required: match args.mtls_mode.as_str() {
                "required" => true,
                "optional" => false,
                other => bail!("--mtls-mode: expected required or optional, got {other:?}"),
            },
            connection_function: args
                .connection_function
                .as_deref()
                .map(edgesim::proxy::load_connection_function)
                .transpose()?,
            distribution_id: config.distribution_id.clone(),
            endpoint: config.domain_name.clone(),
        }),
        None => None,
    };
    let tls = if args.https || args.cert.is_some() || mtls.is_some() {
        let source = match (&args.cert, &args.key) {
            (Some(cert), Some(key)) => CertSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            },
            (None, None) => CertSource::SelfSigned {
                cache_dir: edgesim::proxy::default_cache_dir(),
            },
            _ => bail!("--cert and --key go together"),
        };
        Some(ViewerTls::with_mtls(&source, mtls)?)
    } else {
        None
    };
    let https = match &tls {
        Some(tls) => Some(
            Server::bind_live(
                live.clone(),
                &args.https_listen,
                ServeOptions {
                    tls: Some(tls.clone()),
                    https_port: None,
                },
            )
            .await?,
        ),
        None => None,
    };
    let options = ServeOptions {
        tls: None,
        https_port: https.as_ref().map(|s| s.local_addr().port()),
    };
    let server = Server::bind_live(live.clone(), &config.listen, options).await?;
    let mut mocks = Vec::new();
    for (origin, addr) in distribution.standalone_mocks() {
        mocks.push((origin.id.clone(), Server::bind_mock(origin, addr).await?));
    }
    let paint = Arc::new(Paint(std::io::stderr().is_terminal()));
    let _reloader = if args.no_watch {
        None
    } else {
        let (path, listen, no_throttle) = (path.to_owned(), args.listen.clone(), args.no_throttle);
        let rebuild: edgesim::proxy::Rebuild = Box::new(move |old, changed| {
            let (path, listen) = (path.clone(), listen.clone());
            Box::pin(async move {
                let config = load_config(&path, listen.as_deref(), no_throttle)?;
                let next = Distribution::rebuild(&config, &old, &changed).await?;
                Ok((next, config))
            })
        });
        let paint = paint.clone();
        Some(Reloader::start(
            config,
            live.clone(),
            rebuild,
            move |event| report(&paint, event),
        )?)
    };

    println!("edgesim serve: {}", config.source.path.display());
    println!("listening on http://{}", server.local_addr());
    if server.local_addr().ip().is_unspecified() {
        tracing::warn!(
            "listening on {} accepts connections from other machines too; use 127.0.0.1 to keep the simulator to this one",
            server.local_addr()
        );
    }
    if let (Some(https), Some(tls)) = (&https, &tls) {
        println!(
            "listening on https://{} (HTTP/2 and HTTP/1.1)",
            https.local_addr()
        );
        let made = if tls.generated {
            "generated a self-signed certificate for localhost and 127.0.0.1"
        } else {
            "certificate"
        };
        println!(
            "  {made}: {} (trust it: curl --cacert {0}, or -k)",
            tls.cert_path.display()
        );
    }
    if let Some(dashboard) = distribution.dashboard_path() {
        println!("dashboard: http://{}{dashboard}", server.local_addr());
    }
    print!("{}", distribution.summary());
    for (id, mock) in &mocks {
        println!(
            "mock origin {id} also served directly on http://{}",
            mock.local_addr()
        );
    }
    if args.no_watch {
        println!("not watching for changes (--no-watch)");
    } else {
        println!("watching the config and its files for changes");
    }
    println!("Ctrl-C to stop");
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    eprintln!(
        "shutting down: waiting for in-flight requests ({} function contexts were built)",
        edgesim::functions::contexts_built()
    );
    drop(_reloader);
    live.recent.close_feeds();
    server.shutdown().await;
    if let Some(https) = https {
        https.shutdown().await;
    }
    for (_, mock) in mocks {
        mock.shutdown().await;
    }
    Ok(())
}
