//! Node.js handlers: a pool of warm `node` workers per function (engines.md §5, §8.2).
//!
//! Each worker is one Lambda execution environment: it serves one invocation at a time and
//! keeps its module state between invocations. The pool size is the function's concurrency;
//! further invocations wait for a free worker. A worker that times out is killed, one that
//! crashes is dropped, and both are replaced on the next invocation that needs one.

mod worker;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::sync::Semaphore;

use crate::error::LambdaError;
use crate::logs::LogSink;
use crate::runtime::HandlerTarget;
use worker::Worker;

/// How to start a worker for one function.
#[derive(Debug)]
pub(crate) struct NodeSpec {
    /// The `node` program (found on `PATH`).
    pub(crate) program: String,
    /// The handler setting, for messages.
    pub(crate) handler: String,
    /// The directory of the handler file (`LAMBDA_TASK_ROOT`, the worker's cwd).
    pub(crate) task_root: PathBuf,
    /// The whole environment of the worker.
    pub(crate) env: Vec<(String, String)>,
}

impl NodeSpec {
    pub(crate) fn new(
        target: &HandlerTarget,
        handler: &str,
        major: u32,
        reserved_env: Vec<(String, String)>,
        function_arn: &str,
    ) -> NodeSpec {
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
        NodeSpec {
            program: "node".to_owned(),
            handler: handler.to_owned(),
            task_root,
            env,
        }
    }
}

/// The warm workers of one function.
#[derive(Debug)]
pub(crate) struct NodePool {
    spec: NodeSpec,
    idle: Mutex<Vec<Worker>>,
    permits: Semaphore,
    next_id: AtomicU64,
}

impl NodePool {
    /// Starts the first worker (so that a bad handler is reported now) and returns the pool and
    /// the worker's Node.js version.
    pub(crate) async fn start(
        spec: NodeSpec,
        pool_size: usize,
    ) -> Result<(NodePool, String), LambdaError> {
        let first = Worker::spawn(&spec).await?;
        let version = first.node_version.clone();
        let pool = NodePool {
            spec,
            idle: Mutex::new(vec![first]),
            permits: Semaphore::new(pool_size.max(1)),
            next_id: AtomicU64::new(1),
        };
        Ok((pool, version))
    }

    /// Runs one invocation on a free worker, starting one if none is idle.
    pub(crate) async fn invoke(
        &self,
        request_id: &str,
        event: &Value,
        timeout: Duration,
        logs: &mut LogSink,
    ) -> Result<Option<Value>, LambdaError> {
        let Ok(_permit) = self.permits.acquire().await else {
            return Err(LambdaError::Crash {
                message: "the worker pool is closed".to_owned(),
            });
        };
        let mut worker = match self.take_idle() {
            Some(worker) => worker,
            None => Worker::spawn(&self.spec).await?,
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let deadline_ms = (SystemTime::now() + timeout)
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        // If this future is dropped mid-invocation the worker is dropped with it and
        // `kill_on_drop` stops the process: no half-used worker returns to the pool.
        let run = worker
            .invoke(id, request_id, event, timeout, deadline_ms, logs)
            .await;
        if run.reusable && worker.is_alive() {
            if let Ok(mut idle) = self.idle.lock() {
                idle.push(worker);
            }
        }
        run.outcome
    }

    fn take_idle(&self) -> Option<Worker> {
        let mut idle = self.idle.lock().ok()?;
        while let Some(mut worker) = idle.pop() {
            if worker.is_alive() {
                return Some(worker);
            }
        }
        None
    }
}
