//! Import a CloudFront distribution from where it really lives into edgesim's config.
//!
//! Sources: CloudFormation and SAM templates (JSON or YAML with the short tags), `cdk synth`
//! output (`cdk.out/*.template.json`, or the `cdk.out` directory), the AWS CLI's
//! `get-distribution-config` JSON, and Terraform's `terraform show -json`. Each is brought to
//! one model ([`model::Distribution`]), written as `edgesim.toml` text, and loaded with
//! [`edgesim_proxy::Config::parse`], so an imported distribution is checked exactly like a
//! hand-written one.
//!
//! Nothing in the source is dropped silently: what edgesim does not emulate is a [`Warning`]
//! naming the property path.
//!
//! ```no_run
//! # fn demo() -> Result<(), edgesim_import::ImportError> {
//! let options = edgesim_import::ImportOptions::new(".".as_ref());
//! let imported = edgesim_import::import_file("template.yaml".as_ref(), &options)?;
//! imported.write_files()?;
//! print!("{}", imported.toml);
//! # Ok(()) }
//! ```

pub mod catalog;
pub mod cfn;
pub mod cli_json;
pub mod distribution;
pub mod emit;
pub mod error;
pub mod model;
pub mod terraform;
pub mod warn;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use emit::{GeneratedFile, OriginTarget};
pub use error::ImportError;
pub use warn::Warning;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// `--origin ID=DIR|URL`.
    pub origins: BTreeMap<String, OriginTarget>,
    /// Which distribution when the source has several (logical id or Terraform address).
    pub distribution: Option<String>,
    /// `--param Name=Value`: CloudFormation parameters over their defaults.
    pub parameters: BTreeMap<String, String>,
    /// `--code NAME=PATH`: code of functions the source does not carry.
    pub code: BTreeMap<String, PathBuf>,
    /// `--kvs NAME=FILE`: KeyValueStore contents.
    pub kvs: BTreeMap<String, PathBuf>,
    /// The directory the TOML will be in: its relative paths start here.
    pub base_dir: PathBuf,
    /// Where inline function code and empty stores are written.
    pub code_dir: PathBuf,
}

impl ImportOptions {
    /// Options for a TOML in `base_dir`, generated files in `base_dir/edgesim-import/`.
    pub fn new(base_dir: &Path) -> ImportOptions {
        ImportOptions {
            origins: BTreeMap::new(),
            distribution: None,
            parameters: BTreeMap::new(),
            code: BTreeMap::new(),
            kvs: BTreeMap::new(),
            base_dir: base_dir.to_owned(),
            code_dir: base_dir.join("edgesim-import"),
        }
    }
}

/// The source formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CloudFormation,
    AwsCli,
    Terraform,
}

/// An import's result.
#[derive(Debug)]
pub struct Imported {
    pub format: Format,
    /// The file read (for a `cdk.out` directory, the template chosen in it).
    pub source: PathBuf,
    pub distribution: model::Distribution,
    /// The config text.
    pub toml: String,
    /// Files the config points at; [`Imported::write_files`] writes them.
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Warning>,
    /// Origins no `--origin` maps, served by the mock origin: (id, domain name).
    pub unmapped_origins: Vec<(String, String)>,
}

impl Imported {
    pub fn write_files(&self) -> Result<(), ImportError> {
        for f in &self.files {
            let io = |source| ImportError::Io {
                path: f.path.clone(),
                source,
            };
            if let Some(dir) = f.path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            std::fs::write(&f.path, &f.contents).map_err(io)?;
        }
        Ok(())
    }

    /// The config, as `edgesim serve` loads it; `toml_path` names it in messages and its
    /// directory must be the options' `base_dir`.
    pub fn config(
        &self,
        toml_path: &Path,
        base_dir: &Path,
    ) -> Result<edgesim_proxy::Config, ImportError> {
        Ok(edgesim_proxy::Config::parse(
            &self.toml, toml_path, base_dir,
        )?)
    }
}

