//! One worker process (`node` running `worker.js`, `python3` running `worker.py`): a warm
//! Lambda execution environment that serves one invocation at a time (engines.md §5).
//!
//! Both runtimes speak the same protocol, one JSON object per line:
//! - stdin ← `{"t":"invoke","id":N,"requestId":"…","deadlineMs":N,"event":{…}}`
//! - stdout → `{"t":"ready","version":"20.1.0","executable":"/usr/bin/node"}` once the handler
//!   is loaded, or `{"t":"fatal","error":{errorType,errorMessage,trace}}` and exit;
//! - stdout → `{"t":"log","ts":"…","level":"INFO","msg":"…"}` for each log line of the handler
//!   (`console.*`, `print`, writes to `process.stdout` / `sys.stderr`…), in order, then
//!   `{"t":"result","id":N,"ok":…}` | `{"t":"result","id":N}` (no payload) |
//!   `{"t":"result","id":N,"error":{…}}`, with `"exiting":true` when the worker ends after it;
//!   `"ns"` in a result is the handler's own time, measured in the worker.
//!
//! Logs and results share one ordered stream, so an invocation ends with its result line: no
//! end marker to wait for on a second stream. Whatever still reaches the real stderr (the
//! runtime's own messages, native writes) is read on the side and attached to the invocation
//! that is running.
//!
//! The worker is killed (SIGKILL) at the invocation's deadline, when its resident memory passes
//! the function's memory size, or when a protocol line passes [`MAX_LINE`]; a killed worker is
//! never reused. It runs in its own process group (Ctrl-C in the terminal reaches `serve`, not
//! the workers, whatever signal handlers user code installs) and dies with the thread that
//! started it (`PR_SET_PDEATHSIG`), so no worker outlives `serve`.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::error::LambdaError;
use crate::limits::{LOG_DRAIN_GRACE, MAX_LINE, MEMORY_POLL, STDERR_BACKLOG, WORKER_START_TIMEOUT};
use crate::logs::LogSink;

/// How to start a worker for one function.
#[derive(Debug)]
pub(crate) struct WorkerSpec {
    /// The program: `node` or `python3` from `PATH` at first, then the executable the first
    /// worker reported (a pyenv shim costs ~70 ms per start).
    pub(crate) program: Mutex<String>,
    /// Arguments (the worker script and runtime flags).
    pub(crate) args: Vec<String>,
    /// The whole environment of the worker.
    pub(crate) env: Vec<(String, String)>,
    /// The directory of the handler file (`LAMBDA_TASK_ROOT`, the worker's cwd).
    pub(crate) task_root: PathBuf,
    /// The handler setting, for messages.
    pub(crate) handler: String,
    /// The function's memory size in MB: a worker whose resident set grows past it is killed,
    /// as Lambda stops an environment that exceeds its memory.
    pub(crate) memory_mb: u32,
    /// `RLIMIT_AS` for the worker, when the runtime tolerates one (Python; V8 reserves
    /// gigabytes of address space up front).
    pub(crate) address_space: Option<u64>,
}

impl WorkerSpec {
    fn program(&self) -> String {
        self.program
            .lock()
            .map(|p| p.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }
}

/// A started worker with its handler loaded.
#[derive(Debug)]
pub(crate) struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: Vec<u8>,
    stderr: mpsc::Receiver<String>,
    /// The runtime's version (`process.versions.node`, `platform.python_version()`).
    pub(crate) version: String,
}

/// How an invocation on a worker ended.
pub(crate) struct WorkerRun {
    pub(crate) outcome: Result<Option<Value>, LambdaError>,
    /// Whether the worker can serve another invocation.
    pub(crate) reusable: bool,
    /// The handler's own time as the worker measured it (`"ns"` in the result line); `None`
    /// when the invocation did not end with a result line (timeout, crash).
    pub(crate) handler_time: Option<Duration>,
}

