//! An engine context's life: built with the runtime's globals and the function compiled into
//! a factory, then one invocation at a time (fresh scope, frozen clock, deadline), cleaned up
//! after each run.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::SystemTime;

use boa_engine::builtins::promise::PromiseState;
use boa_engine::module::IdleModuleLoader;
use boa_engine::object::builtins::JsPromise;
use boa_engine::object::FunctionObjectBuilder;
use boa_engine::property::{Attribute, PropertyDescriptor, PropertyKey};
use boa_engine::{
    js_string, Context, JsError, JsNativeError, JsObject, JsResult, JsString, JsValue,
    NativeFunction, Script, Source,
};
use serde_json::Value;

use super::hooks::{CloudFrontHooks, FrozenClock};
use super::jobs::RunJobs;
use super::spec::{Invocation, InvokeInput, Spec};
use crate::budget::{self, compute_utilization, thread_cpu_time, Work};
use crate::cloudfront_module;
use crate::convert::{to_js, to_json};
use crate::error::{is_engine_error, FunctionError};
use crate::error_text::{runtime_error, FunctionSource, FUNCTION_PATH};
use crate::limits;
use crate::lint::Module;
use crate::quota::{self, Stop};
use crate::runtime::Runtime;
use crate::state::{HostState, SharedState};
use crate::{guards, host};

const PRELUDE: &str = include_str!("../js/prelude.js");

/// One function's engine context on one thread.
pub(super) struct Instance {
    /// The function this context serves; once it is gone the context is swept from the pool.
    pub(super) spec: std::sync::Weak<Spec>,
    clock: Rc<FrozenClock>,
    state: SharedState,
    invoke: Script,
    raw_query_fn: JsObject,
    global_keys: Vec<PropertyKey>,
    pub(super) uses: u32,
    /// Declared last so the engine handles above are dropped before their context.
    ctx: Context,
}

/// Budget units between limit checks (~20 instructions): small, so a string that doubles each
/// iteration (`for (;;) s += s`) gets a few doublings past the quota at most.
const YIELD_BUDGET: u32 = 64;

impl Instance {
    pub(super) fn new(spec: &Arc<Spec>) -> Result<Self, FunctionError> {
        let clock = Rc::new(FrozenClock::default());
        let state: SharedState = Rc::new(RefCell::new(HostState {
            kvs: spec.options.kvs.clone(),
            ..HostState::default()
        }));
        let mut ctx = runtime_context(spec.options.runtime, clock.clone(), state.clone())?;
        let internal = |e: JsError| FunctionError::Internal(e.to_string());

        let imports = ctx
            .eval(Source::from_bytes(
                "({ crypto: require('crypto'), querystring: require('querystring') })",
            ))
            .map_err(internal)?;
        if spec.options.runtime == Runtime::Js20
            && spec.imports.iter().any(|i| i.module == Module::Cloudfront)
        {
            let cf = cloudfront_module::build(&mut ctx).map_err(internal)?;
            if let Some(obj) = imports.as_object() {
                obj.set(js_string!("cloudfront"), cf, false, &mut ctx)
                    .map_err(internal)?;
            }
        }
        hidden_global(&mut ctx, "__cf_imports", imports).map_err(internal)?;

        // Compiled under its own path, and kept, so error messages can quote the failing spot.
        ctx.insert_data(FunctionSource(spec.factory_source.as_str().into()));
        let source =
            Source::from_bytes(&spec.factory_source).with_path(std::path::Path::new(FUNCTION_PATH));
        let factory = Script::parse(source, None, &mut ctx)
            .map_err(|e| FunctionError::Compile(compile_message(&e, &mut ctx)))?
            .evaluate(&mut ctx)
            .map_err(|e| FunctionError::Compile(compile_message(&e, &mut ctx)))?;
        hidden_global(&mut ctx, "__cf_factory", factory).map_err(internal)?;
        hidden_global(&mut ctx, "__cf_event", JsValue::undefined()).map_err(internal)?;
        ctx.eval(Source::from_bytes(INVOKE_HELPER))
            .map_err(internal)?;
        let invoke =
            Script::parse(Source::from_bytes("__cf_invoke()"), None, &mut ctx).map_err(internal)?;

        let raw_query_fn =
            FunctionObjectBuilder::new(ctx.realm(), NativeFunction::from_fn_ptr(raw_query_string))
                .build();
        let global_keys = ctx
            .global_object()
            .own_property_keys(&mut ctx)
            .map_err(internal)?;
        Ok(Self {
            spec: Arc::downgrade(spec),
            ctx,
            clock,
            state,
            invoke,
            raw_query_fn: raw_query_fn.into(),
            global_keys,
            uses: 0,
        })
    }

