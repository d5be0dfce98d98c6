//! One `node` process running `worker.js`: a warm Lambda execution environment that serves one
//! invocation at a time over NDJSON (engines.md §5).

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::mpsc;

use super::NodeSpec;
use crate::error::LambdaError;
use crate::limits::{LOG_DRAIN_GRACE, WORKER_START_TIMEOUT};
use crate::logs::LogSink;

/// The worker script, run with `node -e`.
const WORKER_JS: &str = include_str!("worker.js");

/// One line the worker wrote on stderr.
#[derive(Debug)]
enum StderrLine {
    /// A `console.*` call.
    Log {
        ts: Option<String>,
        level: String,
        msg: String,
    },
    /// The end-of-logs marker of an invocation.
    End { id: u64 },
    /// Anything else (a raw `process.stderr.write`, a warning from Node itself).
    Raw(String),
}

impl StderrLine {
    fn parse(line: String) -> StderrLine {
        if line.starts_with("{\"t\":") {
            if let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(&line) {
                let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
                match obj.get("t").and_then(Value::as_str) {
                    Some("log") => {
                        return StderrLine::Log {
                            ts: text("ts"),
                            level: text("level").unwrap_or_else(|| "INFO".to_owned()),
                            msg: text("msg").unwrap_or_default(),
                        }
                    }
                    Some("end") => {
                        if let Some(id) = obj.get("id").and_then(Value::as_u64) {
                            return StderrLine::End { id };
                        }
                    }
                    _ => {}
                }
            }
        }
        StderrLine::Raw(line)
    }

    fn record(self, sink: &mut LogSink) {
        match self {
            StderrLine::Log { ts, level, msg } => sink.push(ts.as_deref(), &level, &msg),
            StderrLine::Raw(line) => sink.push(None, "INFO", &line),
            StderrLine::End { .. } => {}
        }
    }
}

/// A started worker with its handler loaded.
#[derive(Debug)]
pub(crate) struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: mpsc::UnboundedReceiver<StderrLine>,
    /// `process.versions.node` of the worker.
    pub(crate) node_version: String,
}

/// How an invocation on a worker ended.
pub(crate) struct WorkerRun {
    pub(crate) outcome: Result<Option<Value>, LambdaError>,
    /// Whether the worker can serve another invocation.
    pub(crate) reusable: bool,
}

