//! Running a CloudFront Function: compile once per thread, a fresh top-level scope per call.
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
//! - Time: each run is measured in thread CPU time for `ComputeUtilization`. Runaway code is
//!   bounded by boa's loop and recursion limits and by a CPU-time deadline checked while the
//!   call is polled with `evaluate_async_with_budget`; a run past the deadline is abandoned and
//!   its context dropped.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use boa_engine::builtins::promise::PromiseState;
use boa_engine::context::time::{Clock, JsInstant};
use boa_engine::context::HostHooks;
use boa_engine::module::IdleModuleLoader;
use boa_engine::object::builtins::JsPromise;
use boa_engine::object::FunctionObjectBuilder;
use boa_engine::property::{Attribute, PropertyDescriptor, PropertyKey};
use boa_engine::realm::Realm;
use boa_engine::{
    js_string, Context, JsError, JsNativeError, JsObject, JsResult, JsString, JsValue,
    NativeFunction, Script, Source,
};
use serde_json::Value;

use crate::budget::{compute_utilization, thread_cpu_time};
use crate::cloudfront_module::{self, OriginChange};
use crate::convert::{to_js, to_json};
use crate::error::FunctionError;
use crate::error_text::{runtime_error, syntax_error};
use crate::host::{self, HostState, SharedState};
use crate::kvs::KeyValueStore;
use crate::limits;
use crate::lint::{self, Module};
use crate::runtime::Runtime;

const PRELUDE: &str = include_str!("js/prelude.js");

/// How a function is set up.
#[derive(Debug, Clone)]
pub struct FunctionOptions {
    /// A name for logs (usually the file name).
    pub name: String,
    pub runtime: Runtime,
    /// The associated KeyValueStore, if any (runtime 2.0).
    pub kvs: Option<Arc<KeyValueStore>>,
    /// The compute budget `ComputeUtilization` is a percentage of (default 1 ms).
    pub budget: Duration,
    /// edgesim's backstop: a run still going after this is stopped (default 100 ms).
    pub hard_timeout: Duration,
    /// A run still going after this much wall time is stuck where the deadline cannot reach
    /// it; while it lasts, further runs are refused as throttled (default 1 s).
    pub stuck_after: Duration,
}

impl FunctionOptions {
    pub fn new(name: impl Into<String>, runtime: Runtime) -> Self {
        Self {
            name: name.into(),
            runtime,
            kvs: None,
            budget: limits::DEFAULT_BUDGET,
            hard_timeout: limits::DEFAULT_HARD_TIMEOUT,
            stuck_after: limits::DEFAULT_STUCK_AFTER,
        }
    }
}

/// What one invocation sees of the outside world besides the event.
#[derive(Debug, Clone, Default)]
pub struct InvokeInput {
    /// The query string as received, for `request.rawQueryString()`; `None` when there was no `?`.
    pub raw_query: Option<String>,
    /// The instant `Date` is frozen at (default: now).
    pub now: Option<SystemTime>,
    /// `cf.edgeLocation` for viewer-request runs, e.g. `{"name":"FRA","serverIp":…,"region":…}`.
    pub edge_location: Option<Value>,
}

/// The result of one invocation.
#[derive(Debug)]
pub struct Invocation {
    /// What the handler returned, as JSON (`null` for `undefined`), or why it failed.
    pub outcome: Result<Value, FunctionError>,
    /// `console.log` lines, truncated at 10 KB.
    pub logs: Vec<String>,
    /// Thread CPU time from building the event to reading the result.
    pub cpu_time: Duration,
    /// `min(100, round(100 · cpu_time / budget))`.
    pub compute_utilization: u8,
    pub origin_changes: Vec<OriginChange>,
    pub custom_log_data: Option<String>,
}

/// A loaded CloudFront Function. Cheap to clone and shareable across threads; each thread that
/// invokes it builds its own engine context on first use.
#[derive(Debug, Clone)]
pub struct CloudFrontFunction {
    spec: Arc<Spec>,
}

