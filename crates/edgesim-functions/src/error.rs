//! The crate's one error type.

use std::path::PathBuf;

use edgesim_model::EdgeFailure;

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
    /// Refused without running: an earlier run of this function is still going long past the
    /// hard time limit, so it is stuck in something the engine cannot interrupt (a regular
    /// expression that backtracks without end). CloudFront answers 503
    /// `FunctionThrottledError` for a function that keeps exceeding its budget.
    #[error("FunctionThrottledError: an earlier run of this function has been running for {running_for_ms} ms and cannot be stopped (for example a regular expression that backtracks without end); this run was refused")]
    Throttled { running_for_ms: u128 },
    /// Refused without running: the function kept exceeding its compute budget (predicted
    /// `ComputeUtilization`, throttle.rs), so CloudFront throttles it: 503
    /// `FunctionThrottledError`, statistically, as CloudFront documents.
    #[error("FunctionThrottledError: this function kept exceeding its compute budget (ComputeUtilization {over}+ in {share_pct}% or more of its recent runs) and is throttled for another {remaining_ms} ms")]
    OverBudget {
        over: u8,
        share_pct: u32,
        remaining_ms: u128,
    },
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

    /// What CloudFront answers the viewer when a run fails this way: 503
    /// `FunctionExecutionError` for a failed run, 503 `FunctionThrottledError` for a refused
    /// one; anything else could not even start, which is edgesim's fault (500).
    pub fn edge_failure(&self) -> EdgeFailure {
        match self {
            FunctionError::Throttled { .. } | FunctionError::OverBudget { .. } => {
                EdgeFailure::FunctionThrottled
            }
            e if e.is_execution_error() => EdgeFailure::FunctionExecution,
            _ => EdgeFailure::Internal,
        }
    }
}

/// Engine errors (loop/recursion limits) cannot be caught by JS and leave the context suspect.
pub(crate) fn is_engine_error(err: &boa_engine::JsError, ctx: &mut boa_engine::Context) -> bool {
    matches!(
        err.try_native(ctx),
        Err(boa_engine::error::TryNativeError::EngineError { .. })
    )
}