impl Worker {
    /// Starts `node`, loads the handler and waits for the worker's `ready` line.
    pub(crate) async fn spawn(spec: &NodeSpec) -> Result<Worker, LambdaError> {
        let mut command = Command::new(&spec.program);
        command
            .arg("-e")
            .arg(WORKER_JS)
            .env_clear()
            .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(&spec.task_root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| LambdaError::Spawn {
            program: spec.program.clone(),
            reason: e.to_string(),
        })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(LambdaError::Spawn {
                program: spec.program.clone(),
                reason: "the child's standard streams are not piped".to_owned(),
            });
        };
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if tx.send(StderrLine::parse(line)).is_err() {
                    break;
                }
            }
        });
        let mut worker = Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout).lines(),
            stderr: rx,
            node_version: String::new(),
        };
        let first = tokio::time::timeout(WORKER_START_TIMEOUT, worker.stdout.next_line()).await;
        let bad = |reason: String| LambdaError::BadHandler {
            handler: spec.handler.clone(),
            reason,
        };
        match first {
            Err(_) => Err(bad(format!(
                "the handler did not load within {} s",
                WORKER_START_TIMEOUT.as_secs()
            ))),
            Ok(Ok(Some(line))) => {
                let message: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                match message.get("t").and_then(Value::as_str) {
                    Some("ready") => {
                        worker.node_version = message
                            .get("node")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        Ok(worker)
                    }
                    Some("fatal") => {
                        let (error_type, error_message, stack) =
                            error_fields(message.get("error").unwrap_or(&Value::Null));
                        let mut reason = format!("{error_type}: {error_message}");
                        for line in stack.iter().take(8) {
                            reason.push_str("\n    ");
                            reason.push_str(line.trim_start());
                        }
                        Err(bad(reason))
                    }
                    _ => Err(bad(format!("unexpected worker output: {line}"))),
                }
            }
            Ok(_) => {
                let status = worker.child.wait().await.ok();
                let stderr = worker.drain_raw().await;
                Err(LambdaError::Spawn {
                    program: spec.program.clone(),
                    reason: format!(
                        "the worker exited before loading the handler ({}){}",
                        status.map_or_else(|| "unknown status".to_owned(), |s| s.to_string()),
                        if stderr.is_empty() {
                            String::new()
                        } else {
                            format!(": {stderr}")
                        }
                    ),
                })
            }
        }
    }

    /// Runs one invocation. `deadline_ms` is the Unix time in ms `getRemainingTimeInMillis`
    /// counts down to; `timeout` is enforced here by killing the worker.
    pub(crate) async fn invoke(
        &mut self,
        id: u64,
        request_id: &str,
        event: &Value,
        timeout: Duration,
        deadline_ms: u128,
        logs: &mut LogSink,
    ) -> WorkerRun {
        // Lines left over from between invocations (timers firing late) go to this one.
        while let Ok(line) = self.stderr.try_recv() {
            line.record(logs);
        }
        let message = format!(
            "{{\"t\":\"invoke\",\"id\":{id},\"requestId\":{},\"deadlineMs\":{deadline_ms},\"event\":{}}}\n",
            Value::from(request_id),
            event
        );
        let start = Instant::now();
        if let Err(e) = self.stdin.write_all(message.as_bytes()).await {
            return self
                .crashed(format!("cannot write to the worker: {e}"), logs)
                .await;
        }
        let _ = self.stdin.flush().await;

        let deadline = tokio::time::Instant::from_std(start + timeout);
        let mut end_seen = false;
        loop {
            tokio::select! {
                biased;
                line = self.stdout.next_line() => match line {
                    Ok(Some(line)) => {
                        let Ok(message) = serde_json::from_str::<Value>(&line) else { continue };
                        if message.get("t").and_then(Value::as_str) != Some("result")
                            || message.get("id").and_then(Value::as_u64) != Some(id)
                        {
                            continue;
                        }
                        if !end_seen {
                            self.drain_logs(id, logs).await;
                        }
                        let exiting = message.get("exiting").and_then(Value::as_bool) == Some(true);
                        return WorkerRun { outcome: result_outcome(message), reusable: !exiting };
                    }
                    Ok(None) | Err(_) => {
                        let status = self.child.wait().await.ok();
                        let status = status.map_or_else(|| "unknown status".to_owned(), |s| s.to_string());
                        return self.crashed(format!("Error: Runtime exited with error: {status}"), logs).await;
                    }
                },
                Some(line) = self.stderr.recv() => match line {
                    StderrLine::End { id: end } if end == id => end_seen = true,
                    line => line.record(logs),
                },
                _ = tokio::time::sleep_until(deadline) => {
                    let _ = self.child.start_kill();
                    while let Ok(line) = self.stderr.try_recv() {
                        line.record(logs);
                    }
                    return WorkerRun {
                        outcome: Err(LambdaError::Timeout { timeout }),
                        reusable: false,
                    };
                }
            }
        }
    }

    /// Collects stderr until the invocation's end marker (or a short grace period).
    async fn drain_logs(&mut self, id: u64, logs: &mut LogSink) {
        let grace = tokio::time::sleep(LOG_DRAIN_GRACE);
        tokio::pin!(grace);
        loop {
            tokio::select! {
                line = self.stderr.recv() => match line {
                    Some(StderrLine::End { id: end }) if end == id => return,
                    Some(line) => line.record(logs),
                    None => return,
                },
                _ = &mut grace => return,
            }
        }
    }

    async fn crashed(&mut self, message: String, logs: &mut LogSink) -> WorkerRun {
        let _ = self.child.start_kill();
        let grace = tokio::time::sleep(LOG_DRAIN_GRACE);
        tokio::pin!(grace);
        loop {
            tokio::select! {
                line = self.stderr.recv() => match line {
                    Some(line) => line.record(logs),
                    None => break,
                },
                _ = &mut grace => break,
            }
        }
        WorkerRun {
            outcome: Err(LambdaError::Crash { message }),
            reusable: false,
        }
    }

    /// What a dead worker left on stderr, as one text.
    async fn drain_raw(&mut self) -> String {
        let mut text = Vec::new();
        let grace = tokio::time::sleep(LOG_DRAIN_GRACE);
        tokio::pin!(grace);
        loop {
            tokio::select! {
                line = self.stderr.recv() => match line {
                    Some(StderrLine::Raw(line)) => text.push(line),
                    Some(StderrLine::Log { msg, .. }) => text.push(msg),
                    Some(StderrLine::End { .. }) => {}
                    None => break,
                },
                _ = &mut grace => break,
            }
        }
        text.join("\n")
    }

    /// Whether the process is still running.
    pub(crate) fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

fn result_outcome(message: Value) -> Result<Option<Value>, LambdaError> {
    let Value::Object(mut object) = message else {
        return Ok(None);
    };
    if let Some(error) = object.get("error") {
        let (error_type, error_message, stack) = error_fields(error);
        return Err(LambdaError::Handler {
            error_type,
            error_message,
            stack,
        });
    }
    Ok(object.remove("ok"))
}

fn error_fields(error: &Value) -> (String, String, Vec<String>) {
    let text = |key: &str| {
        error
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let stack = error
        .get("trace")
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    (text("errorType"), text("errorMessage"), stack)
}