#[derive(Debug)]
struct Spec {
    id: u64,
    options: FunctionOptions,
    /// The factory-wrapped source.
    factory_source: String,
    imports: Vec<lint::Import>,
    in_flight: InFlight,
}

/// The runs of one function executing right now, on any thread, by start time.
///
/// Why: boa checks the deadline between instructions, but a single native call (above all a
/// regular expression that backtracks exponentially, see edge-samples/functions/broken/
/// catastrophic-regex.js) cannot be interrupted and may hold its worker thread for minutes.
/// Rather than let every request to that function take another worker until the server stops
/// answering, later runs are refused while such a run lasts: CloudFront's 503
/// `FunctionThrottledError` for a function that keeps exceeding its budget
/// (cloudfront-functions.md §10).
#[derive(Debug, Default)]
struct InFlight {
    runs: std::sync::Mutex<Vec<(u64, Instant)>>,
    next: AtomicU64,
}

impl InFlight {
    /// Registers a run, unless one has been going for longer than `stuck_after`; then returns
    /// how long that one has been running.
    fn enter(&self, stuck_after: Duration) -> Result<RunGuard<'_>, Duration> {
        let now = Instant::now();
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(oldest) = runs.iter().map(|(_, started)| now - *started).max() {
            if oldest > stuck_after {
                return Err(oldest);
            }
        }
        let token = self.next.fetch_add(1, Ordering::Relaxed);
        runs.push((token, now));
        Ok(RunGuard {
            in_flight: self,
            token,
        })
    }
}

/// Removes its run from [`InFlight`] when the run ends, however it ends.
struct RunGuard<'a> {
    in_flight: &'a InFlight,
    token: u64,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        let mut runs = self
            .in_flight
            .runs
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        runs.retain(|(token, _)| *token != self.token);
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static CONTEXTS_BUILT: AtomicU64 = AtomicU64::new(0);

/// How many engine contexts this process has built (each costs a prelude parse, ~1 ms); a
/// number that keeps growing under steady load means contexts are not being reused.
pub fn contexts_built() -> u64 {
    CONTEXTS_BUILT.load(Ordering::Relaxed)
}

thread_local! {
    /// Never dropped at thread exit: boa's garbage collector is itself thread-local, and if its
    /// storage is torn down first, dropping a context afterwards corrupts the heap (observed as
    /// `tcache_thread_shutdown(): unaligned tcache chunk detected`). Threads that run functions
    /// (tokio workers, the CLI's main thread) live as long as the process anyway.
    static POOL: RefCell<ManuallyDrop<HashMap<u64, Instance>>> = RefCell::new(ManuallyDrop::new(HashMap::new()));
}

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
        let factory_source = format!(
            "(function (__cf_imports) {{ 'use strict'; {bindings}{}\n;return typeof handler === 'function' ? handler : undefined; }})",
            checked.body
        );
        let spec = Arc::new(Spec {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            options,
            factory_source,
            imports: checked.imports,
            in_flight: InFlight::default(),
        });
        // Compile once here so syntax errors surface at load time, and warm this thread.
        let instance = Instance::new(&spec)?;
        POOL.with(|p| p.borrow_mut().insert(spec.id, instance));
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
        let _run = match self.spec.in_flight.enter(self.spec.options.stuck_after) {
            Ok(guard) => guard,
            Err(running_for) => {
                return Invocation::failed(FunctionError::Throttled {
                    running_for_ms: running_for.as_millis(),
                })
            }
        };
        let instance = POOL.with(|p| p.borrow_mut().remove(&self.spec.id));
        let mut instance = match instance {
            Some(i) => i,
            None => match Instance::new(&self.spec) {
                Ok(i) => i,
                Err(e) => return Invocation::failed(e),
            },
        };
        let (invocation, reusable) = instance.invoke(&self.spec, event, input);
        if reusable && instance.uses < limits::RECYCLE_AFTER {
            POOL.with(|p| p.borrow_mut().insert(self.spec.id, instance));
        }
        invocation
    }
}

