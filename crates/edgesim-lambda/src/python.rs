//! Python handlers: `python3` running `python/worker.py`, one process per execution
//! environment, in the function's [`Pool`](crate::pool::Pool), exactly like Node.js.
//!
//! Out of process because nothing a handler does may reach `serve`: `os._exit`, closing file
//! descriptors, `signal.signal`, C code that ignores a raised `TimeoutError`, or a leak all
//! stay inside the worker, which is killed and replaced (an embedded interpreter shared all of
//! that with the server). The round trip costs about as much as the embedded interpreter did
//! (docs/PERFORMANCE.md, "Lambda@Edge: one invocation").
//!
//! Memory: an `RLIMIT_AS` of the function's memory size plus [`PYTHON_ADDRESS_SLACK`] (the
//! interpreter maps ~18 MB before any handler code runs), so an allocation past it raises
//! `MemoryError`, which ends the environment; the worker's memory check bounds the resident set.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::limits::PYTHON_ADDRESS_SLACK;
use crate::runtime::HandlerTarget;
use crate::worker::WorkerSpec;

/// The worker script, run with `python3 -c`.
const WORKER_PY: &str = include_str!("python/worker.py");

/// How to start a Python worker for one function.
pub(crate) fn spec(
    target: &HandlerTarget,
    handler: &str,
    reserved_env: Vec<(String, String)>,
    function_arn: &str,
    memory_mb: u32,
) -> WorkerSpec {
    let task_root = target
        .file
        .parent()
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let mut env = reserved_env;
    if let Some(path) = std::env::var_os("PATH") {
        env.push(("PATH".into(), path.to_string_lossy().into_owned()));
    }
    // pyenv's shim needs to know where its versions live the first time.
    for key in ["HOME", "PYENV_ROOT", "PYENV_VERSION"] {
        if let Some(value) = std::env::var_os(key) {
            env.push((key.into(), value.to_string_lossy().into_owned()));
        }
    }
    env.push(("LAMBDA_TASK_ROOT".into(), task_root.display().to_string()));
    env.push(("PYTHONIOENCODING".into(), "utf-8".into()));
    // Handlers are always compiled from their source: a `.pyc` is trusted by the source's
    // mtime (whole seconds) and size, so an edit within the same second that keeps the size
    // (`'1'` → `'2'`) would otherwise run the old code after a hot reload. Nothing is written,
    // and no `__pycache__` in the source tree is read (the prefix directory does not exist).
    env.push(("PYTHONDONTWRITEBYTECODE".into(), "1".into()));
    env.push((
        "PYTHONPYCACHEPREFIX".into(),
        std::env::temp_dir()
            .join("edgesim-no-pycache")
            .display()
            .to_string(),
    ));
    env.push((
        "EDGESIM_HANDLER_FILE".into(),
        target.file.display().to_string(),
    ));
    env.push(("EDGESIM_HANDLER_EXPORT".into(), target.export.clone()));
    env.push(("EDGESIM_FUNCTION_ARN".into(), function_arn.to_owned()));
    WorkerSpec {
        program: Mutex::new("python3".to_owned()),
        args: vec!["-c".to_owned(), WORKER_PY.to_owned()],
        env,
        task_root,
        handler: handler.to_owned(),
        memory_mb,
        address_space: Some((u64::from(memory_mb) + PYTHON_ADDRESS_SLACK) * 1024 * 1024),
    }
}
