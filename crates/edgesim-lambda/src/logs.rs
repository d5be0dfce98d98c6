//! Log lines and request ids, formatted as Lambda writes them to CloudWatch.
//!
//! A line is `[<function>] <timestamp>\t<request id>\t<LEVEL>\t<message>`: Lambda's Node.js
//! format (`2026-02-09T08:15:00.123Z\t<id>\tINFO\t…`) labelled with the function, since edgesim
//! prints the logs of several functions to one terminal.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::limits::MAX_LOG_LINES;

/// Collects one invocation's log lines, up to [`MAX_LOG_LINES`].
#[derive(Debug)]
pub(crate) struct LogSink {
    label: String,
    request_id: String,
    lines: Vec<String>,
    dropped: usize,
}

impl LogSink {
    pub(crate) fn new(function: &str, request_id: &str) -> Self {
        LogSink {
            label: function.to_owned(),
            request_id: request_id.to_owned(),
            lines: Vec::new(),
            dropped: 0,
        }
    }

    /// Adds one message; a multi-line message stays one entry, as in CloudWatch.
    pub(crate) fn push(&mut self, timestamp: Option<&str>, level: &str, message: &str) {
        if self.lines.len() >= MAX_LOG_LINES {
            self.dropped += 1;
            return;
        }
        let now;
        let timestamp = match timestamp {
            Some(t) => t,
            None => {
                now = utc_timestamp(SystemTime::now());
                &now
            }
        };
        self.lines.push(format!(
            "[{}] {timestamp}\t{}\t{level}\t{message}",
            self.label, self.request_id
        ));
    }

    /// Adds a platform line such as `Task timed out after 5.00 seconds`.
    pub(crate) fn platform(&mut self, message: &str) {
        let timestamp = utc_timestamp(SystemTime::now());
        self.lines.push(format!(
            "[{}] {timestamp} {} {message}",
            self.label, self.request_id
        ));
    }

    pub(crate) fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            let note = format!("{} more log lines dropped", self.dropped);
            self.platform(&note);
        }
        self.lines
    }
}

/// `2026-02-09T08:15:00.123Z` for a point in time (UTC, millisecond precision).
pub(crate) fn utc_timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A fresh Lambda request id: a random-looking UUID v4 (`awsRequestId`).
pub(crate) fn request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    let a = splitmix(nanos ^ count.rotate_left(32) ^ u64::from(std::process::id()));
    let b = splitmix(a ^ count);
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x4000; // version 4
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000; // RFC 4122 variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_iso_8601_utc_with_milliseconds() {
        let t = UNIX_EPOCH + Duration::from_millis(1_770_624_900_123);
        assert_eq!(utc_timestamp(t), "2026-02-09T08:15:00.123Z");
        assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(utc_timestamp(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn request_ids_are_distinct_v4_uuids() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn lines_are_labelled_and_capped() {
        let mut sink = LogSink::new("us-east-1.auth", "req-1");
        sink.push(Some("2026-01-01T00:00:00.000Z"), "INFO", "hello");
        assert_eq!(
            sink.finish(),
            vec!["[us-east-1.auth] 2026-01-01T00:00:00.000Z\treq-1\tINFO\thello"]
        );
    }
}
