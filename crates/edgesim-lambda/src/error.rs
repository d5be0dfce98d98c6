//! `LambdaError`: the one error type of this crate, for everything that keeps a Lambda@Edge
//! handler from producing a result.

use std::time::Duration;

use edgesim_model::EdgeFailure;

/// Why a Lambda@Edge function could not start or did not return a result.
///
/// [`LambdaError::edge_failure`] says what CloudFront shows the viewer for each case
/// (lambda-edge.md §6).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LambdaError {
    /// The handler threw, rejected, called back with an error or raised: Lambda's
    /// `errorType` / `errorMessage` / stack trace.
    #[error("{error_type}: {error_message}")]
    Handler {
        /// e.g. `TypeError`, `KeyError`, `Runtime.MarshalError`.
        error_type: String,
        /// The exception's message.
        error_message: String,
        /// The stack trace or Python traceback, one line per entry.
        stack: Vec<String>,
    },

    /// The handler ran past the function timeout; the worker was stopped.
    #[error("Task timed out after {:.2} seconds", timeout.as_secs_f64())]
    Timeout {
        /// The configured timeout.
        timeout: Duration,
    },

    /// The runtime died during the invocation (process exit, signal, `sys.exit`); the worker
    /// is replaced and only this invocation fails.
    #[error("Runtime exited: {message}")]
    Crash {
        /// What is known about the exit (status, last stderr lines).
        message: String,
    },

    /// More invocations in flight than the configured concurrency (Lambda throttling).
    #[error("Rate Exceeded: more than {limit} concurrent invocations of the function")]
    LimitExceeded {
        /// The concurrency limit.
        limit: usize,
    },

    /// The handler setting does not lead to a callable: missing file, missing export, a module
    /// that fails to load (syntax or import error).
    #[error("bad handler `{handler}`: {reason}")]
    BadHandler {
        /// The handler setting, e.g. `index.handler`.
        handler: String,
        /// What is wrong, e.g. `Runtime.HandlerNotFound: index.handler is undefined or not exported`.
        reason: String,
    },

    /// The runtime name is not a Lambda@Edge runtime (`nodejs*.x`, `python3.*`).
    #[error("unsupported runtime `{0}`: Lambda@Edge runs nodejs<N>.x and python3.<N>")]
    UnknownRuntime(String),

    /// The runtime program could not be started (e.g. `node` not on `PATH`).
    #[error("cannot start `{program}`: {reason}")]
    Spawn {
        /// The program, e.g. `node`.
        program: String,
        /// The operating system's reason.
        reason: String,
    },
}

impl LambdaError {
    /// What CloudFront answers the viewer when an invocation fails this way: 503
    /// `LambdaLimitExceeded` for throttling, 503 `LambdaExecutionError` for everything else
    /// (timeouts included, lambda-edge.md §13 #3).
    pub fn edge_failure(&self) -> EdgeFailure {
        match self {
            LambdaError::LimitExceeded { .. } => EdgeFailure::LambdaLimitExceeded,
            _ => EdgeFailure::LambdaExecution,
        }
    }

    /// Lambda's `errorType` for this failure, as in the invoke response of the Lambda API.
    pub fn error_type(&self) -> &str {
        match self {
            LambdaError::Handler { error_type, .. } => error_type,
            LambdaError::Timeout { .. } => "Sandbox.Timedout",
            LambdaError::Crash { .. } => "Runtime.ExitError",
            LambdaError::LimitExceeded { .. } => "TooManyRequestsException",
            LambdaError::BadHandler { .. } => "Runtime.HandlerNotFound",
            LambdaError::UnknownRuntime(_) => "InvalidRuntimeException",
            LambdaError::Spawn { .. } => "Runtime.Unknown",
        }
    }

    /// The error as Lambda's JSON error payload: `errorType`, `errorMessage` and, for handler
    /// errors, `stackTrace`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        object.insert("errorType".into(), self.error_type().into());
        let message = match self {
            LambdaError::Handler { error_message, .. } => error_message.clone(),
            other => other.to_string(),
        };
        object.insert("errorMessage".into(), message.into());
        if let LambdaError::Handler { stack, .. } = self {
            object.insert(
                "stackTrace".into(),
                stack.iter().cloned().map(serde_json::Value::from).collect(),
            );
        }
        serde_json::Value::Object(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_is_a_limit_exceeded_page_and_the_rest_an_execution_error() {
        assert_eq!(
            LambdaError::LimitExceeded { limit: 2 }.edge_failure(),
            EdgeFailure::LambdaLimitExceeded
        );
        let timeout = LambdaError::Timeout {
            timeout: Duration::from_secs(5),
        };
        assert_eq!(timeout.edge_failure(), EdgeFailure::LambdaExecution);
        assert_eq!(timeout.to_string(), "Task timed out after 5.00 seconds");
    }

    #[test]
    fn a_handler_error_serialises_like_lambdas_error_payload() {
        let error = LambdaError::Handler {
            error_type: "TypeError".into(),
            error_message: "x is undefined".into(),
            stack: vec!["TypeError: x is undefined".into(), "    at handler".into()],
        };
        assert_eq!(
            error.to_json(),
            serde_json::json!({
                "errorType": "TypeError",
                "errorMessage": "x is undefined",
                "stackTrace": ["TypeError: x is undefined", "    at handler"]
            })
        );
    }
}