impl Invocation {
    fn failed(error: FunctionError) -> Self {
        Self {
            outcome: Err(error),
            logs: Vec::new(),
            cpu_time: Duration::ZERO,
            compute_utilization: 0,
            origin_changes: Vec::new(),
            custom_log_data: None,
        }
    }
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
        // `try_with`: the pool may already be gone if this runs during thread teardown.
        let _ = POOL.try_with(|p| {
            if let Ok(mut pool) = p.try_borrow_mut() {
                pool.remove(&self.id);
            }
        });
    }
}

/// Drops contexts whose function has been dropped (e.g. after a config reload).
fn sweep_pool() {
    let _ = POOL.try_with(|p| {
        if let Ok(mut pool) = p.try_borrow_mut() {
            pool.retain(|_, instance| instance.spec.strong_count() > 0);
        }
    });
}

/// One function's engine context on one thread.
struct Instance {
    /// The function this context serves; once it is gone the context is swept from the pool.
    spec: std::sync::Weak<Spec>,
    clock: Rc<FrozenClock>,
    state: SharedState,
    invoke: Script,
    raw_query_fn: JsObject,
    global_keys: Vec<PropertyKey>,
    uses: u32,
    /// Declared last so the engine handles above are dropped before their context.
    ctx: Context,
}

/// Budget units between deadline checks (~10 µs of work each, engines.md §3.6).
const YIELD_BUDGET: u32 = 4096;

