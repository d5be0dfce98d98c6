//! The compute budget: CloudFront's `ComputeUtilization`, predicted from counted work, and the
//! thread CPU time this machine actually spent (docs/compute-utilization.md).
//!
//! Why a prediction: CloudFront reports a run's time as a percentage of the maximum allowed
//! (cloudfront-functions.md §10, docs/cloudfront/compute-utilization.md). Timing the run here
//! gives a figure that moves with the machine, its load, boa's garbage collector and cold
//! caches; the same function on the same event read 11, 12, 12, 25, 12. Instead every run counts
//! what it did, deterministically: the bytecode instructions boa executed (the handler, the
//! prelude helpers it called, callbacks and awaited continuations alike), the size of the event
//! handed in and of the object handed back, and the bytes each native built-in processed
//! (digests, HMAC, encodings, `JSON.parse`, KeyValueStore reads, `console.log`). A linear model,
//! fitted to the figures AWS published for its sample functions, turns that work into
//! CloudFront-equivalent microseconds; `ComputeUtilization` is those microseconds as a
//! percentage of the budget. Same function, same event: same figure, on any machine.
//!
//! What this machine really spent is still measured ([`thread_cpu_time`]) and reported next to
//! the prediction (`bench`, `Server-Timing`), labelled as measured: GC pauses and cold caches
//! belong there, not in the prediction.

use std::time::Duration;

use serde_json::Value;

/// CPU time consumed by the calling thread so far. Thread CPU time (not wall time): a busy
/// machine preempting the thread does not inflate the measured figure.
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is supported on Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// `min(100, round(100 · t / budget))`: a duration as a percentage of the budget. Used for the
/// measured figure; the predicted one goes through [`CostModel::utilization`].
pub fn compute_utilization(used: Duration, budget: Duration) -> u8 {
    percent(used.as_secs_f64() * 1e6, budget)
}

fn percent(micros: f64, budget: Duration) -> u8 {
    if budget.is_zero() {
        return 100;
    }
    let pct = (100.0 * micros / (budget.as_secs_f64() * 1e6)).round();
    if pct.is_nan() {
        return 100;
    }
    pct.clamp(0.0, 100.0) as u8
}

/// The native built-ins that do real work outside the bytecode, each charged per call and per
/// byte of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Native {
    /// `crypto.createHash(…).digest()`, `crypto.createHmac(…).digest()`.
    Crypto,
    /// UTF-8, hex and base64 encoding and decoding (Buffer, TextEncoder/Decoder, atob/btoa,
    /// `String.bytesFrom`, digest output encodings).
    Encoding,
    /// `JSON.parse`.
    Json,
    /// KeyValueStore `get` / `exists`.
    Kvs,
    /// `console.log`.
    Log,
}

impl Native {
    pub const ALL: [Native; 5] = [
        Native::Crypto,
        Native::Encoding,
        Native::Json,
        Native::Kvs,
        Native::Log,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Native::Crypto => "crypto",
            Native::Encoding => "encoding",
            Native::Json => "json",
            Native::Kvs => "kvs",
            Native::Log => "log",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Calls and input bytes of one kind of native built-in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NativeWork {
    pub calls: u32,
    pub bytes: u64,
}

/// What one run did, counted: identical for the same function and event on every run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Bytecode instructions boa executed during the run.
    pub instructions: u64,
    /// JSON values (objects, arrays, strings, numbers, …) in the event handed to the function
    /// plus those in the object it returned: building and reading them is work too.
    pub event_values: u64,
    /// Per kind of native built-in, indexed like [`Native::ALL`].
    pub natives: [NativeWork; 5],
}

impl Work {
    /// Records one native call over `bytes` of input.
    pub fn charge(&mut self, native: Native, bytes: usize) {
        let w = &mut self.natives[native.index()];
        w.calls += 1;
        w.bytes += bytes as u64;
    }

    pub fn native(&self, native: Native) -> NativeWork {
        self.natives[native.index()]
    }
}

/// How many JSON values `value` holds, itself included.
pub fn json_values(value: &Value) -> u64 {
    match value {
        Value::Object(map) => 1 + map.values().map(json_values).sum::<u64>(),
        Value::Array(items) => 1 + items.iter().map(json_values).sum::<u64>(),
        _ => 1,
    }
}

/// Per-call and per-byte cost of one kind of native, in CloudFront-equivalent microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NativeCost {
    pub per_call_us: f64,
    pub per_byte_us: f64,
}

