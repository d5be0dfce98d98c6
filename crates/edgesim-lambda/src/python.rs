//! Python handlers on the embedded interpreter (pyo3, engines.md §4 and §8.3).
//!
//! One dedicated thread owns the interpreter and serves every Python function of the process
//! from a `std::sync::mpsc` channel, answering on a tokio `oneshot`. Handlers are imported
//! from their files (tracebacks show source lines), events and results are converted by hand
//! ([`convert`]), `print()` is captured per invocation, and a watchdog raises `TimeoutError`
//! at the deadline. A thread stuck in C code past the deadline is abandoned and a new one takes
//! over the queue.

mod convert;
mod watchdog;

use std::ffi::CString;
use std::os::raw::c_long;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule, PyTuple};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::error::LambdaError;
use crate::logs::LogSink;
use crate::runtime::HandlerTarget;
use watchdog::{watch_loop, Watch, WatchEnd};

/// The helper module: handler loading, the context object, output capture.
const SUPPORT_PY: &str = include_str!("python/support.py");

/// Where a result is sent; shared with the watchdog, which answers for a stuck thread.
pub(crate) type Reply = Arc<Mutex<Option<oneshot::Sender<PyRun>>>>;

/// The result of one invocation on the interpreter thread.
pub(crate) struct PyRun {
    pub(crate) outcome: Result<Option<Value>, LambdaError>,
    /// `(timestamp, level, line)` of everything the handler printed.
    pub(crate) lines: Vec<(String, String, String)>,
}

/// The `context` attributes that do not change between invocations.
#[derive(Debug, Clone)]
pub(crate) struct FunctionInfo {
    pub(crate) function_name: String,
    pub(crate) function_version: String,
    pub(crate) invoked_function_arn: String,
    pub(crate) memory_limit_in_mb: String,
    pub(crate) log_group_name: String,
    pub(crate) log_stream_name: String,
}

enum Job {
    Load {
        target: HandlerTarget,
        handler: String,
        info: FunctionInfo,
        reply: oneshot::Sender<Result<(usize, String), LambdaError>>,
    },
    Invoke {
        index: usize,
        event: Value,
        request_id: String,
        timeout: Duration,
        reply: Reply,
    },
}

struct Entry {
    handler: Py<PyAny>,
    info: Py<PyDict>,
}

/// State shared by the interpreter threads of every generation.
struct Shared {
    jobs: Mutex<mpsc::Receiver<Job>>,
    generation: AtomicU64,
    handlers: Mutex<Vec<Entry>>,
    support: OnceLock<Py<PyModule>>,
}

struct Host {
    sender: mpsc::Sender<Job>,
}

static HOST: OnceLock<Host> = OnceLock::new();

fn host() -> &'static Host {
    HOST.get_or_init(|| {
        let (sender, receiver) = mpsc::channel();
        let shared = Arc::new(Shared {
            jobs: Mutex::new(receiver),
            generation: AtomicU64::new(0),
            handlers: Mutex::new(Vec::new()),
            support: OnceLock::new(),
        });
        spawn_generation(shared, 0);
        Host { sender }
    })
}

/// Starts interpreter thread number `generation` and its watchdog.
fn spawn_generation(shared: Arc<Shared>, generation: u64) {
    let watch = Arc::new(Watch::default());
    let thread_watch = Arc::clone(&watch);
    let thread_shared = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name(format!("edgesim-python-{generation}"))
        .spawn(move || interpreter_loop(&thread_shared, &thread_watch, generation));
    if spawned.is_err() {
        return;
    }
    let _ = std::thread::Builder::new()
        .name(format!("edgesim-python-watchdog-{generation}"))
        .spawn(move || match watch_loop(watch) {
            WatchEnd::Stuck => {
                let next = generation + 1;
                if shared
                    .generation
                    .compare_exchange(generation, next, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    spawn_generation(shared, next);
                }
            }
        });
}