/// Imports a file (or a `cdk.out` directory).
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    let file = if path.is_dir() {
        pick_template(path, options)?
    } else {
        path.to_owned()
    };
    let text = std::fs::read_to_string(&file).map_err(|source| ImportError::Io {
        path: file.clone(),
        source,
    })?;
    let value = parse(&text, &file)?;
    import_value(&value, &file, options)
}

/// JSON, or YAML (CloudFormation's short tags included).
fn parse(text: &str, path: &Path) -> Result<Value, ImportError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        serde_json::from_str(text)
            .map_err(|e| ImportError::input(path, format!("not valid JSON: {e}")))
    } else {
        yaml::parse(text).map_err(|e| ImportError::input(path, format!("not valid YAML: {e}")))
    }
}

/// Imports an already parsed source; `path` names it and locates relative code paths.
pub fn import_value(
    value: &Value,
    path: &Path,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let mut w = warn::Warnings::default();
    let catalog = catalog::Catalog {
        code: options.code.clone(),
        kvs_files: options.kvs.clone(),
        ..Default::default()
    };
    let (format, dist) = if value.get("Resources").is_some()
        || value.get("AWSTemplateFormatVersion").is_some()
    {
        let dist = cfn::import(
            value,
            path,
            options.distribution.as_deref(),
            &options.parameters,
            catalog,
            &mut w,
        )?;
        (Format::CloudFormation, dist)
    } else if terraform::detect(value) {
        let dist = terraform::import(
            value,
            path,
            options.distribution.as_deref(),
            catalog,
            &mut w,
        )?;
        (Format::Terraform, dist)
    } else if cli_json::detect(value) {
        (
            Format::AwsCli,
            cli_json::import(value, path, &catalog, &mut w),
        )
    } else {
        return Err(ImportError::input(
            path,
            "not a CloudFormation/SAM/CDK template (no Resources), an AWS CLI distribution config (no DistributionConfig) or `terraform show -json` output (no values.root_module)",
        ));
    };
    for id in options.origins.keys() {
        if !dist.origins.iter().any(|o| &o.id == id) {
            let ids: Vec<&str> = dist.origins.iter().map(|o| o.id.as_str()).collect();
            return Err(ImportError::input(
                path,
                format!(
                    "--origin {id}=…: the distribution has no origin {id:?} (its origins: {})",
                    ids.join(", ")
                ),
            ));
        }
    }
    let base_dir = emit::absolute(&options.base_dir);
    let code_dir = emit::absolute(&options.code_dir);
    let emitted = emit::emit(
        &dist,
        &emit::EmitOptions {
            base_dir: &base_dir,
            code_dir: &code_dir,
            origins: &options.origins,
        },
        &mut w,
    );
    Ok(Imported {
        format,
        source: path.to_owned(),
        distribution: dist,
        toml: emitted.toml,
        files: emitted.files,
        warnings: w.0,
        unmapped_origins: emitted.unmapped,
    })
}

/// In a `cdk.out` directory: the one `*.template.json` with a distribution.
fn pick_template(dir: &Path, options: &ImportOptions) -> Result<PathBuf, ImportError> {
    let mut candidates = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|source| ImportError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    for p in names {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.ends_with(".template.json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        if text.contains("\"AWS::CloudFront::Distribution\"") {
            candidates.push(p);
        }
    }
    match candidates.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(ImportError::input(dir, "no *.template.json here defines an AWS::CloudFront::Distribution (run `cdk synth` first?)")),
        several => {
            if let Some(want) = &options.distribution {
                // --distribution may name the stack's template.
                if let Some(p) = several.iter().find(|p| p.to_string_lossy().contains(want.as_str())) {
                    return Ok(p.clone());
                }
            }
            let list: Vec<String> = several.iter().map(|p| p.display().to_string()).collect();
            Err(ImportError::input(dir, format!("several templates define a distribution; pass one of: {}", list.join(", "))))
        }
    }
}