/// One line read from a worker's stdout.
enum Line {
    Text,
    Eof,
    TooLong,
}

/// Reads one line into `buf` (without the newline), refusing lines over [`MAX_LINE`] so that
/// a handler cannot make edgesim buffer without bound. Cancel-safe: it only appends to `buf`,
/// so a call dropped halfway (another `select!` branch won) is resumed by the next one. The
/// caller clears `buf` once it has used the line.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, buf: &mut Vec<u8>) -> Line {
    loop {
        let available = match reader.fill_buf().await {
            Ok(bytes) => bytes,
            Err(_) => return Line::Eof,
        };
        if available.is_empty() {
            // A last line without its newline still counts.
            return if buf.is_empty() {
                Line::Eof
            } else {
                Line::Text
            };
        }
        let (used, done) = match available.iter().position(|b| *b == b'\n') {
            Some(at) => {
                buf.extend_from_slice(&available[..at]);
                (at + 1, true)
            }
            None => {
                buf.extend_from_slice(available);
                (available.len(), false)
            }
        };
        reader.consume(used);
        if buf.len() > MAX_LINE {
            return Line::TooLong;
        }
        if done {
            return Line::Text;
        }
    }
}

/// The resident set of a process in bytes (`/proc/<pid>/statm`), when known.
fn resident_bytes(pid: u32) -> Option<u64> {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).unwrap_or(4096))
}

