//! Throttling as CloudFront does it: statistical, not a per-run kill
//! (docs/cloudfront/compute-utilization.md).
//!
//! CloudFront throttles a function that *continuously* exceeds its time allowance; a single run
//! over the limit is not cut off. edgesim keeps, per function, a sliding window of its recent
//! runs and their predicted `ComputeUtilization` (budget.rs, so a slow or busy machine never
//! throttles a healthy function). When enough of the window is over the allowance the function
//! is throttled: for `cooldown` every request gets CloudFront's 503 `FunctionThrottledError`
//! without running; then the window starts afresh and the function gets another chance. The
//! parameters are not published by AWS; the defaults below are edgesim's and configurable
//! (`[throttle]` in edgesim.toml, `--no-throttle` on `serve`).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// When a function counts as continuously over its allowance.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottlePolicy {
    /// Throttling on at all (default on; `serve --no-throttle` turns it off).
    pub enabled: bool,
    /// A run whose predicted `ComputeUtilization` is at least this is over the allowance
    /// (default 100: the whole budget).
    pub over_utilization: u8,
    /// The window: runs older than this are forgotten (default 10 s)...
    pub window: Duration,
    /// ...and at most this many recent runs are kept (default 100).
    pub window_runs: usize,
    /// No verdict before the window holds this many runs (default 20), so one slow run, or a
    /// few, never throttles.
    pub min_runs: usize,
    /// Throttle when at least this share of the window's runs were over (default 0.5).
    pub over_share: f64,
    /// How long a throttled function refuses runs (default 5 s).
    pub cooldown: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            over_utilization: 100,
            window: Duration::from_secs(10),
            window_runs: 100,
            min_runs: 20,
            over_share: 0.5,
            cooldown: Duration::from_secs(5),
        }
    }
}

/// One function's window. Shared by every thread that runs the function.
#[derive(Debug)]
pub struct Throttle {
    policy: ThrottlePolicy,
    state: Mutex<Window>,
}

#[derive(Debug, Default)]
struct Window {
    /// (when, over the allowance)
    runs: VecDeque<(Instant, bool)>,
    over: usize,
    throttled_until: Option<Instant>,
}

impl Throttle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            state: Mutex::new(Window::default()),
        }
    }

    pub fn policy(&self) -> &ThrottlePolicy {
        &self.policy
    }

    /// Whether a run may start at `now`; `Err` carries how much longer the function stays
    /// throttled.
    pub fn admit(&self, now: Instant) -> Result<(), Duration> {
        if !self.policy.enabled {
            return Ok(());
        }
        let mut w = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match w.throttled_until {
            Some(until) if now < until => Err(until - now),
            Some(_) => {
                // The cooldown is over: a fresh window, a fresh chance.
                *w = Window::default();
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Records a finished run's predicted figure; returns whether the function is now throttled.
    pub fn record(&self, now: Instant, utilization: u8) -> bool {
        if !self.policy.enabled {
            return false;
        }
        let p = &self.policy;
        let mut w = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let over = utilization >= p.over_utilization;
        w.runs.push_back((now, over));
        w.over += usize::from(over);
        while w.runs.len() > p.window_runs
            || w.runs
                .front()
                .is_some_and(|(at, _)| now.saturating_duration_since(*at) > p.window)
        {
            if let Some((_, was_over)) = w.runs.pop_front() {
                w.over -= usize::from(was_over);
            }
        }
        let n = w.runs.len();
        if n >= p.min_runs && w.over as f64 >= p.over_share * n as f64 {
            w.throttled_until = Some(now + p.cooldown);
            return true;
        }
        false
    }
}

/// Counts how many runs of a sequence would have been throttled (for `bench`, which runs them
/// all anyway to measure them).
#[derive(Debug)]
pub struct ThrottleCounter {
    throttle: Throttle,
    /// Runs that arrived while the function was throttled.
    pub throttled: u64,
}

impl ThrottleCounter {
    pub fn new(mut policy: ThrottlePolicy) -> Self {
        policy.enabled = true;
        Self {
            throttle: Throttle::new(policy),
            throttled: 0,
        }
    }

    /// One run at `now` with its predicted figure.
    pub fn run(&mut self, now: Instant, utilization: u8) {
        if self.throttle.admit(now).is_err() {
            self.throttled += 1;
        } else {
            self.throttle.record(now, utilization);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            min_runs: 10,
            window_runs: 20,
            cooldown: Duration::from_secs(1),
            ..ThrottlePolicy::default()
        }
    }

    #[test]
    fn a_few_runs_over_budget_are_not_throttled() {
        let t = Throttle::new(policy());
        let start = Instant::now();
        for i in 0..100u32 {
            let at = start + Duration::from_millis(u64::from(i));
            assert!(t.admit(at).is_ok());
            // one run in ten is over the budget
            assert!(!t.record(at, if i % 10 == 0 { 100 } else { 30 }));
        }
    }

    #[test]
    fn a_function_that_keeps_going_over_is_throttled_then_gets_another_chance() {
        let t = Throttle::new(policy());
        let start = Instant::now();
        let mut throttled_at = None;
        for i in 0..10u64 {
            let at = start + Duration::from_millis(i);
            assert!(t.admit(at).is_ok(), "no verdict before min_runs");
            if t.record(at, 100) {
                throttled_at = Some(i);
            }
        }
        assert_eq!(throttled_at, Some(9));
        let soon = start + Duration::from_millis(500);
        assert!(t.admit(soon).is_err());
        let later = start + Duration::from_millis(1_100);
        assert!(t.admit(later).is_ok(), "the cooldown ended");
        assert!(!t.record(later, 100), "a fresh window needs min_runs again");
    }

    #[test]
    fn a_disabled_policy_never_throttles() {
        let t = Throttle::new(ThrottlePolicy {
            enabled: false,
            ..policy()
        });
        let now = Instant::now();
        for _ in 0..100 {
            assert!(t.admit(now).is_ok());
            assert!(!t.record(now, 100));
        }
    }

    #[test]
    fn the_counter_counts_runs_that_arrive_while_throttled() {
        let mut c = ThrottleCounter::new(policy());
        let now = Instant::now();
        for _ in 0..50 {
            c.run(now, 100);
        }
        assert_eq!(c.throttled, 40);
    }
}
