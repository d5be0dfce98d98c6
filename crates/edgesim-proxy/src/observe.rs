//! Per-request observability: time spent in each phase, the functions' ComputeUtilization,
//! the `Server-Timing` header and the one log line per request.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use http::HeaderValue;

/// The phases timed, named as in `Server-Timing` and the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    ViewerRequest,
    Cache,
    OriginRequest,
    Origin,
    OriginResponse,
    ViewerResponse,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::ViewerRequest => "viewer-request",
            Phase::Cache => "cache",
            Phase::OriginRequest => "origin-request",
            Phase::Origin => "origin",
            Phase::OriginResponse => "origin-response",
            Phase::ViewerResponse => "viewer-response",
        }
    }
}

/// What one request did.
#[derive(Debug)]
pub struct RequestLog {
    started: Instant,
    phases: Vec<(Phase, Duration)>,
    /// (trigger, function name, ComputeUtilization)
    functions: Vec<(&'static str, String, u8)>,
}

impl RequestLog {
    pub fn new() -> Self {
        RequestLog {
            started: Instant::now(),
            phases: Vec::with_capacity(4),
            functions: Vec::new(),
        }
    }

    /// Times `f` as `phase` (accumulating if the phase runs twice).
    pub fn time<T>(&mut self, phase: Phase, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.add(phase, start.elapsed());
        out
    }

    pub fn add(&mut self, phase: Phase, elapsed: Duration) {
        match self.phases.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, total)) => *total += elapsed,
            None => self.phases.push((phase, elapsed)),
        }
    }

    /// Time spent in `phase` so far.
    pub fn phase(&self, phase: Phase) -> Option<Duration> {
        self.phases
            .iter()
            .find(|(p, _)| *p == phase)
            .map(|(_, d)| *d)
    }

    /// Time since the request arrived.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn function(&mut self, trigger: &'static str, name: &str, utilization: u8) {
        self.functions.push((trigger, name.to_owned(), utilization));
    }

    /// The request's figures as data, for `edgesim bench` (attached to the response).
    pub fn report(&self, x_cache: &str) -> RequestReport {
        RequestReport {
            phases: self.phases.iter().map(|(p, d)| (p.name(), *d)).collect(),
            functions: self.functions.clone(),
            x_cache: x_cache.to_owned(),
        }
    }

    /// `Server-Timing: viewer-request;dur=0.041, cache;dur=0.003, origin;dur=1.2, …` in ms.
    pub fn server_timing(&self) -> Option<HeaderValue> {
        let mut text = String::new();
        for (phase, elapsed) in &self.phases {
            if !text.is_empty() {
                text.push_str(", ");
            }
            let _ = write!(
                text,
                "{};dur={:.3}",
                phase.name(),
                elapsed.as_secs_f64() * 1000.0
            );
            // The CloudFront Function's predicted ComputeUtilization (budget.rs), next to the
            // phase's measured time.
            if let Some((_, _, cu)) = self.functions.iter().find(|(t, _, _)| *t == phase.name()) {
                let _ = write!(text, ";desc=\"ComputeUtilization {cu}\"");
            }
        }
        let _ = write!(
            text,
            "{}total;dur={:.3}",
            if text.is_empty() { "" } else { ", " },
            self.started.elapsed().as_secs_f64() * 1000.0
        );
        HeaderValue::from_str(&text).ok()
    }

    /// The one `info` line per request.
    pub fn emit(&self, method: &str, uri: &str, status: u16, x_cache: &str, request_id: &str) {
        crate::dashboard::record_request(
            method,
            uri,
            status,
            x_cache,
            request_id,
            self.started.elapsed().as_micros() as u64,
            || {
                self.phases
                    .iter()
                    .map(|(p, d)| (p.name(), d.as_micros() as u64))
                    .collect()
            },
            || self.functions.clone(),
        );
        if !tracing::enabled!(target: "edgesim::request", tracing::Level::INFO) {
            return;
        }
        let mut phases = String::new();
        for (phase, elapsed) in &self.phases {
            let _ = write!(phases, " {}={}µs", phase.name(), elapsed.as_micros());
        }
        for (trigger, name, utilization) in &self.functions {
            let _ = write!(phases, " {trigger}:{name}:ComputeUtilization={utilization}");
        }
        tracing::info!(
            target: "edgesim::request",
            "{method} {uri} {status} \"{x_cache}\" total={}µs{phases} id={request_id}",
            self.started.elapsed().as_micros()
        );
    }
}

/// What one request did, as `edgesim bench` reads it: the response to [`crate::Distribution::handle`]
/// carries it as an extension.
#[derive(Debug, Clone, Default)]
pub struct RequestReport {
    /// Phase name (`viewer-request`, `cache`, `origin`…) and the time spent in it.
    pub phases: Vec<(&'static str, Duration)>,
    /// (event, function name, predicted ComputeUtilization) per CloudFront Function run.
    pub functions: Vec<(&'static str, String, u8)>,
    pub x_cache: String,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::new()
    }
}