fn interpreter_loop(shared: &Shared, watch: &Watch, generation: u64) {
    let thread_id: c_long = Python::attach(|py| {
        py.import("threading")
            .and_then(|t| t.call_method0("get_ident"))
            .and_then(|id| id.extract::<u64>())
            .map_or(0, |id| id as c_long)
    });
    loop {
        if shared.generation.load(Ordering::SeqCst) != generation {
            return; // replaced after being stuck; the new thread serves the queue
        }
        let job = {
            let Ok(jobs) = shared.jobs.lock() else { return };
            match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        // A panic in one job must not take the interpreter thread down; the job's reply is
        // dropped and its caller sees a crash.
        let _ = catch_unwind(AssertUnwindSafe(|| match job {
            Job::Load {
                target,
                handler,
                info,
                reply,
            } => {
                let _ = reply.send(load(shared, &target, &handler, &info));
            }
            Job::Invoke {
                index,
                event,
                request_id,
                timeout,
                reply,
            } => {
                let run = invoke(
                    shared,
                    watch,
                    thread_id,
                    index,
                    &event,
                    &request_id,
                    timeout,
                    &reply,
                );
                let sender = reply.lock().ok().and_then(|mut slot| slot.take());
                if let Some(sender) = sender {
                    let _ = sender.send(run);
                }
            }
        }));
    }
}

fn support<'py>(py: Python<'py>, shared: &Shared) -> PyResult<Bound<'py, PyModule>> {
    if let Some(module) = shared.support.get() {
        return Ok(module.bind(py).clone());
    }
    let code = CString::new(SUPPORT_PY).unwrap_or_default();
    let module = PyModule::from_code(py, &code, c"_edgesim_lambda.py", c"_edgesim_lambda")?;
    let _ = shared.support.set(module.clone().unbind());
    Ok(module)
}

fn load(
    shared: &Shared,
    target: &HandlerTarget,
    handler: &str,
    info: &FunctionInfo,
) -> Result<(usize, String), LambdaError> {
    Python::attach(|py| {
        let crash = |e: PyErr| LambdaError::Crash {
            message: format!("the Python host failed: {e}"),
        };
        let support = support(py, shared).map_err(crash)?;
        let file = target.file.display().to_string();
        let callable = match support.call_method1("load", (file, target.export.as_str())) {
            Ok(callable) => callable,
            Err(err) => {
                let (error_type, message, trace) = support
                    .call_method1("load_error_fields", (err.value(py),))
                    .and_then(|fields| fields.extract::<(String, String, Vec<String>)>())
                    .unwrap_or_else(|_| ("Error".to_owned(), err.to_string(), Vec::new()));
                let mut reason = format!("{error_type}: {message}");
                for line in trace {
                    reason.push('\n');
                    reason.push_str(&line);
                }
                return Err(LambdaError::BadHandler {
                    handler: handler.to_owned(),
                    reason,
                });
            }
        };
        let dict = PyDict::new(py);
        for (key, value) in [
            ("function_name", &info.function_name),
            ("function_version", &info.function_version),
            ("invoked_function_arn", &info.invoked_function_arn),
            ("memory_limit_in_mb", &info.memory_limit_in_mb),
            ("log_group_name", &info.log_group_name),
            ("log_stream_name", &info.log_stream_name),
        ] {
            dict.set_item(key, value).map_err(crash)?;
        }
        let mut handlers = shared.handlers.lock().map_err(|_| LambdaError::Crash {
            message: "the Python handler table is poisoned".to_owned(),
        })?;
        handlers.push(Entry {
            handler: callable.unbind(),
            info: dict.unbind(),
        });
        let version = Python::version_str()
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned();
        Ok((handlers.len() - 1, version))
    })
}

