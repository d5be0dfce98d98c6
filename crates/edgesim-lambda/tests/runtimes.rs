//! The Node.js and Python runtimes against real `node` and the embedded interpreter: handler
//! styles, module kinds, errors, timeouts, crashes, logs.

use std::path::PathBuf;
use std::time::Duration;

use edgesim_lambda::{LambdaError, LambdaFunction, LambdaOptions};
use serde_json::{json, Value};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

async fn start(runtime: &str, handler: &str) -> LambdaFunction {
    try_start(runtime, handler, Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("{handler}: {e}"))
}

async fn try_start(
    runtime: &str,
    handler: &str,
    timeout: Duration,
) -> Result<LambdaFunction, LambdaError> {
    let mut options = LambdaOptions::new(runtime, handler);
    options.base_dir = fixtures();
    options.timeout = timeout;
    options.pool_size = 1;
    LambdaFunction::start(options).await
}

fn ok(invocation: &edgesim_lambda::Invocation) -> Value {
    match &invocation.outcome {
        Ok(Some(value)) => value.clone(),
        other => panic!(
            "expected a payload, got {other:?}; logs {:?}",
            invocation.logs
        ),
    }
}

#[tokio::test]
async fn node_async_handler_gets_the_event_and_a_context_and_logs_apart() {
    let function = start("nodejs20.x", "node/handlers.asyncEcho").await;
    let invocation = function.invoke(json!({"n": 7})).await;
    let result = ok(&invocation);
    assert_eq!(result["event"], json!({"n": 7}));
    assert_eq!(result["requestId"], json!(invocation.request_id));
    assert_eq!(result["remaining"], json!(true));
    assert_eq!(invocation.logs.len(), 1, "{:?}", invocation.logs);
    let line = &invocation.logs[0];
    assert!(line.starts_with("[us-east-1.node] "), "{line}");
    assert!(
        line.ends_with(&format!("\t{}\tINFO\techo 7", invocation.request_id)),
        "{line}"
    );
}

