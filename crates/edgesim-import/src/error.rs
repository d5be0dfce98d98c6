//! The crate's one error type.

use std::path::{Path, PathBuf};

/// Why a source cannot be imported: the file, and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("{}: {message}", path.display())]
    Input { path: PathBuf, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The generated config does not load (a bug in the importer, or a bad `--origin`).
    #[error(transparent)]
    Config(#[from] edgesim_proxy::ProxyError),
}

impl ImportError {
    pub fn input(path: &Path, message: impl Into<String>) -> ImportError {
        ImportError::Input {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}
