//! The crate's one error type: everything that stops a distribution from starting.
//!
//! Failures while serving a request are not errors of this kind: they become CloudFront's
//! error responses through [`edgesim_model::EdgeFailure`], the one place that picks a status.

use std::path::PathBuf;

use edgesim_functions::{FunctionError, KvsError};

/// Why `edgesim serve` cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The config file is not valid TOML, has an unknown field, or refers to something that
    /// does not exist. The message names the file, the line when known, and the field.
    #[error("{}: {message}", path.display())]
    Config { path: PathBuf, message: String },
    /// A file named by the config could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A function does not compile (CloudFront's own message) or cannot be read. A syntax
    /// error is shown as `file:line: message`, the line taken from CloudFront's ` in <line>`.
    #[error("{}", function_error(path, source))]
    Function {
        path: PathBuf,
        source: FunctionError,
    },
    /// A KeyValueStore file is not a valid import file.
    #[error(transparent)]
    Kvs(#[from] KvsError),
    /// `edgesim bench` input (an event or request file) that cannot be used; the message names
    /// the file, the line or field, and what was expected.
    #[error("{0}")]
    BenchInput(String),
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    /// A TLS certificate or key (`--https`, `--cert/--key`, an origin's `ca_file`) cannot be
    /// used.
    #[error("{}: {message}", path.display())]
    Tls { path: PathBuf, message: String },
}

/// `path: message`, or `path:line: message` when the message ends with njs's ` in <line>`.
fn function_error(path: &std::path::Path, source: &FunctionError) -> String {
    let message = source.to_string();
    let line = matches!(source, FunctionError::Compile(_))
        .then(|| message.rsplit_once(" in ").map(|(_, n)| n))
        .flatten()
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    match line {
        Some(line) => format!("{}:{line}: {message}", path.display()),
        None => format!("{}: {message}", path.display()),
    }
}
