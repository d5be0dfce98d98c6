//! `edgesim generate-event`: a realistic Lambda@Edge event, like
//! `sam local generate-event cloudfront`, or with `--cloudfront-function` a CloudFront Functions
//! event (viewer-request or viewer-response) for `edgesim test-function`.

use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use edgesim_model::cff_http::{request_event, viewer_response_event, EventContext};
use edgesim_model::client_cert::{ClientCertificate, ConnectionContext};
use edgesim_model::lambda::{generate_event, GenerateOptions, Trigger};
use http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};

/// Print an event for a trigger: a Lambda@Edge event for `edgesim invoke --event`, or with
/// --cloudfront-function a CloudFront Functions event for `edgesim test-function --event`.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    edgesim generate-event viewer-request --uri /login --method POST \\\n      \
    --header 'authorization: Basic dXNlcjpwYXNz' --body 'user=a' > event.json\n  \
    edgesim generate-event viewer-request --cloudfront-function --uri /blog/ > cff-event.json\n  \
    edgesim generate-event viewer-response --cloudfront-function --status 404 \\\n      \
    --response-header 'content-type: text/html' > cff-response.json\n  \
    edgesim generate-event connection --cert client.pem > connection.json")]
pub struct Args {
    /// viewer-request, origin-request, origin-response or viewer-response (CloudFront
    /// Functions: viewer-request or viewer-response), or `connection` for a connection
    /// function's event (mutual TLS; with --cert).
    #[arg(value_parser = parse_trigger, value_name = "TRIGGER")]
    event: EventArg,
    /// connection: the viewer's client certificate (PEM; the first certificate is the leaf).
    /// Without it the event has no `clientCertificate`, as in optional mTLS mode.
    #[arg(long, value_name = "CERT.pem")]
    cert: Option<std::path::PathBuf>,
    /// A CloudFront Functions event (`{"version":"1.0","context":…}`) instead of Lambda@Edge's
    /// `{"Records":[{"cf":…}]}`.
    #[arg(long, visible_alias = "cff")]
    cloudfront_function: bool,
    /// request.uri.
    #[arg(long, default_value = "/index.html")]
    uri: String,
    /// request.method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// An extra request header, `name: value`; repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// A response header for a CloudFront Functions viewer-response event, `name: value`;
    /// repeatable (default: `content-type: text/html; charset=utf-8`).
    #[arg(long = "response-header", value_name = "NAME: VALUE")]
    response_headers: Vec<String>,
    /// request.querystring (without `?`).
    #[arg(long, default_value = "")]
    querystring: String,
    /// A request body, exposed as with IncludeBody (Lambda@Edge request triggers).
    #[arg(long)]
    body: Option<String>,
    /// response.status (response triggers).
    #[arg(long, default_value_t = 200)]
    status: u16,
    /// request.clientIp (viewer.ip in a CloudFront Functions event).
    #[arg(long, default_value = "192.0.2.44")]
    client_ip: String,
}

#[derive(Clone, Copy)]
enum EventArg {
    Trigger(Trigger),
    Connection,
}

fn parse_trigger(s: &str) -> Result<EventArg, String> {
    if s == "connection" {
        return Ok(EventArg::Connection);
    }
    s.parse().map(EventArg::Trigger)
}