/// The linear model from counted [`Work`] to CloudFront-equivalent microseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct CostModel {
    /// Fixed cost of a run: entering the function, setting up its scope. The same for both
    /// runtimes: once the event's size is accounted for, AWS's figures show no runtime
    /// difference (docs/compute-utilization.md), so a function moved from 1.0 to 2.0 keeps its
    /// figure.
    pub base_us: f64,
    /// Per bytecode instruction.
    pub per_instruction_us: f64,
    /// Per JSON value in the event and the result.
    pub per_event_value_us: f64,
    /// Per native, indexed like [`Native::ALL`].
    pub natives: [NativeCost; 5],
}

/// The coefficients fitted to AWS's published `test-function` figures (the fit, its data and
/// the command that reproduces it: docs/compute-utilization.md).
pub const FITTED: CostModel = CostModel {
    base_us: 25.33,
    per_instruction_us: 0.0375,
    per_event_value_us: 1.670,
    natives: [
        // Crypto: one HMAC-SHA256 block costs about as much as ~40 instructions.
        NativeCost {
            per_call_us: 2.0,
            per_byte_us: 0.02,
        },
        // Encoding
        NativeCost {
            per_call_us: 0.5,
            per_byte_us: 0.01,
        },
        // Json
        NativeCost {
            per_call_us: 1.0,
            per_byte_us: 0.02,
        },
        // Kvs
        NativeCost {
            per_call_us: 5.0,
            per_byte_us: 0.01,
        },
        // Log
        NativeCost {
            per_call_us: 1.0,
            per_byte_us: 0.01,
        },
    ],
};

impl CostModel {
    /// CloudFront-equivalent microseconds for `work`.
    pub fn micros(&self, work: &Work) -> f64 {
        let natives: f64 = Native::ALL
            .iter()
            .map(|&n| {
                let (w, c) = (work.native(n), self.natives[n.index()]);
                f64::from(w.calls) * c.per_call_us + w.bytes as f64 * c.per_byte_us
            })
            .sum();
        self.base_us
            + work.instructions as f64 * self.per_instruction_us
            + work.event_values as f64 * self.per_event_value_us
            + natives
    }

    /// The predicted `ComputeUtilization`: [`CostModel::micros`] as a rounded percentage of
    /// `budget`, capped at 100.
    pub fn utilization(&self, work: &Work, budget: Duration) -> u8 {
        percent(self.micros(work), budget)
    }
}

/// The predicted `ComputeUtilization` with the fitted model.
pub fn predicted_utilization(work: &Work, budget: Duration) -> u8 {
    FITTED.utilization(work, budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilisation_is_a_rounded_percentage_capped_at_100() {
        let ms = Duration::from_millis(1);
        assert_eq!(compute_utilization(Duration::from_micros(94), ms), 9);
        assert_eq!(compute_utilization(Duration::from_micros(95), ms), 10);
        assert_eq!(compute_utilization(Duration::from_millis(7), ms), 100);
        assert_eq!(compute_utilization(Duration::ZERO, ms), 0);
    }

    #[test]
    fn thread_cpu_time_advances_with_work() {
        let before = thread_cpu_time();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_add(std::hint::black_box(i));
        }
        std::hint::black_box(x);
        assert!(thread_cpu_time() > before);
    }

    #[test]
    fn more_work_never_predicts_less() {
        let ms = Duration::from_millis(1);
        let small = Work {
            instructions: 100,
            event_values: 20,
            ..Work::default()
        };
        let mut big = small;
        big.instructions = 10_000;
        big.charge(Native::Crypto, 64);
        let (s, b) = (
            predicted_utilization(&small, ms),
            predicted_utilization(&big, ms),
        );
        assert!(b > s, "{s} vs {b}");
        let endless = Work {
            instructions: 1 << 40,
            ..Work::default()
        };
        assert_eq!(predicted_utilization(&endless, ms), 100);
    }

    #[test]
    fn a_larger_budget_lowers_the_figure() {
        let work = Work {
            instructions: 2_000,
            event_values: 30,
            ..Work::default()
        };
        let one = predicted_utilization(&work, Duration::from_millis(1));
        let two = predicted_utilization(&work, Duration::from_millis(2));
        assert!(two < one && two > 0, "{one} vs {two}");
    }

    #[test]
    fn json_values_counts_every_node() {
        let v = serde_json::json!({"a": [1, 2, {"b": "c"}], "d": null});
        assert_eq!(json_values(&v), 7);
    }
}