#[tokio::test]
async fn node_callback_handlers_succeed_and_fail() {
    let function = start("nodejs20.x", "node/handlers.callbackOk").await;
    assert_eq!(
        ok(&function.invoke(json!({})).await),
        json!({"style": "callback"})
    );

    let function = start("nodejs20.x", "node/handlers.callbackErr").await;
    match function.invoke(json!({})).await.outcome {
        Err(LambdaError::Handler {
            error_type,
            error_message,
            stack,
        }) => {
            assert_eq!(error_type, "Error");
            assert_eq!(error_message, "callback failure");
            assert!(stack.iter().any(|l| l.contains("handlers.js")), "{stack:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn node_throws_and_rejections_are_handler_errors() {
    let function = start("nodejs20.x", "node/handlers.throws").await;
    let outcome = function.invoke(json!({})).await.outcome;
    assert!(
        matches!(&outcome, Err(LambdaError::Handler { error_type, error_message, .. })
            if error_type == "TypeError" && error_message == "boom"),
        "{outcome:?}"
    );
    let function = start("nodejs20.x", "node/handlers.syncThrow").await;
    let outcome = function.invoke(json!({})).await.outcome;
    assert!(
        matches!(&outcome, Err(LambdaError::Handler { error_type, .. }) if error_type == "TypeError"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn node_plain_function_without_callback_gives_no_payload_and_null_is_a_payload() {
    let function = start("nodejs20.x", "node/handlers.noReturn").await;
    let invocation = function.invoke(json!({})).await;
    assert_eq!(invocation.outcome, Ok(None));
    assert!(invocation.logs[0].ends_with("forgot the callback"));
    let function = start("nodejs20.x", "node/handlers.returnsNull").await;
    assert_eq!(
        function.invoke(json!({})).await.outcome,
        Ok(Some(Value::Null))
    );
}

#[tokio::test]
async fn node_es_modules_load_by_extension_and_by_package_type() {
    let function = start("nodejs20.x", "esm/index.handler").await;
    let event = json!({"Records": [{"cf": {"request": {"uri": "/x"}}}]});
    assert_eq!(
        ok(&function.invoke(event).await),
        json!({"esm": true, "uri": "/x"})
    );
    let function = start("nodejs20.x", "esm/typemodule/index.handler").await;
    assert_eq!(
        ok(&function.invoke(json!({})).await),
        json!({"typeModule": true})
    );
    let function = start("nodejs20.x", "node/handlers.nested.inner").await;
    assert_eq!(
        ok(&function.invoke(json!({})).await),
        json!({"nested": true})
    );
}

#[tokio::test]
async fn node_timeout_kills_the_worker_and_the_next_invoke_gets_a_fresh_one() {
    let function = try_start(
        "nodejs20.x",
        "node/handlers.spin",
        Duration::from_millis(300),
    )
    .await
    .unwrap();
    let invocation = function.invoke(json!({})).await;
    assert_eq!(
        invocation.outcome,
        Err(LambdaError::Timeout {
            timeout: Duration::from_millis(300)
        })
    );
    assert!(invocation
        .logs
        .last()
        .unwrap()
        .ends_with("Task timed out after 0.30 seconds"));
    assert!(invocation.duration < Duration::from_secs(3));
    // The worker was replaced: the next invocation runs (and times out) again.
    let again = function.invoke(json!({})).await;
    assert!(matches!(again.outcome, Err(LambdaError::Timeout { .. })));
}

#[tokio::test]
async fn node_crash_fails_only_the_invocation_in_flight_and_the_worker_respawns() {
    let mut options = LambdaOptions::new("nodejs20.x", "node/handlers.counter");
    options.base_dir = fixtures();
    options.pool_size = 1;
    let counter = LambdaFunction::start(options).await.unwrap();
    assert_eq!(ok(&counter.invoke(json!({})).await), json!({"count": 1}));
    assert_eq!(
        ok(&counter.invoke(json!({})).await),
        json!({"count": 2}),
        "module state is kept"
    );
    let warm = counter.invoke(json!({})).await;
    assert!(
        warm.duration < Duration::from_millis(250),
        "a warm invocation took {:?}",
        warm.duration
    );

    let function = start("nodejs20.x", "node/handlers.crash").await;
    let invocation = function.invoke(json!({})).await;
    match &invocation.outcome {
        Err(LambdaError::Crash { message }) => {
            assert!(message.contains("exit status: 3"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        invocation.logs.iter().any(|l| l.ends_with("about to exit")),
        "{:?}",
        invocation.logs
    );
    let next = function.invoke(json!({})).await;
    assert!(
        matches!(next.outcome, Err(LambdaError::Crash { .. })),
        "a fresh worker ran it"
    );
}

#[tokio::test]
async fn node_uncaught_errors_fail_the_invocation_and_replace_the_worker() {
    let function = start("nodejs20.x", "node/handlers.unhandled").await;
    for _ in 0..2 {
        let outcome = function.invoke(json!({})).await.outcome;
        assert!(
            matches!(&outcome, Err(LambdaError::Handler { error_message, .. }) if error_message == "late"),
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn node_context_and_environment_look_like_lambdas() {
    let function = start("nodejs20.x", "node/handlers.context").await;
    assert_eq!(
        ok(&function.invoke(json!({})).await),
        json!({
            "functionName": "us-east-1.node",
            "functionVersion": "1",
            "memoryLimitInMB": "128",
            "invokedFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:node:1",
            "logGroupName": "/aws/lambda/us-east-1.node",
            "hasStream": true,
            "waits": true,
            "region": "us-east-1"
        })
    );
}

#[tokio::test]
async fn node_stdout_writes_never_reach_the_protocol() {
    let function = start("nodejs20.x", "node/handlers.stdoutWrite").await;
    let invocation = function.invoke(json!({})).await;
    assert_eq!(ok(&invocation), json!({"ok": true}));
    assert!(
        invocation.logs[0].ends_with("\tINFO\traw write"),
        "{:?}",
        invocation.logs
    );
    assert!(
        invocation.logs[1].ends_with("\tWARN\twarned"),
        "{:?}",
        invocation.logs
    );
}

#[tokio::test]
async fn node_bad_handlers_are_reported_at_start() {
    let missing = try_start("nodejs20.x", "node/handlers.nope", Duration::from_secs(5)).await;
    let Err(LambdaError::BadHandler { reason, .. }) = missing else {
        panic!("{missing:?}")
    };
    assert!(
        reason.contains("Runtime.HandlerNotFound: handlers.nope is undefined or not exported"),
        "{reason}"
    );
    let syntax = try_start("nodejs20.x", "node/syntax.handler", Duration::from_secs(5)).await;
    let Err(LambdaError::BadHandler { reason, .. }) = syntax else {
        panic!("{syntax:?}")
    };
    assert!(
        reason.starts_with("Runtime.UserCodeSyntaxError"),
        "{reason}"
    );
    let file = try_start("nodejs20.x", "node/absent.handler", Duration::from_secs(5)).await;
    assert!(
        matches!(file, Err(LambdaError::BadHandler { .. })),
        "{file:?}"
    );
}

#[tokio::test]
async fn node_version_mismatch_is_a_warning() {
    let function = start("nodejs8.x", "node/handlers.counter").await;
    assert!(function.warnings()[0].contains("runtime nodejs8.x runs on the local node v"));
}

#[tokio::test]
async fn node_concurrent_invocations_share_the_pool() {
    let mut options = LambdaOptions::new("nodejs20.x", "node/handlers.callbackOk");
    options.base_dir = fixtures();
    options.pool_size = 2;
    let function = LambdaFunction::start(options).await.unwrap();
    let runs = futures_join(&function, 6).await;
    assert!(runs.iter().all(|v| v == &json!({"style": "callback"})));
}

async fn futures_join(function: &LambdaFunction, n: usize) -> Vec<Value> {
    let mut handles = Vec::new();
    for _ in 0..n {
        handles.push(function.invoke(json!({})));
    }
    let mut out = Vec::new();
    // Poll all of them concurrently.
    let results = join_all(handles).await;
    for invocation in results {
        out.push(ok(&invocation));
    }
    out
}

async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *output = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[tokio::test]
async fn concurrency_above_the_limit_is_throttled() {
    let mut options = LambdaOptions::new("nodejs20.x", "node/handlers.callbackOk");
    options.base_dir = fixtures();
    options.pool_size = 1;
    options.max_concurrency = 1;
    let function = LambdaFunction::start(options).await.unwrap();
    let results = join_all(vec![function.invoke(json!({})), function.invoke(json!({}))]).await;
    let throttled = results
        .iter()
        .filter(|r| matches!(r.outcome, Err(LambdaError::LimitExceeded { limit: 1 })))
        .count();
    assert_eq!(throttled, 1);
}

#[tokio::test]
async fn python_handler_gets_event_and_context_and_print_is_captured() {
    let function = start("python3.11", "python/handlers.echo").await;
    let invocation = function.invoke(json!({"n": 3})).await;
    let result = ok(&invocation);
    assert_eq!(result["event"], json!({"n": 3}));
    assert_eq!(result["requestId"], json!(invocation.request_id));
    assert_eq!(result["remaining"], json!(true));
    assert_eq!(invocation.logs.len(), 1, "{:?}", invocation.logs);
    assert!(
        invocation.logs[0].ends_with("\tINFO\techo 3"),
        "{:?}",
        invocation.logs
    );
    assert!(invocation.logs[0].starts_with("[us-east-1.python] "));
}

#[tokio::test]
async fn python_exception_carries_a_traceback_with_the_source_line() {
    let function = start("python3.11", "python/handlers.raises").await;
    match function.invoke(json!({})).await.outcome {
        Err(LambdaError::Handler {
            error_type,
            error_message,
            stack,
        }) => {
            assert_eq!(error_type, "KeyError");
            assert_eq!(error_message, "'missing'");
            let text = stack.join("\n");
            assert!(text.contains("handlers.py\", line 14, in raises"), "{text}");
            assert!(text.contains("return event[\"missing\"]"), "{text}");
            assert!(!text.contains("_edgesim_lambda"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn python_timeout_interrupts_a_busy_handler_and_the_next_invoke_works() {
    let function = try_start(
        "python3.11",
        "python/handlers.spin",
        Duration::from_millis(200),
    )
    .await
    .unwrap();
    let invocation = function.invoke(json!({})).await;
    assert_eq!(
        invocation.outcome,
        Err(LambdaError::Timeout {
            timeout: Duration::from_millis(200)
        })
    );
    assert!(
        invocation.duration < Duration::from_secs(2),
        "{:?}",
        invocation.duration
    );
    let counter = start("python3.11", "python/handlers.counter").await;
    assert_eq!(ok(&counter.invoke(json!({})).await), json!({"count": 1}));
}

#[tokio::test]
async fn python_handler_stuck_in_c_code_times_out_and_the_interpreter_moves_on() {
    let function = try_start(
        "python3.11",
        "python/handlers.sleeps",
        Duration::from_millis(200),
    )
    .await
    .unwrap();
    let invocation = function.invoke(json!({})).await;
    assert!(matches!(
        invocation.outcome,
        Err(LambdaError::Timeout { .. })
    ));
    assert!(
        invocation.duration < Duration::from_millis(2500),
        "{:?}",
        invocation.duration
    );
    let echo = start("python3.11", "python/handlers.echo").await;
    assert_eq!(
        ok(&echo.invoke(json!({"n": 1})).await)["event"],
        json!({"n": 1})
    );
}

#[tokio::test]
async fn python_results_follow_json_dumps_and_sys_exit_is_a_crash() {
    let function = start("python3.11", "python/handlers.returns_bytes").await;
    let outcome = function.invoke(json!({})).await.outcome;
    assert!(
        matches!(&outcome, Err(LambdaError::Handler { error_type, .. }) if error_type == "Runtime.MarshalError"),
        "{outcome:?}"
    );
    let function = start("python3.11", "python/handlers.returns_none").await;
    assert_eq!(
        function.invoke(json!({})).await.outcome,
        Ok(Some(Value::Null))
    );
    let function = start("python3.11", "python/handlers.exits").await;
    assert!(matches!(
        function.invoke(json!({})).await.outcome,
        Err(LambdaError::Crash { .. })
    ));
}

#[tokio::test]
async fn python_context_and_module_isolation() {
    let function = start("python3.12", "python/handlers.context_fields").await;
    assert!(function.warnings()[0].contains("runtime python3.12 runs on the local python3 3.11"));
    assert_eq!(
        ok(&function.invoke(json!({})).await),
        json!({
            "function_name": "us-east-1.python",
            "memory": "128",
            "arn": "arn:aws:lambda:us-east-1:123456789012:function:python:1",
            "group": "/aws/lambda/us-east-1.python"
        })
    );
    // Two functions from the same file get separate module state.
    let a = start("python3.11", "python/handlers.counter").await;
    let b = start("python3.11", "python/handlers.counter").await;
    assert_eq!(ok(&a.invoke(json!({})).await), json!({"count": 1}));
    assert_eq!(ok(&a.invoke(json!({})).await), json!({"count": 2}));
    assert_eq!(ok(&b.invoke(json!({})).await), json!({"count": 1}));
}

#[tokio::test]
async fn python_bad_handlers_are_reported_at_start() {
    let missing = try_start("python3.11", "python/handlers.nope", Duration::from_secs(5)).await;
    let Err(LambdaError::BadHandler { reason, .. }) = missing else {
        panic!("{missing:?}")
    };
    assert!(
        reason.starts_with("Runtime.HandlerNotFound: Handler 'nope' missing on module"),
        "{reason}"
    );
    let syntax = try_start(
        "python3.11",
        "python/syntax.handler",
        Duration::from_secs(5),
    )
    .await;
    let Err(LambdaError::BadHandler { reason, .. }) = syntax else {
        panic!("{syntax:?}")
    };
    assert!(
        reason.starts_with("Runtime.UserCodeSyntaxError"),
        "{reason}"
    );
    assert!(reason.contains("syntax.py"), "{reason}");
}

/// Runs `n` invocations of `event` at once; returns them and how long the slowest took.
async fn at_once(
    function: &LambdaFunction,
    n: usize,
    event: Value,
) -> (Vec<edgesim_lambda::Invocation>, Duration) {
    let start = std::time::Instant::now();
    let runs = join_all((0..n).map(|_| function.invoke(event.clone())).collect()).await;
    (runs, start.elapsed())
}

#[tokio::test]
async fn node_concurrent_timeouts_each_end_on_their_own_clock() {
    let mut options = LambdaOptions::new("nodejs20.x", "node/handlers.spinIf");
    options.base_dir = fixtures();
    options.timeout = Duration::from_secs(1);
    let function = LambdaFunction::start(options).await.unwrap();
    let (runs, slowest) = at_once(&function, 8, json!({"spin": true})).await;
    for run in &runs {
        assert!(
            matches!(run.outcome, Err(LambdaError::Timeout { .. })),
            "{:?}",
            run.outcome
        );
    }
    // Queued behind each other they would take 2 s (two at a time: 4 s, one at a time: 8 s).
    assert!(
        slowest < Duration::from_millis(1900),
        "the slowest took {slowest:?}"
    );
    assert_eq!(ok(&function.invoke(json!({})).await), json!({"ok": true}));
}

#[tokio::test]
async fn python_concurrent_timeouts_each_end_on_their_own_clock() {
    let mut options = LambdaOptions::new("python3.11", "python/handlers.hostile");
    options.base_dir = fixtures();
    options.timeout = Duration::from_secs(1);
    let function = LambdaFunction::start(options).await.unwrap();
    let (runs, slowest) = at_once(&function, 4, json!({"do": "spin"})).await;
    for run in &runs {
        assert!(
            matches!(run.outcome, Err(LambdaError::Timeout { .. })),
            "{:?}",
            run.outcome
        );
    }
    assert!(
        slowest < Duration::from_millis(1900),
        "the slowest took {slowest:?}"
    );
}

#[tokio::test]
async fn node_worker_over_its_memory_is_stopped_and_replaced() {
    let function = start("nodejs20.x", "node/handlers.leaky").await;
    let leak = function.invoke(json!({"leak": true})).await;
    assert!(
        matches!(&leak.outcome, Err(LambdaError::Crash { .. })),
        "{:?}",
        leak.outcome
    );
    assert!(
        leak.duration < Duration::from_secs(20),
        "{:?}",
        leak.duration
    );
    assert_eq!(ok(&function.invoke(json!({})).await), json!({"ok": true}));
}

#[tokio::test]
async fn python_worker_over_its_memory_is_stopped_and_replaced() {
    let function = start("python3.11", "python/handlers.leaky").await;
    let leak = function.invoke(json!({"leak": true})).await;
    assert!(leak.outcome.is_err(), "{:?}", leak.outcome);
    assert!(
        leak.duration < Duration::from_secs(20),
        "{:?}",
        leak.duration
    );
    assert_eq!(ok(&function.invoke(json!({})).await), json!({"ok": true}));
}

#[tokio::test]
async fn python_handlers_end_or_deafen_only_their_own_worker() {
    let function = try_start(
        "python3.11",
        "python/handlers.hostile",
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    let exit = function.invoke(json!({"do": "exit"})).await.outcome;
    assert!(
        matches!(&exit, Err(LambdaError::Crash { message }) if message.contains("exit status: 7")),
        "{exit:?}"
    );
    let closed = function.invoke(json!({"do": "close"})).await.outcome;
    assert!(closed.is_err(), "{closed:?}");
    let busy = function.invoke(json!({"do": "busy_c"})).await.outcome;
    assert!(matches!(busy, Err(LambdaError::Timeout { .. })), "{busy:?}");
    // A handler that ignores SIGINT does so in its own process group, away from ours.
    let sigint = ok(&function.invoke(json!({"do": "sigint"})).await);
    assert_eq!(sigint, json!({"ok": true, "pgid_is_own": true}));
    assert_eq!(
        ok(&function.invoke(json!({})).await),
        json!({"ok": true, "pgid_is_own": true})
    );
}

#[tokio::test]
async fn node_stderr_without_a_newline_does_not_hold_the_answer() {
    let function = start("nodejs20.x", "node/handlers.partialStderr").await;
    let start = std::time::Instant::now();
    for _ in 0..4 {
        let invocation = function.invoke(json!({})).await;
        assert_eq!(ok(&invocation), json!({"ok": true}));
        assert!(
            invocation
                .logs
                .iter()
                .any(|l| l.ends_with("\tINFO\tno newline")),
            "{:?}",
            invocation.logs
        );
    }
    // Waiting for a missing end-of-line marker cost 0.5 s per invocation.
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
}
