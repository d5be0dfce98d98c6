//! `edgesim bench`: latency budgets. Runs one CloudFront Function, one Lambda@Edge handler, or a
//! whole distribution (in process, through [`Distribution::handle`], the code `serve` runs, no
//! sockets) on events or replayed requests: warm-up, then N runs or a duration, and a
//! [`Report`] with latency percentiles, the predicted `ComputeUtilization` spread
//! (docs/compute-utilization.md), throughput, per-phase times, the hit ratio and how many runs
//! CloudFront would have throttled. Gates ([`Gates`]) turn a report into pass/fail for CI.

pub mod events;
pub mod replay;
pub mod stats;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use edgesim_functions::throttle::{ThrottleCounter, ThrottlePolicy};
use edgesim_functions::{CloudFrontFunction, InvokeInput};
use edgesim_lambda::LambdaFunction;
use http_body_util::BodyExt;
use serde::Serialize;

use crate::body::Body;
use crate::observe::RequestReport;
use crate::Distribution;
pub use events::NamedEvent;
pub use replay::{Malformed, Replay, ReplayRequest};
pub use stats::{Latency, Utilization};

/// How long to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Runs before measuring (cold contexts, caches, JIT-less warm-up of workers).
    pub warmup: u64,
    /// Measured runs; with `duration`, whichever ends first.
    pub runs: Option<u64>,
    pub duration: Option<Duration>,
    /// `ComputeUtilization` at or over this counts in the "over threshold" share (default 70:
    /// AWS's band "at or past the limit" starts at 71).
    pub threshold: u8,
    /// The throttling CloudFront would apply, to count throttled runs.
    pub throttle: ThrottlePolicy,
}

impl Plan {
    /// The number of measured runs when it is known in advance (for a progress bar).
    pub fn total(&self, default_runs: u64) -> Option<u64> {
        match (self.runs, self.duration) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(default_runs),
        }
    }
}

/// Counts measured runs against the plan.
struct Clock {
    runs: u64,
    limit: Option<u64>,
    deadline: Option<Instant>,
    started: Instant,
}

impl Clock {
    fn start(plan: &Plan, default_runs: u64) -> Self {
        let started = Instant::now();
        Self {
            runs: 0,
            limit: plan.total(default_runs),
            deadline: plan.duration.map(|d| started + d),
            started,
        }
    }

    fn next(&mut self) -> Option<u64> {
        if self.limit.is_some_and(|n| self.runs >= n)
            || self.deadline.is_some_and(|d| Instant::now() >= d)
        {
            return None;
        }
        self.runs += 1;
        Some(self.runs - 1)
    }
}

/// Per event or request.
#[derive(Debug, Clone, Serialize)]
pub struct InputStats {
    pub name: String,
    pub runs: u64,
    pub latency: Latency,
    /// The highest predicted `ComputeUtilization` of its runs (CloudFront Functions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compute_utilization: Option<u8>,
    pub errors: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

/// One phase of a distribution.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseStats {
    pub phase: String,
    pub runs: u64,
    pub latency: Latency,
}

/// What a bench run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `function`, `handler` or `distribution`.
    pub mode: &'static str,
    /// The function file, handler or config.
    pub target: String,
    pub runtime: Option<String>,
    pub warmup: u64,
    pub runs: u64,
    pub seconds: f64,
    pub throughput_per_s: f64,
    /// Wall time per run: one invocation (function), the round trip to the worker (handler),
    /// one request through the pipeline (distribution).
    pub latency: Latency,
    /// This machine's thread CPU time per invocation (functions): measured, not predicted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured_cpu: Option<Latency>,
    /// The handler's own time, as its worker measured it (Lambda@Edge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handler_time: Option<Latency>,
    /// The predicted `ComputeUtilization` of every measured run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compute_utilization: Option<Utilization>,
    /// Runs CloudFront would have throttled (sliding window over the predicted figure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttled_runs: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseStats>,
    /// Cache hits (`Hit`/`RefreshHit`) over all requests that reached the cache phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_ratio: Option<f64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub statuses: BTreeMap<u16, u64>,
    pub errors: u64,
    pub inputs: Vec<InputStats>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub malformed: Vec<Malformed>,
}

/// Collects samples per input.
#[derive(Default)]
struct Samples {
    latency: Vec<Duration>,
    cpu: Vec<Duration>,
    handler: Vec<Duration>,
    figures: Vec<u8>,
    per_input: Vec<InputSamples>,
    errors: u64,
}

#[derive(Default, Clone)]
struct InputSamples {
    latency: Vec<Duration>,
    max_cu: Option<u8>,
    errors: u64,
    first_error: Option<String>,
}

impl Samples {
    fn new(inputs: usize) -> Self {
        Self {
            per_input: vec![InputSamples::default(); inputs],
            ..Self::default()
        }
    }

    fn add(&mut self, input: usize, latency: Duration, error: Option<String>) {
        self.latency.push(latency);
        let s = &mut self.per_input[input];
        s.latency.push(latency);
        if let Some(e) = error {
            self.errors += 1;
            s.errors += 1;
            s.first_error.get_or_insert(e);
        }
    }