    /// Runs one invocation; the flag says whether this context may be reused afterwards.
    pub(super) fn invoke(
        &mut self,
        spec: &Spec,
        event: &Value,
        input: &InvokeInput,
    ) -> (Invocation, bool) {
        self.uses += 1;
        {
            let mut st = self.state.borrow_mut();
            st.reset();
            st.raw_query.clone_from(&input.raw_query);
            st.edge_location.clone_from(&input.edge_location);
        }
        self.clock.freeze(input.now.unwrap_or_else(SystemTime::now));

        let instructions_before = self.ctx.instructions_remaining();
        let cpu_start = thread_cpu_time();
        // Thread CPU time, not wall time: a loaded machine preempting this thread must not turn
        // a healthy run into a timeout.
        let deadline = cpu_start + spec.options.hard_timeout;
        quota::begin(deadline, limits::MEMORY_QUOTA_BYTES);
        let (mut outcome, mut reusable) = match self.run(spec, event) {
            Ok(v) => (Ok(v), true),
            Err(Failure::Thrown(message)) => (Err(FunctionError::Execution(message)), true),
            Err(Failure::Fatal(message)) => (Err(FunctionError::Execution(message)), false),
        };
        // A stopped run fails however the code reacted (a `catch` cannot carry on), and its
        // context goes: it may hold the garbage that filled the quota.
        let allocated_bytes = quota::run_allocated();
        if let Some(why) = quota::end() {
            outcome = Err(FunctionError::Execution(stop_message(why, spec)));
            reusable = false;
        }
        let cpu_time = thread_cpu_time().saturating_sub(cpu_start);
        let instructions = instructions_before.saturating_sub(self.ctx.instructions_remaining());

        reusable &= self.clean_globals().is_ok();
        let mut st = self.state.borrow_mut();
        let work = Work {
            instructions: instructions as u64,
            event_values: budget::json_values(event)
                + outcome.as_ref().map_or(0, budget::json_values),
            ..st.work
        };
        let invocation = Invocation {
            outcome,
            logs: std::mem::take(&mut st.logs),
            cpu_time,
            compute_utilization: budget::predicted_utilization(&work, spec.options.budget),
            measured_utilization: compute_utilization(cpu_time, spec.options.budget),
            work,
            origin_changes: std::mem::take(&mut st.origin_changes),
            custom_log_data: st.custom_log_data.take(),
            allocated_bytes,
        };
        (invocation, reusable)
    }

    fn run(&mut self, spec: &Spec, event: &Value) -> Result<Value, Failure> {
        let ctx = &mut self.ctx;
        let event_value = to_js(event, ctx);
        if spec.options.runtime == Runtime::Js20 {
            attach_raw_query_string(&event_value, &self.raw_query_fn, ctx)
                .map_err(|e| Failure::from_js(&e, ctx))?;
        }
        set_global(ctx, "__cf_event", event_value).map_err(|e| Failure::from_js(&e, ctx))?;

        let result = poll_with_limits(&self.invoke, ctx)?;
        let result = settle_promise(result, ctx)?;
        let _ = set_global(ctx, "__cf_event", JsValue::undefined());
        match to_json(&result, ctx) {
            Ok(json) => Ok(json.unwrap_or(Value::Null)),
            Err(e) => Err(Failure::from_js(&e, ctx)),
        }
    }

