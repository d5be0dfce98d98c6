//! The compute budget: per-thread CPU time and CloudFront's `ComputeUtilization`.

use std::time::Duration;

/// CPU time consumed by the calling thread so far. Thread CPU time (not wall time) is what we
/// bill, so a busy machine preempting the thread does not inflate a function's utilisation.
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

/// `ComputeUtilization = min(100, round(100 · t / budget))` (cloudfront-functions.md §10).
pub fn compute_utilization(used: Duration, budget: Duration) -> u8 {
    if budget.is_zero() {
        return 100;
    }
    let pct = (100.0 * used.as_secs_f64() / budget.as_secs_f64()).round();
    pct.clamp(0.0, 100.0) as u8
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
}