    fn figure(&mut self, input: usize, cu: u8) {
        self.figures.push(cu);
        let m = &mut self.per_input[input].max_cu;
        *m = Some(m.map_or(cu, |m| m.max(cu)));
    }

    fn inputs(&self, names: &[String]) -> Vec<InputStats> {
        names
            .iter()
            .zip(&self.per_input)
            .filter(|(_, s)| !s.latency.is_empty())
            .map(|(name, s)| InputStats {
                name: name.clone(),
                runs: s.latency.len() as u64,
                latency: Latency::of(&s.latency),
                compute_utilization: s.max_cu,
                errors: s.errors,
                first_error: s.first_error.clone(),
            })
            .collect()
    }
}

fn report(
    mode: &'static str,
    target: String,
    runtime: Option<String>,
    plan: &Plan,
    clock: &Clock,
    samples: &Samples,
    names: &[String],
) -> Report {
    let seconds = clock.started.elapsed().as_secs_f64();
    Report {
        mode,
        target,
        runtime,
        warmup: plan.warmup,
        runs: clock.runs,
        seconds,
        throughput_per_s: if seconds > 0.0 {
            clock.runs as f64 / seconds
        } else {
            0.0
        },
        latency: Latency::of(&samples.latency),
        measured_cpu: (!samples.cpu.is_empty()).then(|| Latency::of(&samples.cpu)),
        handler_time: (!samples.handler.is_empty()).then(|| Latency::of(&samples.handler)),
        compute_utilization: Utilization::of(&samples.figures, plan.threshold),
        throttled_runs: None,
        phases: Vec::new(),
        hit_ratio: None,
        statuses: BTreeMap::new(),
        errors: samples.errors,
        inputs: samples.inputs(names),
        malformed: Vec::new(),
    }
}

/// `rawQueryString()` for an event: the query map serialised back (as TestFunction does).
fn invoke_input(event: &serde_json::Value) -> InvokeInput {
    InvokeInput {
        raw_query: edgesim_functions::test_function::raw_query(event),
        ..InvokeInput::default()
    }
}

/// Benchmarks one CloudFront Function on `events` (round robin), on this thread: the real
/// runtime path, `CloudFrontFunction::invoke`.
pub fn function(
    function: &CloudFrontFunction,
    target: &str,
    events: &[NamedEvent],
    plan: &Plan,
    progress: &dyn Fn(u64),
) -> Report {
    let inputs: Vec<InvokeInput> = events.iter().map(|e| invoke_input(&e.event)).collect();
    for i in 0..plan.warmup as usize {
        let k = i % events.len();
        let _ = function.invoke(&events[k].event, &inputs[k]);
    }
    let mut samples = Samples::new(events.len());
    let mut throttle = ThrottleCounter::new(plan.throttle.clone());
    let mut clock = Clock::start(plan, 1000);
    while let Some(n) = clock.next() {
        let k = n as usize % events.len();
        let started = Instant::now();
        let run = function.invoke(&events[k].event, &inputs[k]);
        let elapsed = started.elapsed();
        samples.cpu.push(run.cpu_time);
        samples.figure(k, run.compute_utilization);
        throttle.run(Instant::now(), run.compute_utilization);
        samples.add(k, elapsed, run.outcome.err().map(|e| e.to_string()));
        progress(n + 1);
    }
    let names: Vec<String> = events.iter().map(|e| e.name.clone()).collect();
    let mut r = report(
        "function",
        target.to_owned(),
        Some(function.runtime().id().to_owned()),
        plan,
        &clock,
        &samples,
        &names,
    );
    r.throttled_runs = Some(throttle.throttled);
    r
}

/// Benchmarks one Lambda@Edge handler on `events`: the round trip to its worker (queueing,
/// the event's serialisation, the handler, the result's parsing) as the latency, and the
/// handler's own time as the worker measured it (`Invocation::handler_duration`) as
/// `handler_time`, so the IPC overhead is the difference.
pub async fn handler(
    function: &LambdaFunction,
    target: &str,
    events: &[NamedEvent],
    plan: &Plan,
    progress: &dyn Fn(u64),
) -> Report {
    for i in 0..plan.warmup as usize {
        let _ = function.invoke_ref(&events[i % events.len()].event).await;
    }
    let mut samples = Samples::new(events.len());
    let mut clock = Clock::start(plan, 200);
    while let Some(n) = clock.next() {
        let k = n as usize % events.len();
        let started = Instant::now();
        let run = function.invoke_ref(&events[k].event).await;
        let elapsed = started.elapsed();
        if let Some(own) = run.handler_duration {
            samples.handler.push(own);
        }
        samples.add(k, elapsed, run.outcome.err().map(|e| e.to_string()));
        progress(n + 1);
    }
    let names: Vec<String> = events.iter().map(|e| e.name.clone()).collect();
    report(
        "handler",
        target.to_owned(),
        Some(function.runtime().to_string()),
        plan,
        &clock,
        &samples,
        &names,
    )
}