    /// Removes globals the run added (`globalThis.x = …`), so they cannot leak into the next run.
    fn clean_globals(&mut self) -> JsResult<()> {
        let global = self.ctx.global_object();
        let keys = global.own_property_keys(&mut self.ctx)?;
        if keys.len() == self.global_keys.len() {
            return Ok(());
        }
        for key in keys {
            if !self.global_keys.contains(&key)
                && global.delete_property_or_throw(key, &mut self.ctx).is_err()
            {
                return Err(JsNativeError::error()
                    .with_message("global not removable")
                    .into());
            }
        }
        Ok(())
    }
}

/// Why a run failed: a thrown error leaves the context healthy; a fatal one does not.
enum Failure {
    Thrown(String),
    Fatal(String),
}

impl Failure {
    fn from_js(err: &JsError, ctx: &mut Context) -> Self {
        let message = runtime_error(err, ctx);
        if !is_engine_error(err, ctx) {
            Failure::Thrown(message)
        } else {
            Failure::Fatal(message)
        }
    }
}

/// A context with a runtime's globals (host natives, then the prelude), before any user code.
fn runtime_context(
    runtime: Runtime,
    clock: Rc<FrozenClock>,
    state: SharedState,
) -> Result<Context, FunctionError> {
    let internal = |e: JsError| FunctionError::Internal(e.to_string());
    let mut ctx = Context::builder()
        // boa's instruction counter (its `fuzz` feature), counted down by every instruction on
        // every path (callbacks and awaited continuations too); the difference across a run is
        // the deterministic work ComputeUtilization is predicted from (budget.rs).
        .instructions_remaining(usize::MAX)
        .host_hooks(Rc::new(CloudFrontHooks))
        .clock(clock)
        // No file-system module loader: a function can reach nothing but its built-ins.
        .module_loader(Rc::new(IdleModuleLoader))
        .job_executor(Rc::new(RunJobs::default()))
        .build()
        .map_err(internal)?;
    let limits = ctx.runtime_limits_mut();
    limits.set_loop_iteration_limit(limits::LOOP_ITERATION_LIMIT);
    limits.set_recursion_limit(limits::RECURSION_LIMIT);
    ctx.insert_data(state);
    host::install(&mut ctx, runtime).map_err(internal)?;
    guards::install(&mut ctx).map_err(internal)?;
    ctx.eval(Source::from_bytes(PRELUDE)).map_err(internal)?;
    Ok(ctx)
}

/// Polls the invocation, checking the run's limits (`crate::quota`) every `YIELD_BUDGET` units
/// of work.
fn poll_with_limits(script: &Script, ctx: &mut Context) -> Result<JsValue, Failure> {
    let outcome = {
        let mut fut = pin!(script.evaluate_async_with_budget(ctx, YIELD_BUDGET));
        let mut cx = std::task::Context::from_waker(Waker::noop());
        loop {
            match fut.as_mut().poll(&mut cx) {
                Poll::Ready(r) => break Some(r),
                Poll::Pending if quota::check().is_err() => break None,
                Poll::Pending => {}
            }
        }
    };
    match outcome {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(Failure::from_js(&e, ctx)),
        // `quota::end` says why.
        None => Err(Failure::Fatal(String::new())),
    }
}

/// What a run stopped by its limits reports (CloudFront: a run that "fails to execute", 503).
fn stop_message(why: Stop, spec: &Spec) -> String {
    match why {
        Stop::Memory(bytes) => format!(
            "MemoryError: the function used more than its {} MB memory quota ({bytes} bytes allocated)",
            limits::MEMORY_QUOTA_BYTES / (1024 * 1024)
        ),
        Stop::Time | Stop::Cancelled => format!(
            "InternalError: the function was stopped after running for {} ms (edgesim's hard time limit)",
            spec.options.hard_timeout.as_millis()
        ),
    }
}

/// Awaits an async handler's Promise (runtime 2.0, §2) by running the job queue.
fn settle_promise(result: JsValue, ctx: &mut Context) -> Result<JsValue, Failure> {
    let Some(promise) = result
        .as_object()
        .and_then(|o| JsPromise::from_object(o).ok())
    else {
        return Ok(result);
    };
    ctx.run_jobs().map_err(|e| Failure::from_js(&e, ctx))?;
    match promise.state() {
        PromiseState::Fulfilled(v) => Ok(v),
        PromiseState::Rejected(e) => Err(Failure::from_js(&JsError::from_opaque(e), ctx)),
        PromiseState::Pending => Err(Failure::Thrown(
            "Error: the handler's Promise never settled (CloudFront Functions have no timers or I/O to wait for)"
                .to_owned(),
        )),
    }
}