#[allow(clippy::too_many_arguments)]
fn invoke(
    shared: &Shared,
    watch: &Watch,
    thread_id: c_long,
    index: usize,
    event: &Value,
    request_id: &str,
    timeout: Duration,
    reply: &Reply,
) -> PyRun {
    Python::attach(|py| {
        let crash = |message: String| PyRun {
            outcome: Err(LambdaError::Crash { message }),
            lines: Vec::new(),
        };
        let (handler, info) = {
            let Ok(handlers) = shared.handlers.lock() else {
                return crash("the Python handler table is poisoned".to_owned());
            };
            let Some(entry) = handlers.get(index) else {
                return crash(format!("no Python handler number {index}"));
            };
            (entry.handler.clone_ref(py), entry.info.clone_ref(py))
        };
        let support = match support(py, shared) {
            Ok(module) => module,
            Err(e) => return crash(format!("the Python host failed: {e}")),
        };
        let event = match convert::to_py(py, event) {
            Ok(event) => event,
            Err(e) => return crash(format!("cannot convert the event: {e}")),
        };
        watch.start(timeout, thread_id, Arc::clone(reply));
        let result = support.call_method1(
            "invoke",
            (handler, event, request_id, timeout.as_secs_f64(), info),
        );
        let timed_out = watch.finish(py);
        let (outcome, lines) = match result {
            Ok(tuple) => unpack(&tuple),
            Err(err) => (
                Err(LambdaError::Handler {
                    error_type: err
                        .get_type(py)
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                    error_message: err.value(py).to_string(),
                    stack: Vec::new(),
                }),
                Vec::new(),
            ),
        };
        let outcome = if timed_out {
            Err(LambdaError::Timeout { timeout })
        } else {
            outcome
        };
        PyRun { outcome, lines }
    })
}

type Lines = Vec<(String, String, String)>;

/// Reads the `(kind, value, logs)` tuple `support.invoke` returns.
fn unpack(tuple: &Bound<'_, PyAny>) -> (Result<Option<Value>, LambdaError>, Lines) {
    let Ok(tuple) = tuple.cast::<PyTuple>() else {
        return (Ok(None), Vec::new());
    };
    let item = |i: usize| tuple.get_item(i).ok();
    let lines = item(2)
        .and_then(|l| l.extract::<Lines>().ok())
        .unwrap_or_default();
    let kind = item(0)
        .and_then(|k| k.extract::<String>().ok())
        .unwrap_or_default();
    let Some(value) = item(1) else {
        return (Ok(None), lines);
    };
    let outcome = match kind.as_str() {
        "ok" => convert::from_py(&value)
            .map(Some)
            .map_err(|reason| LambdaError::Handler {
                error_type: "Runtime.MarshalError".to_owned(),
                error_message: format!("Unable to marshal response: {reason}"),
                stack: Vec::new(),
            }),
        "exit" => Err(LambdaError::Crash {
            message: format!(
                "Error: Runtime exited with error: {}",
                value.extract::<String>().unwrap_or_default()
            ),
        }),
        _ => {
            let (error_type, error_message, stack) = value
                .extract::<(String, String, Vec<String>)>()
                .unwrap_or_else(|_| ("Error".to_owned(), String::new(), Vec::new()));
            Err(LambdaError::Handler {
                error_type,
                error_message,
                stack,
            })
        }
    };
    (outcome, lines)
}

/// A loaded Python handler.
#[derive(Debug)]
pub(crate) struct PythonFunction {
    index: usize,
}

impl PythonFunction {
    /// Imports the handler on the interpreter thread; returns it and the interpreter's version.
    pub(crate) async fn load(
        target: HandlerTarget,
        handler: &str,
        info: FunctionInfo,
    ) -> Result<(PythonFunction, String), LambdaError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Load {
            target,
            handler: handler.to_owned(),
            info,
            reply,
        };
        if host().sender.send(job).is_err() {
            return Err(stopped());
        }
        let (index, version) = answer.await.map_err(|_| stopped())??;
        Ok((PythonFunction { index }, version))
    }

    /// Runs one invocation; the timeout counts from the start of the handler call.
    pub(crate) async fn invoke(
        &self,
        request_id: &str,
        event: &Value,
        timeout: Duration,
        logs: &mut LogSink,
    ) -> Result<Option<Value>, LambdaError> {
        let (sender, answer) = oneshot::channel();
        let job = Job::Invoke {
            index: self.index,
            event: event.clone(),
            request_id: request_id.to_owned(),
            timeout,
            reply: Arc::new(Mutex::new(Some(sender))),
        };
        if host().sender.send(job).is_err() {
            return Err(stopped());
        }
        let run = answer.await.map_err(|_| stopped())?;
        for (timestamp, level, line) in &run.lines {
            logs.push(Some(timestamp), level, line);
        }
        run.outcome
    }
}

fn stopped() -> LambdaError {
    LambdaError::Crash {
        message: "the Python interpreter thread stopped".to_owned(),
    }
}