/// Replays `requests` through the whole distribution in process: [`Distribution::handle`], the
/// pipeline `serve` runs, without sockets. Responses are read to the end.
pub async fn distribution(
    dist: &Distribution,
    target: &str,
    replay: &Replay,
    plan: &Plan,
    progress: &dyn Fn(u64),
) -> Report {
    let viewer: SocketAddr = ([203, 0, 113, 10], 50000).into();
    let requests = &replay.requests;
    for i in 0..plan.warmup as usize {
        let _ = send(dist, &requests[i % requests.len()], viewer).await;
    }
    let mut samples = Samples::new(requests.len());
    let mut phases: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    let mut statuses = BTreeMap::new();
    let (mut hits, mut cached) = (0u64, 0u64);
    let mut throttles: BTreeMap<String, ThrottleCounter> = BTreeMap::new();
    let mut clock = Clock::start(plan, requests.len() as u64);
    while let Some(n) = clock.next() {
        let k = n as usize % requests.len();
        let started = Instant::now();
        let (status, report) = send(dist, &requests[k], viewer).await;
        let elapsed = started.elapsed();
        *statuses.entry(status).or_insert(0u64) += 1;
        let error = (status >= 500).then(|| format!("{status} {}", report.x_cache));
        samples.add(k, elapsed, error);
        for (phase, d) in &report.phases {
            phases.entry(phase).or_default().push(*d);
        }
        for (trigger, name, cu) in &report.functions {
            samples.figure(k, *cu);
            throttles
                .entry(format!("{trigger}:{name}"))
                .or_insert_with(|| ThrottleCounter::new(plan.throttle.clone()))
                .run(Instant::now(), *cu);
        }
        if report.phases.iter().any(|(p, _)| *p == "cache") {
            cached += 1;
            hits += u64::from(
                report.x_cache.starts_with("Hit") || report.x_cache.starts_with("RefreshHit"),
            );
        }
        progress(n + 1);
    }
    let names: Vec<String> = requests
        .iter()
        .map(|r| format!("line {}: {} {}", r.line, r.method, r.uri))
        .collect();
    let mut r = report(
        "distribution",
        target.to_owned(),
        None,
        plan,
        &clock,
        &samples,
        &names,
    );
    const ORDER: [&str; 6] = [
        "viewer-request",
        "cache",
        "origin-request",
        "origin",
        "origin-response",
        "viewer-response",
    ];
    r.phases = ORDER
        .iter()
        .filter_map(|p| phases.get(p).map(|d| (p, d)))
        .map(|(p, d)| PhaseStats {
            phase: (*p).to_owned(),
            runs: d.len() as u64,
            latency: Latency::of(d),
        })
        .collect();
    r.hit_ratio = (cached > 0).then(|| hits as f64 / cached as f64);
    r.statuses = statuses;
    if !throttles.is_empty() {
        r.throttled_runs = Some(throttles.values().map(|t| t.throttled).sum());
    }
    r.malformed = replay.malformed.clone();
    r
}

async fn send(dist: &Distribution, r: &ReplayRequest, viewer: SocketAddr) -> (u16, RequestReport) {
    let mut builder = http::Request::builder()
        .method(r.method.as_str())
        .uri(r.uri.as_str());
    if let Some(host) = &r.host {
        builder = builder.header(http::header::HOST, host);
    }
    for (name, value) in &r.headers {
        builder = builder.header(name, value);
    }
    let request = match builder.body(crate::body::empty()) {
        Ok(request) => request,
        // Checked when the line was read; a header value that http refuses lands here.
        Err(_) => return (400, RequestReport::default()),
    };
    let response = dist.handle(request, viewer).await;
    let status = response.status().as_u16();
    let report = response
        .extensions()
        .get::<RequestReport>()
        .cloned()
        .unwrap_or_default();
    let body: Body = response.into_body();
    let _ = body.collect().await;
    (status, report)
}

/// Limits that make `bench` fail (exit 1), for CI.
#[derive(Debug, Clone, Default)]
pub struct Gates {
    pub max_utilization: Option<u8>,
    pub max_p99_us: Option<f64>,
}

impl Gates {
    /// The gates `report` crosses, each a sentence naming the target, the input and the figure.
    pub fn check(&self, report: &Report) -> Vec<String> {
        let mut out = Vec::new();
        let what = match report.mode {
            "distribution" => format!("distribution {}", report.target),
            mode => format!("{mode} {}", report.target),
        };
        if let Some(max) = self.max_utilization {
            for input in &report.inputs {
                if let Some(cu) = input.compute_utilization.filter(|&cu| cu > max) {
                    out.push(format!(
                        "{what}: {}: ComputeUtilization {cu} is over --max-utilization {max}",
                        input.name
                    ));
                }
            }
        }
        if let Some(max) = self.max_p99_us {
            for input in &report.inputs {
                if input.latency.p99_us > max {
                    out.push(format!(
                        "{what}: {}: p99 {:.0} µs is over --max-p99-us {max:.0}",
                        input.name, input.latency.p99_us
                    ));
                }
            }
        }
        out
    }
}
