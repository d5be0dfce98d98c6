//! The timeout watchdog of a Python interpreter thread (engines.md §4.6).
//!
//! At the deadline it raises `TimeoutError` inside the running handler with
//! `PyThreadState_SetAsyncExc`. That only interrupts Python bytecode: a handler blocked in C
//! (`time.sleep`, a socket read) keeps the thread. If the thread is still busy
//! [`PYTHON_STUCK_GRACE`](crate::limits::PYTHON_STUCK_GRACE) later, the watchdog answers the
//! caller with a timeout itself and reports the thread stuck so that a new one takes over.

use std::os::raw::c_long;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use pyo3::exceptions::PyTimeoutError;
use pyo3::prelude::*;
use pyo3::type_object::PyTypeInfo;

use super::{PyRun, Reply};
use crate::error::LambdaError;
use crate::limits::PYTHON_STUCK_GRACE;

/// The invocation a watchdog is timing.
struct Running {
    seq: u64,
    deadline: Instant,
    timeout: Duration,
    thread_id: c_long,
    fired_at: Option<Instant>,
    reply: Reply,
}

#[derive(Default)]
struct State {
    running: Option<Running>,
    next_seq: u64,
}

/// Shared between one interpreter thread and its watchdog thread.
#[derive(Default)]
pub(crate) struct Watch {
    state: Mutex<State>,
    wake: Condvar,
}

impl Watch {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts timing an invocation on `thread_id` (`threading.get_ident()`).
    pub(crate) fn start(&self, timeout: Duration, thread_id: c_long, reply: Reply) {
        let mut state = self.lock();
        state.next_seq += 1;
        state.running = Some(Running {
            seq: state.next_seq,
            deadline: Instant::now() + timeout,
            timeout,
            thread_id,
            fired_at: None,
            reply,
        });
        self.wake.notify_all();
    }

    /// Stops timing; returns whether the timeout exception was raised. Must be called with the
    /// GIL held (so the watchdog cannot be raising at the same moment); a raised exception that
    /// has not been delivered yet is cancelled.
    pub(crate) fn finish(&self, _py: Python<'_>) -> bool {
        let running = self.lock().running.take();
        match running {
            Some(Running {
                fired_at: Some(_),
                thread_id,
                ..
            }) => {
                // SAFETY: the GIL is held (`_py`); a null exception clears a pending one.
                unsafe {
                    pyo3::ffi::PyThreadState_SetAsyncExc(thread_id, std::ptr::null_mut());
                }
                true
            }
            _ => false,
        }
    }
}

/// What the watchdog loop ended with.
pub(crate) enum WatchEnd {
    /// The interpreter thread is stuck in C code: replace it.
    Stuck,
}

/// Runs until the interpreter thread is declared stuck.
pub(crate) fn watch_loop(watch: Arc<Watch>) -> WatchEnd {
    let mut state = watch.lock();
    loop {
        let now = Instant::now();
        let Some(running) = state.running.as_mut() else {
            state = watch.wake.wait(state).unwrap_or_else(|e| e.into_inner());
            continue;
        };
        match running.fired_at {
            None if now < running.deadline => {
                let wait = running.deadline - now;
                state = watch
                    .wake
                    .wait_timeout(state, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            None => {
                let seq = running.seq;
                drop(state);
                // GIL first, then the state lock: the same order as the interpreter thread.
                Python::attach(|py| {
                    let mut state = watch.lock();
                    if let Some(running) = state.running.as_mut() {
                        if running.seq == seq && running.fired_at.is_none() {
                            // SAFETY: the GIL is held; the exception type is a valid object.
                            unsafe {
                                pyo3::ffi::PyThreadState_SetAsyncExc(
                                    running.thread_id,
                                    PyTimeoutError::type_object_raw(py).cast(),
                                );
                            }
                            running.fired_at = Some(Instant::now());
                        }
                    }
                });
                state = watch.lock();
            }
            Some(fired_at) if now < fired_at + PYTHON_STUCK_GRACE => {
                let wait = fired_at + PYTHON_STUCK_GRACE - now;
                state = watch
                    .wake
                    .wait_timeout(state, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            Some(_) => {
                let timeout = running.timeout;
                let reply = running.reply.clone();
                drop(state);
                let sender = reply.lock().ok().and_then(|mut slot| slot.take());
                if let Some(sender) = sender {
                    let _ = sender.send(PyRun {
                        outcome: Err(LambdaError::Timeout { timeout }),
                        lines: Vec::new(),
                    });
                }
                return WatchEnd::Stuck;
            }
        }
    }
}