pub fn run(args: Args) -> ExitCode {
    let event = match args.event {
        EventArg::Connection => connection_event(&args),
        EventArg::Trigger(_) if args.cert.is_some() => Err(anyhow!(
            "--cert is for connection events (`generate-event connection`)"
        )),
        EventArg::Trigger(trigger) if args.cloudfront_function => function_event(&args, trigger),
        EventArg::Trigger(trigger) => lambda_event(&args, trigger),
    };
    match event.and_then(|event| Ok(serde_json::to_string_pretty(&event)?)) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("edgesim generate-event: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn split_header(option: &str, header: &str) -> Result<(String, String)> {
    let Some((name, value)) = header.split_once(':') else {
        bail!("{option} `{header}`: expected `name: value`");
    };
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

fn lambda_event(args: &Args, trigger: Trigger) -> Result<serde_json::Value> {
    if !args.response_headers.is_empty() {
        bail!("--response-header is for CloudFront Functions events (add --cloudfront-function)");
    }
    let headers = args
        .headers
        .iter()
        .map(|h| split_header("--header", h))
        .collect::<Result<Vec<_>>>()?;
    let options = GenerateOptions {
        uri: args.uri.clone(),
        method: args.method.clone(),
        headers,
        querystring: args.querystring.clone(),
        body: args.body.clone(),
        status: args.status,
        client_ip: args.client_ip.clone(),
        ..GenerateOptions::default()
    };
    Ok(generate_event(trigger, &options)?)
}

/// A CloudFront Functions event built from an HTTP request (and response) the way `serve`
/// builds it for a real viewer, so the shape is exactly what a deployed function receives.
fn function_event(args: &Args, trigger: Trigger) -> Result<serde_json::Value> {
    if !matches!(trigger, Trigger::ViewerRequest | Trigger::ViewerResponse) {
        bail!(
            "CloudFront Functions run on viewer-request and viewer-response only, not {}",
            trigger.as_str()
        );
    }
    if args.body.is_some() {
        bail!("--body: CloudFront Functions events carry no request body");
    }
    if !args.uri.starts_with('/') {
        bail!("--uri: must start with `/`");
    }
    let target = match args.querystring.as_str() {
        "" => args.uri.clone(),
        query => format!("{}?{query}", args.uri),
    };
    let mut request = Request::builder()
        .method(args.method.as_str())
        .uri(target.as_str())
        .body(())
        .map_err(|e| anyhow!("--method/--uri/--querystring: {e}"))?;
    let defaults = [
        ("host", "www.example.com"),
        (
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) ExampleBrowser/1.0",
        ),
        ("accept", "text/html,application/xhtml+xml"),
    ];
    set_headers(request.headers_mut(), &defaults, &args.headers, "--header")?;
    let (parts, ()) = request.into_parts();
    let ctx = EventContext {
        distribution_domain_name: Some("d111111abcdef8.cloudfront.net".to_owned()),
        endpoint: None,
        distribution_id: Some("E1EDGESIMLOCAL".to_owned()),
        request_id: Some("EDGESIM0generated0event0000000000000000000000000_A==".to_owned()),
    };
    if trigger == Trigger::ViewerRequest {
        if !args.response_headers.is_empty() {
            bail!("--response-header is for viewer-response events");
        }
        return Ok(request_event(&parts, &args.client_ip, &ctx));
    }
    let status =
        StatusCode::from_u16(args.status).map_err(|_| anyhow!("--status: not an HTTP status"))?;
    let mut headers = HeaderMap::new();
    let defaults = [("content-type", "text/html; charset=utf-8")];
    set_headers(
        &mut headers,
        &defaults,
        &args.response_headers,
        "--response-header",
    )?;
    Ok(viewer_response_event(
        &parts,
        status,
        &headers,
        &args.client_ip,
        &ctx,
    ))
}

/// A connection function's event (docs/cloudfront/connection-functions.md) for a certificate,
/// with the ids `serve` uses for the bundled distribution.
fn connection_event(args: &Args) -> Result<serde_json::Value> {
    let cert = match &args.cert {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow!("{}: cannot read the certificate: {e}", path.display()))?;
            Some(
                ClientCertificate::from_pem(&text)
                    .map_err(|e| anyhow!("{}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    let ctx = ConnectionContext {
        client_ip: args.client_ip.clone(),
        endpoint: "d111111abcdef8.cloudfront.net".to_owned(),
        distribution_id: "E1EDGESIMLOCAL".to_owned(),
        connection_id: "EDGESIM0generated0connection00000000000000000000000==".to_owned(),
    };
    Ok(edgesim_model::client_cert::connection_event(
        cert.as_ref(),
        &ctx,
    ))
}

/// Defaults first; a header given on the command line replaces the default of that name.
fn set_headers(
    headers: &mut HeaderMap,
    defaults: &[(&'static str, &'static str)],
    given: &[String],
    option: &str,
) -> Result<()> {
    for (name, value) in defaults {
        headers.insert(*name, HeaderValue::from_static(value));
    }
    let mut replaced = Vec::new();
    for header in given {
        let (name, value) = split_header(option, header)?;
        let name = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
            .map_err(|_| anyhow!("{option} `{header}`: not a valid header name"))?;
        let value = HeaderValue::from_str(&value)
            .map_err(|_| anyhow!("{option} `{header}`: not a valid header value"))?;
        if !replaced.contains(&name) {
            headers.remove(&name);
            replaced.push(name.clone());
        }
        headers.append(name, value);
    }
    Ok(())
}
