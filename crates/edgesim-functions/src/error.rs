//! The crate's one error type.

use std::path::PathBuf;

use crate::kvs::KvsError;

/// Everything that can go wrong loading or running a CloudFront Function.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FunctionError {
    /// The code is over the 10 KB quota (`FunctionSizeLimitExceeded` at the API).
    #[error("function code is {size} bytes; CloudFront Functions allow at most {limit} bytes (FunctionSizeLimitExceeded)")]
    CodeTooLarge { size: usize, limit: usize },
    /// The code does not compile for its runtime; the text is CloudFront's, e.g.
    /// `SyntaxError: Token "const" not supported in this version in 3`.
    #[error("{0}")]
    Compile(String),
    /// The function threw, rejected, or was stopped; the text is in CloudFront's style.
    #[error("{0}")]
    Execution(String),
    /// A KeyValueStore file could not be loaded.
    #[error(transparent)]
    Kvs(#[from] KvsError),
    /// A function source file could not be read.
    #[error("{path}: cannot read function code: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// edgesim itself failed (the prelude did not load, …): a bug, not the function's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

impl FunctionError {
    /// Whether CloudFront would count this as a failed run (503 `FunctionExecutionError`).
    pub fn is_execution_error(&self) -> bool {
        matches!(
            self,
            FunctionError::Compile(_) | FunctionError::Execution(_)
        )
    }
}