/// Calls the factory for a fresh scope, then the handler, entirely in JS so the deadline polling
/// covers both.
const INVOKE_HELPER: &str = r#"Object.defineProperty(globalThis, '__cf_invoke', { value: function () {
  'use strict';
  var handler = __cf_factory(__cf_imports);
  if (typeof handler !== 'function') { throw new ReferenceError('"handler" is not defined'); }
  return handler(__cf_event);
} });"#;

fn hidden_global(ctx: &mut Context, name: &str, value: JsValue) -> JsResult<()> {
    ctx.register_global_property(JsString::from(name), value, Attribute::WRITABLE)
}

fn set_global(ctx: &mut Context, name: &str, value: JsValue) -> JsResult<bool> {
    ctx.global_object()
        .set(JsString::from(name), value, true, ctx)
}

/// `request.rawQueryString()` (runtime 2.0, §3.3): a method, so it is not part of the output.
fn attach_raw_query_string(event: &JsValue, f: &JsObject, ctx: &mut Context) -> JsResult<()> {
    let Some(request) = event
        .as_object()
        .map(|e| e.get(js_string!("request"), ctx))
        .transpose()?
    else {
        return Ok(());
    };
    if let Some(request) = request.as_object() {
        request.define_property_or_throw(
            js_string!("rawQueryString"),
            PropertyDescriptor::builder()
                .value(f.clone())
                .writable(true)
                .enumerable(false)
                .configurable(true),
            ctx,
        )?;
    }
    Ok(())
}

fn raw_query_string(_: &JsValue, _: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    Ok(match &crate::state::state(ctx)?.borrow().raw_query {
        Some(q) => JsString::from(q.as_str()).into(),
        None => JsValue::undefined(),
    })
}

fn compile_message(err: &JsError, ctx: &mut Context) -> String {
    match err.try_native(ctx) {
        Ok(native) if native.kind().to_string() == "SyntaxError" => {
            crate::error_text::compile_error(native.message(), ctx)
        }
        _ => runtime_error(err, ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prelude with the Rust natives, in boa, against Node's own answers: the Node test
    /// (tests/js/prelude_test.mjs) writes every case it checks, with Node's result, as a plain
    /// script that counts mismatches (EDGESIM_REPLAY_DIR).
    #[test]
    fn prelude_in_boa_gives_nodes_answers() {
        let dir = std::env::temp_dir().join(format!("edgesim-replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let status = std::process::Command::new("node")
            .args(["--test", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js/")])
            .env("EDGESIM_REPLAY_DIR", &dir)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("node is installed");
        assert!(status.success());
        // boa's own message for encodeURIComponent on a lone surrogate differs from V8's.
        let known = ["encodeURIComponent"];
        for runtime in Runtime::ALL {
            let replay =
                std::fs::read_to_string(dir.join(format!("replay-{}.js", &runtime.id()[14..])))
                    .unwrap();
            let state = Rc::new(RefCell::new(HostState::default()));
            let mut ctx = runtime_context(runtime, Rc::new(FrozenClock::default()), state).unwrap();
            ctx.runtime_limits_mut().disable_loop_iteration_limit();
            let report = ctx.eval(Source::from_bytes(&replay)).unwrap();
            let report = report.as_string().unwrap().to_std_string_lossy();
            let unexplained: Vec<&str> = report
                .split("\n")
                .skip(1)
                .filter(|l| {
                    !l.starts_with("  ") && !l.is_empty() && !known.iter().any(|k| l.contains(k))
                })
                .collect();
            assert!(unexplained.is_empty(), "{runtime}: {report}");
            assert!(report.contains(" failures of "), "{report}");
            eprintln!("{runtime}: {}", report.lines().next().unwrap_or_default());
        }
    }
}
