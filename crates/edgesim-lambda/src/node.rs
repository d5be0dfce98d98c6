//! Node.js handlers: `node` running `node/worker.js`, one process per execution environment
//! (engines.md §5, §8.2), in the function's [`Pool`](crate::pool::Pool).
//!
//! The V8 heap is capped at the function's memory size (`--max-old-space-size`); the whole
//! process is held to it by the worker's memory check (an `RLIMIT_AS` does not fit V8, which
//! reserves gigabytes of address space at start).

use std::path::PathBuf;
use std::sync::Mutex;

use crate::runtime::HandlerTarget;
use crate::worker::WorkerSpec;

/// The worker script, run with `node -e`.
const WORKER_JS: &str = include_str!("node/worker.js");

/// How to start a Node.js worker for one function.
pub(crate) fn spec(
    target: &HandlerTarget,
    handler: &str,
    major: u32,
    reserved_env: Vec<(String, String)>,
    function_arn: &str,
    memory_mb: u32,
) -> WorkerSpec {
    let task_root = target
        .file
        .parent()
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let mut env = reserved_env;
    // Lambda's PATH is its own; the local one is kept so that `node` finds its helpers.
    if let Some(path) = std::env::var_os("PATH") {
        env.push(("PATH".into(), path.to_string_lossy().into_owned()));
    }
    env.push(("LAMBDA_TASK_ROOT".into(), task_root.display().to_string()));
    env.push((
        "EDGESIM_HANDLER_FILE".into(),
        target.file.display().to_string(),
    ));
    env.push(("EDGESIM_HANDLER_EXPORT".into(), target.export.clone()));
    env.push(("EDGESIM_RUNTIME_MAJOR".into(), major.to_string()));
    env.push(("EDGESIM_FUNCTION_ARN".into(), function_arn.to_owned()));
    WorkerSpec {
        program: Mutex::new("node".to_owned()),
        args: vec![
            format!("--max-old-space-size={}", memory_mb.max(16)),
            "-e".to_owned(),
            WORKER_JS.to_owned(),
        ],
        env,
        task_root,
        handler: handler.to_owned(),
        memory_mb,
        address_space: None,
    }
}