impl Worker {
    /// Starts the worker, loads the handler and waits for the `ready` line.
    pub(crate) async fn spawn(spec: &WorkerSpec) -> Result<Worker, LambdaError> {
        let program = spec.program();
        let mut command = Command::new(&program);
        command
            .args(&spec.args)
            .env_clear()
            .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(&spec.task_root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let address_space = spec.address_space;
        // SAFETY: the closure runs in the forked child before exec and only makes
        // async-signal-safe system calls.
        unsafe {
            command.pre_exec(move || {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                if libc::getppid() == 1 {
                    // The parent died between fork and prctl.
                    libc::_exit(1);
                }
                if let Some(bytes) = address_space {
                    let limit = libc::rlimit {
                        rlim_cur: bytes,
                        rlim_max: bytes,
                    };
                    libc::setrlimit(libc::RLIMIT_AS, &limit);
                }
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|e| LambdaError::Spawn {
            program: program.clone(),
            reason: e.to_string(),
        })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(LambdaError::Spawn {
                program,
                reason: "the child's standard streams are not piped".to_owned(),
            });
        };
        let (tx, rx) = mpsc::channel(STDERR_BACKLOG);
        tokio::spawn(async move {
            let mut reader = BufReader::new(stderr);
            let mut buf = Vec::new();
            loop {
                match read_line(&mut reader, &mut buf).await {
                    Line::Eof => break,
                    // A full backlog (nobody invoking) drops lines rather than buffering them.
                    Line::Text | Line::TooLong => {
                        let line = String::from_utf8_lossy(&buf).into_owned();
                        buf.clear();
                        if tx.is_closed() {
                            break;
                        }
                        let _ = tx.try_send(line);
                    }
                }
            }
        });
        let mut worker = Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            line: Vec::new(),
            stderr: rx,
            version: String::new(),
        };
        let bad = |reason: String| LambdaError::BadHandler {
            handler: spec.handler.clone(),
            reason,
        };
        let first = tokio::time::timeout(
            WORKER_START_TIMEOUT,
            read_line(&mut worker.stdout, &mut worker.line),
        )
        .await;
        match first {
            Err(_) => Err(bad(format!(
                "the handler did not load within {} s",
                WORKER_START_TIMEOUT.as_secs()
            ))),
            Ok(Line::Text) => {
                let message: Value = serde_json::from_slice(&worker.line).unwrap_or(Value::Null);
                match message.get("t").and_then(Value::as_str) {
                    Some("ready") => {
                        let text = |key: &str| {
                            message
                                .get(key)
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned()
                        };
                        worker.version = text("version");
                        worker.line.clear();
                        let executable = text("executable");
                        if !executable.is_empty() {
                            if let Ok(mut program) = spec.program.lock() {
                                *program = executable;
                            }
                        }
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
                    _ => Err(bad(format!(
                        "unexpected worker output: {}",
                        String::from_utf8_lossy(&worker.line)
                    ))),
                }
            }
            Ok(_) => {
                let status = worker.child.wait().await.ok();
                let stderr = worker.drain_stderr().await.join("\n");
                Err(LambdaError::Spawn {
                    program,
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
    /// counts down to; `deadline` is enforced here by killing the worker.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn invoke(
        &mut self,
        id: u64,
        request_id: &str,
        event: &Value,
        timeout: Duration,
        deadline: Instant,
        deadline_ms: u128,
        memory_mb: u32,
        logs: &mut LogSink,
    ) -> WorkerRun {
        // Lines written between invocations (timers firing late) go to this one, as in Lambda.
        while let Ok(line) = self.stderr.try_recv() {
            logs.push(None, "INFO", &line);
        }
        let mut message = Vec::with_capacity(512);
        message.extend_from_slice(b"{\"t\":\"invoke\",\"id\":");
        message.extend_from_slice(id.to_string().as_bytes());
        message.extend_from_slice(b",\"requestId\":\"");
        message.extend_from_slice(request_id.as_bytes()); // a UUID: nothing to escape
        message.extend_from_slice(b"\",\"deadlineMs\":");
        message.extend_from_slice(deadline_ms.to_string().as_bytes());
        message.extend_from_slice(b",\"event\":");
        if serde_json::to_writer(&mut message, event).is_err() {
            return WorkerRun {
                outcome: Err(LambdaError::Crash {
                    message: "cannot serialise the event".to_owned(),
                }),
                reusable: true,
                handler_time: None,
            };
        }
        message.extend_from_slice(b"}\n");
        if let Err(e) = self.stdin.write_all(&message).await {
            return self
                .crashed(format!("cannot write to the worker: {e}"), logs)
                .await;
        }

        let pid = self.child.id();
        let memory_limit = u64::from(memory_mb) * 1024 * 1024;
        let mut memory_check = tokio::time::interval_at(Instant::now() + MEMORY_POLL, MEMORY_POLL);
        memory_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                line = read_line(&mut self.stdout, &mut self.line) => match line {
                    Line::Text => {
                        let run = self.message(id, logs);
                        self.line.clear();
                        if let Some(run) = run {
                            return run;
                        }
                    }
                    Line::TooLong => {
                        let message = format!(
                            "Function.ResponseSizeTooLarge: the worker wrote a message over {} MB",
                            MAX_LINE / (1024 * 1024)
                        );
                        return self.crashed(message, logs).await;
                    }
                    Line::Eof => {
                        let status = self.child.wait().await.ok();
                        let status = status.map_or_else(|| "unknown status".to_owned(), |s| s.to_string());
                        return self.crashed(format!("Error: Runtime exited with error: {status}"), logs).await;
                    }
                },
                Some(line) = self.stderr.recv() => logs.push(None, "INFO", &line),
                _ = tokio::time::sleep_until(deadline) => {
                    let _ = self.child.start_kill();
                    while let Ok(line) = self.stderr.try_recv() {
                        logs.push(None, "INFO", &line);
                    }
                    return WorkerRun {
                        outcome: Err(LambdaError::Timeout { timeout }),
                        reusable: false,
                        handler_time: None,
                    };
                }
                _ = memory_check.tick() => {
                    let used = pid.and_then(resident_bytes).unwrap_or(0);
                    if used > memory_limit {
                        let message = format!(
                            "Error: Runtime exited with error: signal: killed (the environment used {} MB, more than the function's {memory_mb} MB)",
                            used / (1024 * 1024)
                        );
                        return self.crashed(message, logs).await;
                    }
                }
            }
        }
    }

    /// Handles one protocol line during invocation `id`; `Some` when it was the result.
    fn message(&mut self, id: u64, logs: &mut LogSink) -> Option<WorkerRun> {
        let line = &self.line;
        if line.starts_with(b"{\"t\":\"log\"") {
            if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(line) {
                let text = |key: &str| object.get(key).and_then(Value::as_str);
                logs.push(
                    text("ts"),
                    text("level").unwrap_or("INFO"),
                    text("msg").unwrap_or_default(),
                );
            }
            return None;
        }
        let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(line) else {
            // Not ours (native code writing to the protocol stream): a raw log line.
            logs.push(None, "INFO", &String::from_utf8_lossy(line));
            return None;
        };
        if object.get("t").and_then(Value::as_str) != Some("result")
            || object.get("id").and_then(Value::as_u64) != Some(id)
        {
            return None;
        }
        while let Ok(line) = self.stderr.try_recv() {
            logs.push(None, "INFO", &line);
        }
        let exiting = object.get("exiting").and_then(Value::as_bool) == Some(true);
        let handler_time = object
            .get("ns")
            .and_then(Value::as_u64)
            .map(Duration::from_nanos);
        let outcome = match object.get("error") {
            Some(error) => {
                let (error_type, error_message, stack) = error_fields(error);
                Err(LambdaError::Handler {
                    error_type,
                    error_message,
                    stack,
                })
            }
            None => Ok(object.remove("ok")),
        };
        Some(WorkerRun {
            outcome,
            reusable: !exiting,
            handler_time,
        })
    }

    async fn crashed(&mut self, message: String, logs: &mut LogSink) -> WorkerRun {
        let _ = self.child.start_kill();
        for line in self.drain_stderr().await {
            logs.push(None, "INFO", &line);
        }
        WorkerRun {
            outcome: Err(LambdaError::Crash { message }),
            reusable: false,
            handler_time: None,
        }
    }

    /// What a dying worker still writes on stderr, for a short grace period.
    async fn drain_stderr(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        let grace = tokio::time::sleep(LOG_DRAIN_GRACE);
        tokio::pin!(grace);
        loop {
            tokio::select! {
                line = self.stderr.recv() => match line {
                    Some(line) => lines.push(line),
                    None => break,
                },
                _ = &mut grace => break,
            }
        }
        lines
    }

    /// Whether the process is still running.
    pub(crate) fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_read_whole_and_long_ones_refused() {
        let mut input: &[u8] = b"one\ntwo";
        let mut buf = Vec::new();
        assert!(matches!(read_line(&mut input, &mut buf).await, Line::Text));
        assert_eq!(buf, b"one");
        buf.clear();
        assert!(matches!(read_line(&mut input, &mut buf).await, Line::Text));
        assert_eq!(buf, b"two");
        buf.clear();
        assert!(matches!(read_line(&mut input, &mut buf).await, Line::Eof));
        buf.clear();
        // A read dropped halfway keeps what it had: the next call completes the line.
        let (mut writer, reader) = tokio::io::duplex(64);
        let mut reader = BufReader::new(reader);
        writer.write_all(b"abc").await.unwrap();
        let cut =
            tokio::time::timeout(Duration::from_millis(20), read_line(&mut reader, &mut buf)).await;
        assert!(cut.is_err());
        writer.write_all(b"def\n").await.unwrap();
        assert!(matches!(read_line(&mut reader, &mut buf).await, Line::Text));
        assert_eq!(buf, b"abcdef");
        buf.clear();
        let long = vec![b'x'; MAX_LINE + 10];
        let mut input: &[u8] = &long;
        assert!(matches!(
            read_line(&mut input, &mut buf).await,
            Line::TooLong
        ));
    }
}
