//! The execution environments of one function: a pool of [`Worker`] processes that grows on
//! demand, as Lambda starts a new environment when every warm one is busy.
//!
//! - Each invocation has its own deadline, taken when it arrives: time spent waiting for a
//!   free worker (only when [`LambdaOptions::pool_size`](crate::LambdaOptions) workers are
//!   all busy) or for a cold start counts against it, so no invocation ever waits for another
//!   one's timeout before getting its own answer.
//! - A worker that timed out, crashed or grew past the memory size is killed and dropped; a
//!   replacement starts in the background so that the next invocation finds a warm one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::error::LambdaError;
use crate::logs::LogSink;
use crate::worker::{Worker, WorkerSpec};

/// The workers of one function.
#[derive(Debug)]
pub(crate) struct Pool {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    spec: WorkerSpec,
    idle: Mutex<Vec<Worker>>,
    /// One permit per worker that may exist at once.
    slots: Semaphore,
    max_workers: usize,
    next_id: AtomicU64,
}

impl Pool {
    /// Starts the first worker (so that a bad handler is reported now) and returns the pool and
    /// the runtime's version.
    pub(crate) async fn start(
        spec: WorkerSpec,
        max_workers: usize,
    ) -> Result<(Pool, String), LambdaError> {
        let first = Worker::spawn(&spec).await?;
        let version = first.version.clone();
        let max_workers = max_workers.max(1);
        let inner = Inner {
            spec,
            idle: Mutex::new(vec![first]),
            slots: Semaphore::new(max_workers),
            max_workers,
            next_id: AtomicU64::new(1),
        };
        Ok((
            Pool {
                inner: Arc::new(inner),
            },
            version,
        ))
    }

    /// Runs one invocation on a free worker, starting one if none is idle; `timeout` counts
    /// from now. Returns the outcome and the handler's own time when the worker reported it.
    pub(crate) async fn invoke(
        &self,
        request_id: &str,
        event: &Value,
        timeout: Duration,
        logs: &mut LogSink,
    ) -> (Result<Option<Value>, LambdaError>, Option<Duration>) {
        let inner = &self.inner;
        let deadline = Instant::now() + timeout;
        let timed_out = || LambdaError::Timeout { timeout };
        let _slot = match tokio::time::timeout_at(deadline, inner.slots.acquire()).await {
            Err(_) => return (Err(timed_out()), None),
            Ok(Err(_)) => {
                let closed = LambdaError::Crash {
                    message: "the worker pool is closed".to_owned(),
                };
                return (Err(closed), None);
            }
            Ok(Ok(slot)) => slot,
        };
        let mut worker = match inner.take_idle() {
            Some(worker) => worker,
            None => match tokio::time::timeout_at(deadline, Worker::spawn(&inner.spec)).await {
                Err(_) => return (Err(timed_out()), None),
                Ok(Err(e)) => return (Err(e), None),
                Ok(Ok(worker)) => worker,
            },
        };
        let id = inner.next_id.fetch_add(1, Ordering::Relaxed);
        let left = deadline.saturating_duration_since(Instant::now());
        let deadline_ms = (SystemTime::now() + left)
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        // If this future is dropped mid-invocation the worker is dropped with it and
        // `kill_on_drop` stops the process: no half-used worker returns to the pool.
        let run = worker
            .invoke(
                id,
                request_id,
                event,
                timeout,
                deadline,
                deadline_ms,
                inner.spec.memory_mb,
                logs,
            )
            .await;
        if run.reusable && worker.is_alive() {
            inner.put_idle(worker);
        } else {
            drop(worker);
            Inner::replace(&self.inner);
        }
        (run.outcome, run.handler_time)
    }
}

impl Inner {
    fn take_idle(&self) -> Option<Worker> {
        let mut idle = self.idle.lock().ok()?;
        while let Some(mut worker) = idle.pop() {
            if worker.is_alive() {
                return Some(worker);
            }
        }
        None
    }

    fn put_idle(&self, worker: Worker) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < self.max_workers {
                idle.push(worker);
            }
        }
    }

    /// Starts a worker in the background when none is idle, so that the invocation after a
    /// killed one does not pay a cold start.
    fn replace(inner: &Arc<Inner>) {
        let empty = inner
            .idle
            .lock()
            .map(|idle| idle.is_empty())
            .unwrap_or(false);
        if !empty {
            return;
        }
        let inner = Arc::clone(inner);
        tokio::spawn(async move {
            if let Ok(worker) = Worker::spawn(&inner.spec).await {
                inner.put_idle(worker);
            }
        });
    }
}
