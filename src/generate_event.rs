//! `edgesim generate-event`: a realistic Lambda@Edge event, like
//! `sam local generate-event cloudfront`.

use std::process::ExitCode;

use edgesim_model::lambda::{generate_event, GenerateOptions, Trigger};

/// Print a Lambda@Edge event for a trigger, ready for `edgesim invoke --event`.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  edgesim generate-event viewer-request --uri /login --method POST \\\n      --header 'authorization: Basic dXNlcjpwYXNz' --body 'user=a' > event.json"
)]
pub struct Args {
    /// viewer-request, origin-request, origin-response or viewer-response.
    #[arg(value_parser = parse_trigger)]
    trigger: Trigger,
    /// request.uri.
    #[arg(long, default_value = "/index.html")]
    uri: String,
    /// request.method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// An extra request header, `name: value`; repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// request.querystring (without `?`).
    #[arg(long, default_value = "")]
    querystring: String,
    /// A request body, exposed as with IncludeBody (request triggers).
    #[arg(long)]
    body: Option<String>,
    /// response.status (response triggers).
    #[arg(long, default_value_t = 200)]
    status: u16,
    /// request.clientIp.
    #[arg(long, default_value = "192.0.2.44")]
    client_ip: String,
}

fn parse_trigger(s: &str) -> Result<Trigger, String> {
    s.parse()
}

pub fn run(args: Args) -> ExitCode {
    let mut headers = Vec::new();
    for header in &args.headers {
        let Some((name, value)) = header.split_once(':') else {
            eprintln!("edgesim generate-event: --header `{header}`: expected `name: value`");
            return ExitCode::from(2);
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let options = GenerateOptions {
        uri: args.uri,
        method: args.method,
        headers,
        querystring: args.querystring,
        body: args.body,
        status: args.status,
        client_ip: args.client_ip,
        ..GenerateOptions::default()
    };
    match generate_event(args.trigger, &options) {
        Ok(event) => match serde_json::to_string_pretty(&event) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("edgesim generate-event: {e}");
                ExitCode::from(2)
            }
        },
        Err(e) => {
            eprintln!("edgesim generate-event: {e}");
            ExitCode::from(2)
        }
    }
}
