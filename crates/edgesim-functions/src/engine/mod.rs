//! Running a CloudFront Function: compile once per thread, a fresh top-level scope per call.
//!
//! This file is the public API. `spec` holds its data types, `pool` keeps one engine context per
//! function and thread, `context` builds a context and runs one invocation in it, and `hooks`
//! holds the engine's host hooks (frozen clock, no `eval`). Dependencies run one way:
//! mod → pool → context → spec, hooks.
//!
//! Design (shared/reference/engines.md §3, §8.1):
//! - boa's `Context` is `!Send` and costs ~0.5 ms to build, so each thread keeps one context per
//!   function in a `thread_local!` pool and reuses it; the proxy runs functions inline on its
//!   tokio workers with no thread hop.
//! - The user's code is compiled once per context inside a factory,
//!   `(function (imports) { 'use strict'; <code>; return handler; })`, and the factory is called
//!   on every invocation, so top-level `var`s and functions start fresh each time (no state leaks
//!   between invocations, as on CloudFront). New globals written through `globalThis` are
//!   removed after each run; the context is rebuilt after an engine-level failure or after
//!   `RECYCLE_AFTER` runs.
//! - Time: `ComputeUtilization` is predicted from counted work (budget.rs); thread CPU time is
//!   measured alongside. Runaway code is
//!   bounded by boa's loop and recursion limits and by a CPU-time deadline checked while the
//!   call is polled with `evaluate_async_with_budget`; a run past the deadline is abandoned and
//!   its context dropped.

mod context;
mod hooks;
mod jobs;
mod pool;
mod spec;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::error::FunctionError;
use crate::limits;
use crate::lint::{self, Module};
use crate::runtime::Runtime;
use crate::throttle::Throttle;

pub use pool::contexts_built;
pub use spec::{Entry, FunctionOptions, Invocation, InvokeInput};
use spec::{InFlight, Spec};

/// A loaded CloudFront Function. Cheap to clone and shareable across threads; each thread that
/// invokes it builds its own engine context on first use.
#[derive(Debug, Clone)]
pub struct CloudFrontFunction {
    spec: Arc<Spec>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl CloudFrontFunction {
    /// Checks and compiles `source`. Fails with CloudFront's compile error if the runtime would
    /// refuse it, or [`FunctionError::CodeTooLarge`] past the 10 KB quota.
    pub fn new(source: &str, options: FunctionOptions) -> Result<Self, FunctionError> {
        if source.len() > limits::MAX_CODE_BYTES {
            return Err(FunctionError::CodeTooLarge {
                size: source.len(),
                limit: limits::MAX_CODE_BYTES,
            });
        }
        let checked = lint::check(source, options.runtime)
            .map_err(|e| FunctionError::Compile(e.to_string()))?;
        let bindings: String = checked
            .imports
            .iter()
            .map(|i| {
                format!(
                    "var {} = __cf_imports.{}; ",
                    i.binding,
                    import_key(i.module)
                )
            })
            .collect();
        // Everything before the user's first line stays on line 1, so error lines match theirs.
        let suffix = match options.entry {
            Entry::Handler => crate::error_text::FACTORY_SUFFIX,
            Entry::ConnectionHandler => crate::connection::FACTORY_SUFFIX,
        };
        let factory_source = format!(
            "(function (__cf_imports) {{ 'use strict'; {bindings}{}{suffix}",
            checked.body
        );
        let spec = Arc::new(Spec {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            factory_source,
            imports: checked.imports,
            in_flight: InFlight::default(),
            throttle: Throttle::new(options.throttle.clone()),
            options,
        });
        // Compile once here so syntax errors surface at load time, and warm this thread.
        let instance = pool::build(&spec)?;
        pool::put(spec.id, instance);
        Ok(Self { spec })
    }

    /// Reads and loads a function file.
    pub fn from_file(
        path: &std::path::Path,
        options: FunctionOptions,
    ) -> Result<Self, FunctionError> {
        let source = std::fs::read_to_string(path).map_err(|source| FunctionError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::new(&source, options)
    }

    pub fn options(&self) -> &FunctionOptions {
        &self.spec.options
    }

    pub fn runtime(&self) -> Runtime {
        self.spec.options.runtime
    }

    pub fn name(&self) -> &str {
        &self.spec.options.name
    }

    /// Runs the handler on `event` (a CloudFront Functions event object) on the current thread.
    pub fn invoke(&self, event: &Value, input: &InvokeInput) -> Invocation {
        let throttle = &self.spec.throttle;
        if let Err(remaining) = throttle.admit(std::time::Instant::now()) {
            let p = throttle.policy();
            return Invocation::failed(FunctionError::OverBudget {
                over: p.over_utilization,
                share_pct: (p.over_share * 100.0).round() as u32,
                remaining_ms: remaining.as_millis(),
            });
        }
        let _run = match self.spec.in_flight.enter(self.spec.options.stuck_after) {
            Ok(guard) => guard,
            Err(running_for) => {
                return Invocation::failed(FunctionError::Throttled {
                    running_for_ms: running_for.as_millis(),
                })
            }
        };
        let instance = pool::take(self.spec.id);
        let mut instance = match instance {
            Some(i) => i,
            None => match pool::build(&self.spec) {
                Ok(i) => i,
                Err(e) => return Invocation::failed(e),
            },
        };
        let (invocation, reusable) = instance.invoke(&self.spec, event, input);
        if reusable && instance.uses < limits::RECYCLE_AFTER {
            pool::put(self.spec.id, instance);
        }
        throttle.record(std::time::Instant::now(), invocation.compute_utilization);
        invocation
    }

    /// Builds this thread's context for the function if it has none, so the first request
    /// does not pay for it.
    pub fn warm_this_thread(&self) {
        if !pool::has(self.spec.id) {
            if let Ok(instance) = pool::build(&self.spec) {
                pool::put(self.spec.id, instance);
            }
        }
    }

    /// A throttled refusal while a run of this function is abandoned and still going
    /// (`crate::threads`).
    pub(crate) fn refuse_if_stuck(&self) -> Option<Invocation> {
        (self.spec.in_flight.abandoned.load(Ordering::Relaxed) > 0)
            .then(|| Invocation::failed(FunctionError::Throttled { running_for_ms: 0 }))
    }

    pub(crate) fn run_abandoned(&self) {
        self.spec
            .in_flight
            .abandoned
            .fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn abandoned_run_ended(&self) {
        self.spec
            .in_flight
            .abandoned
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// Drops every context of this thread (a function thread about to exit; boa's heap is still
/// there to free them).
pub(crate) fn drop_thread_contexts() {
    pool::clear();
}

fn import_key(module: Module) -> &'static str {
    match module {
        Module::Cloudfront => "cloudfront",
        Module::Crypto => "crypto",
        Module::Querystring => "querystring",
    }
}

impl Drop for Spec {
    /// Frees this thread's context for the function; other threads sweep theirs lazily.
    fn drop(&mut self) {
        pool::forget(self.id);
    }
}
