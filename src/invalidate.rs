//! `edgesim invalidate`: CreateInvalidation against a running `edgesim serve`.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context as _, Result};
use edgesim::proxy::Config;

/// Invalidate cached objects in a running `edgesim serve`, as `aws cloudfront
/// create-invalidation --paths …` does: paths with `*` only at the end (`/images/*`), and
/// cache tags as items starting with `#` (matched against the origin header named by
/// `cache_tag_header` in the config).
///
/// Exit status: 0 done (the answer is printed as CreateInvalidation's JSON), 1 the server cannot
/// be reached, 2 refused items or bad usage.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    edgesim invalidate '/images/*' /index.html\n  \
    edgesim invalidate '#product-42' --url http://127.0.0.1:9090\n  \
    edgesim invalidate '/*'                       # everything")]
pub struct Args {
    /// Paths (`/a.html`, `/images/*`, `/*`) and `#tags`.
    #[arg(required = true, value_name = "PATH|#TAG")]
    items: Vec<String>,
    /// The running server (default: from --config or ./edgesim.toml, else http://127.0.0.1:8080).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The config the server runs (for its listen address and dashboard path).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    match execute(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("edgesim invalidate: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `host:port` and the dashboard path of the server to talk to.
fn target(args: &Args) -> Result<(String, String)> {
    let config = match &args.config {
        Some(path) => Some(Config::load(path)?),
        None if Path::new("edgesim.toml").is_file() => {
            Some(Config::load(Path::new("edgesim.toml"))?)
        }
        None => None,
    };
    let dashboard = config
        .as_ref()
        .map_or("/_edgesim/".to_owned(), |c| c.dashboard.path.clone());
    let dashboard = format!("/{}/", dashboard.trim_matches('/'));
    if let Some(url) = &args.url {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("--url {url}: expected http://host:port"))?;
        let authority = rest.split('/').next().unwrap_or(rest);
        return Ok((authority.to_owned(), dashboard));
    }
    let listen = config.map_or("127.0.0.1:8080".to_owned(), |c| c.listen);
    Ok((listen, dashboard))
}

fn execute(args: &Args) -> Result<ExitCode> {
    let (authority, dashboard) = target(args)?;
    let reference = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let batch = serde_json::json!({
        "Paths": { "Quantity": args.items.len(), "Items": args.items },
        "CallerReference": format!("edgesim-cli-{reference}"),
    })
    .to_string();
    let mut stream = match TcpStream::connect(&authority) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!(
                "edgesim invalidate: cannot reach {authority} ({e}); is `edgesim serve` running there?"
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let request = format!(
        "POST {dashboard}api/invalidate HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{batch}",
        batch.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .context("reading the server's answer")?;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("not an HTTP answer from {authority}"))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("not an HTTP answer from {authority}"))?;
    let json: serde_json::Value = serde_json::from_str(body.trim()).map_err(|_| {
        anyhow!(
            "{authority} answered {status} without JSON; is the dashboard enabled at {dashboard}?"
        )
    })?;
    if status == 404 {
        bail!("{authority} has no invalidation API at {dashboard} (is [dashboard] enabled?)");
    }
    if status >= 400 {
        eprintln!(
            "edgesim invalidate: {}",
            json["error"].as_str().unwrap_or("refused")
        );
        return Ok(ExitCode::from(2));
    }
    for warning in json["Warnings"].as_array().into_iter().flatten() {
        eprintln!("warning: {}", warning.as_str().unwrap_or_default());
    }
    eprintln!(
        "{} cached object(s) removed",
        json["Removed"].as_u64().unwrap_or(0)
    );
    let mut shown = json.clone();
    if let Some(map) = shown.as_object_mut() {
        map.remove("Removed");
        map.remove("Warnings");
    }
    println!("{}", serde_json::to_string_pretty(&shown)?);
    Ok(ExitCode::SUCCESS)
}
