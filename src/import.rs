//! `edgesim import`: a CloudFormation/SAM/CDK template, AWS CLI JSON or Terraform state
//! printed as `edgesim.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context as _, Result};
use edgesim_import::{ImportOptions, Imported, OriginTarget};

/// Import a CloudFront distribution (CloudFormation/SAM template, cdk.out, `aws cloudfront
/// get-distribution-config` JSON, `terraform show -json`) and print it as edgesim.toml.
///
/// Inline function code is written next to the config (--code-dir). What edgesim does not
/// emulate is listed as warnings, on stderr and at the top of the config. Exit status: 0
/// imported, 2 bad input.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    edgesim import template.yaml > edgesim.toml\n  \
    edgesim import cdk.out/MyStack.template.json --origin S3Origin=./dist -o edgesim.toml\n  \
    aws cloudfront get-distribution-config --id E1EXAMPLE > dist.json\n  \
    edgesim import dist.json --code rewrite=functions/rewrite.js > edgesim.toml")]
pub struct Args {
    /// The source: a template (JSON or YAML), a cdk.out directory, CLI JSON or Terraform JSON.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub options: SourceArgs,
    /// Write the config here instead of stdout (its relative paths start from its directory).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Where inline function code and empty KeyValueStores are written (default:
    /// edgesim-import/ next to the config).
    #[arg(long, value_name = "DIR")]
    pub code_dir: Option<PathBuf>,
}

/// The import options `serve --from` shares.
#[derive(clap::Args, Clone, Default)]
pub struct SourceArgs {
    /// Map an origin to a local directory (served like a bucket) or a running server:
    /// `S3Origin=./dist`, `Api=http://127.0.0.1:3000`. Unmapped origins get the mock origin.
    #[arg(long = "origin", value_name = "ID=DIR|URL")]
    pub origins: Vec<String>,
    /// Which distribution, when the template has several (its logical id).
    #[arg(long, value_name = "ID")]
    pub distribution: Option<String>,
    /// A CloudFormation parameter value (over its Default).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Code for a function the source names but does not carry: a CloudFront Function's .js
    /// file, or a Lambda handler path such as lambda/auth/index.handler.
    #[arg(long = "code", value_name = "NAME=PATH")]
    pub code: Vec<String>,
    /// KeyValueStore contents (CloudFront's import format) for a store of the source.
    #[arg(long = "kvs", value_name = "NAME=FILE")]
    pub kvs: Vec<String>,
}

fn pairs(list: &[String], flag: &str) -> Result<BTreeMap<String, String>> {
    list.iter()
        .map(|item| {
            item.split_once('=')
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| anyhow!("{flag} {item:?}: expected NAME=VALUE"))
        })
        .collect()
}

impl SourceArgs {
    pub fn options(&self, base_dir: &Path, code_dir: Option<&Path>) -> Result<ImportOptions> {
        let mut options = ImportOptions::new(base_dir);
        if let Some(dir) = code_dir {
            options.code_dir = dir.to_owned();
        }
        options.origins = pairs(&self.origins, "--origin")?
            .into_iter()
            .map(|(k, v)| (k, OriginTarget::parse(&v)))
            .collect();
        for (id, target) in &options.origins {
            if let OriginTarget::Dir(dir) = target {
                if !dir.is_dir() {
                    return Err(anyhow!(
                        "--origin {id}={}: not a directory (or give an http:// URL)",
                        dir.display()
                    ));
                }
            }
        }
        options.distribution = self.distribution.clone();
        options.parameters = pairs(&self.params, "--param")?;
        options.code = pairs(&self.code, "--code")?
            .into_iter()
            .map(|(k, v)| (k, PathBuf::from(v)))
            .collect();
        options.kvs = pairs(&self.kvs, "--kvs")?
            .into_iter()
            .map(|(k, v)| (k, PathBuf::from(v)))
            .collect();
        Ok(options)
    }
}

/// Warnings and unmapped origins, on stderr.
pub fn report(imported: &Imported) {
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    for (id, domain) in &imported.unmapped_origins {
        eprintln!(
            "origin {id} ({domain}) is not mapped: the mock origin answers (--origin {id}=DIR|URL)"
        );
    }
}

pub fn run(args: Args) -> ExitCode {
    match execute(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("edgesim import: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn execute(args: &Args) -> Result<()> {
    let base_dir = match args.output.as_deref().and_then(Path::parent) {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let code_dir = args.code_dir.clone();
    let options = args.options.options(&base_dir, code_dir.as_deref())?;
    let imported = edgesim_import::import_file(&args.file, &options)?;
    let label = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("edgesim.toml"));
    // The generated text must load like a hand-written file.
    imported
        .config(&label, &base_dir)
        .context("the generated config does not load (please report this)")?;
    imported.write_files()?;
    report(&imported);
    match &args.output {
        Some(path) => std::fs::write(path, &imported.toml)
            .with_context(|| format!("{}: cannot write", path.display()))?,
        None => print!("{}", imported.toml),
    }
    Ok(())
}
