//! Summaries of a bench run's samples: latency percentiles and the ComputeUtilization spread.

use std::time::Duration;

use serde::Serialize;

/// Percentiles of a set of durations, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
}

impl Latency {
    /// Nearest-rank percentiles; all zero for no samples.
    pub fn of(samples: &[Duration]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        let mut us: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e6).collect();
        us.sort_by(f64::total_cmp);
        let at = |q: f64| us[((q * us.len() as f64).ceil() as usize).clamp(1, us.len()) - 1];
        Self {
            p50_us: at(0.50),
            p90_us: at(0.90),
            p99_us: at(0.99),
            max_us: us[us.len() - 1],
            mean_us: us.iter().sum::<f64>() / us.len() as f64,
        }
    }
}

/// The spread of predicted `ComputeUtilization` figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Utilization {
    pub min: u8,
    pub p50: u8,
    pub p90: u8,
    pub p99: u8,
    pub max: u8,
    /// Runs at or over `threshold` (AWS: 71–100 is "at or past the limit, throttling likely").
    pub threshold: u8,
    pub over_threshold: u64,
    pub over_threshold_share: f64,
}

impl Utilization {
    pub fn of(figures: &[u8], threshold: u8) -> Option<Self> {
        if figures.is_empty() {
            return None;
        }
        let mut sorted = figures.to_vec();
        sorted.sort_unstable();
        let at =
            |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        let over = sorted.iter().filter(|&&f| f >= threshold).count() as u64;
        Some(Self {
            min: sorted[0],
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: sorted[sorted.len() - 1],
            threshold,
            over_threshold: over,
            over_threshold_share: over as f64 / sorted.len() as f64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        let l = Latency::of(&samples);
        assert_eq!(
            (l.p50_us, l.p90_us, l.p99_us, l.max_us),
            (50.0, 90.0, 99.0, 100.0)
        );
        assert_eq!(Latency::of(&[]), Latency::default());
    }

    #[test]
    fn the_share_over_the_threshold_counts_runs_at_or_over_it() {
        let u = Utilization::of(&[10, 20, 70, 71, 100], 71).unwrap();
        assert_eq!((u.min, u.max, u.over_threshold), (10, 100, 2));
        assert!((u.over_threshold_share - 0.4).abs() < 1e-9);
        assert!(Utilization::of(&[], 70).is_none());
    }
}