impl Instance {
    fn new(spec: &Arc<Spec>) -> Result<Self, FunctionError> {
        sweep_pool();
        CONTEXTS_BUILT.fetch_add(1, Ordering::Relaxed);
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

        let factory = Script::parse(Source::from_bytes(&spec.factory_source), None, &mut ctx)
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
    fn invoke(&mut self, spec: &Spec, event: &Value, input: &InvokeInput) -> (Invocation, bool) {
        self.uses += 1;
        {
            let mut st = self.state.borrow_mut();
            st.reset();
            st.raw_query.clone_from(&input.raw_query);
            st.edge_location.clone_from(&input.edge_location);
        }
        self.clock.freeze(input.now.unwrap_or_else(SystemTime::now));

        let cpu_start = thread_cpu_time();
        // Thread CPU time, not wall time: a loaded machine preempting this thread must not turn
        // a healthy run into a timeout.
        let deadline = cpu_start + spec.options.hard_timeout;
        let (outcome, mut reusable) = match self.run(spec, event, deadline) {
            Ok(v) => (Ok(v), true),
            Err(Failure::Thrown(message)) => (Err(FunctionError::Execution(message)), true),
            Err(Failure::Fatal(message)) => (Err(FunctionError::Execution(message)), false),
        };
        let cpu_time = thread_cpu_time().saturating_sub(cpu_start);

        reusable &= self.clean_globals().is_ok();
        let mut st = self.state.borrow_mut();
        let invocation = Invocation {
            outcome,
            logs: std::mem::take(&mut st.logs),
            cpu_time,
            compute_utilization: compute_utilization(cpu_time, spec.options.budget),
            origin_changes: std::mem::take(&mut st.origin_changes),
            custom_log_data: st.custom_log_data.take(),
        };
        (invocation, reusable)
    }

    fn run(&mut self, spec: &Spec, event: &Value, deadline: Duration) -> Result<Value, Failure> {
        let ctx = &mut self.ctx;
        let event_value = to_js(event, ctx);
        if spec.options.runtime == Runtime::Js20 {
            attach_raw_query_string(&event_value, &self.raw_query_fn, ctx)
                .map_err(|e| Failure::from_js(&e, ctx))?;
        }
        set_global(ctx, "__cf_event", event_value).map_err(|e| Failure::from_js(&e, ctx))?;

        let result = poll_with_deadline(&self.invoke, ctx, deadline, spec.options.hard_timeout)?;
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
        .host_hooks(Rc::new(CloudFrontHooks))
        .clock(clock)
        // No file-system module loader: a function can reach nothing but its built-ins.
        .module_loader(Rc::new(IdleModuleLoader))
        .build()
        .map_err(internal)?;
    let limits = ctx.runtime_limits_mut();
    limits.set_loop_iteration_limit(limits::LOOP_ITERATION_LIMIT);
    limits.set_recursion_limit(limits::RECURSION_LIMIT);
    ctx.insert_data(state);
    host::install(&mut ctx, runtime).map_err(internal)?;
    ctx.eval(Source::from_bytes(PRELUDE)).map_err(internal)?;
    Ok(ctx)
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

/// Engine errors (loop/recursion limits) cannot be caught by JS and leave the context suspect.
pub(crate) fn is_engine_error(err: &JsError, ctx: &mut Context) -> bool {
    matches!(
        err.try_native(ctx),
        Err(boa_engine::error::TryNativeError::EngineError { .. })
    )
}

/// Polls the invocation, checking the CPU-time deadline every `YIELD_BUDGET` units of work.
fn poll_with_deadline(
    script: &Script,
    ctx: &mut Context,
    deadline: Duration,
    limit: Duration,
) -> Result<JsValue, Failure> {
    let outcome = {
        let mut fut = pin!(script.evaluate_async_with_budget(ctx, YIELD_BUDGET));
        let mut cx = std::task::Context::from_waker(Waker::noop());
        loop {
            match fut.as_mut().poll(&mut cx) {
                Poll::Ready(r) => break Some(r),
                Poll::Pending if thread_cpu_time() >= deadline => break None,
                Poll::Pending => {}
            }
        }
    };
    match outcome {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(Failure::from_js(&e, ctx)),
        None => Err(Failure::Fatal(format!(
            "InternalError: the function was stopped after running for {} ms (edgesim's hard time limit)",
            limit.as_millis()
        ))),
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
    Ok(match &host::state(ctx)?.borrow().raw_query {
        Some(q) => JsString::from(q.as_str()).into(),
        None => JsValue::undefined(),
    })
}

fn compile_message(err: &JsError, ctx: &mut Context) -> String {
    match err.try_native(ctx) {
        Ok(native) if native.kind().to_string() == "SyntaxError" => syntax_error(native.message()),
        _ => runtime_error(err, ctx),
    }
}

/// `eval` and `new Function(…)` throw in both runtimes (§6.2, §6.5).
struct CloudFrontHooks;

impl HostHooks for CloudFrontHooks {
    fn ensure_can_compile_strings(
        &self,
        _realm: Realm,
        _parameters: &[JsString],
        _body: &JsString,
        _direct: bool,
        _context: &mut Context,
    ) -> JsResult<()> {
        Err(JsNativeError::eval()
            .with_message("eval and new Function() are not supported in CloudFront Functions")
            .into())
    }
}

/// Every "current time" query returns the start of the invocation (§6.3 Date).
#[derive(Debug)]
struct FrozenClock {
    base: Instant,
    millis: Cell<i64>,
}

impl Default for FrozenClock {
    fn default() -> Self {
        Self {
            base: Instant::now(),
            millis: Cell::new(0),
        }
    }
}

impl FrozenClock {
    fn freeze(&self, at: SystemTime) {
        let ms = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.millis.set(ms);
    }
}

impl Clock for FrozenClock {
    fn now(&self) -> JsInstant {
        let e = self.base.elapsed();
        JsInstant::new(e.as_secs(), e.subsec_nanos())
    }

    fn system_time_millis(&self) -> i64 {
        self.millis.get()
    }
}
