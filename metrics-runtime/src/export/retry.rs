//! Backoff between attempts: exponential, with full jitter, never shorter
//! than what the destination asked for (`Retry-After`).

use std::time::{Duration, SystemTime};

/// The backoff policy of one sink.
#[derive(Clone, Debug)]
pub(crate) struct Backoff {
    base: Duration,
    max: Duration,
    rng: fastrand::Rng,
}

impl Backoff {
    pub(crate) fn new(base: Duration, max: Duration) -> Backoff {
        Backoff { base, max, rng: fastrand::Rng::new() }
    }

    /// The wait before retry `attempt` (1 for the first retry): a uniformly
    /// random duration up to `min(max, base × 2^(attempt-1))` (full jitter,
    /// so that many clients failing together do not retry together), or the
    /// destination's hint when that is longer (capped at `max` too: a
    /// server asking for an hour does not stall the sink for an hour; the
    /// next cadence point tries again).
    pub(crate) fn delay(&mut self, attempt: u32, hint: Option<Duration>) -> Duration {
        let ceiling = self.base.saturating_mul(1u32 << attempt.saturating_sub(1).min(31)).min(self.max);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let jittered = Duration::from_nanos(self.rng.u64(0..=nanos));
        match hint {
            Some(hint) => jittered.max(hint.min(self.max)),
            None => jittered,
        }
    }
}

/// The wait a `Retry-After` header asks for: seconds, or an HTTP date
/// (zero when it is in the past). `None` when it is neither.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_stays_under_the_growing_ceiling() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        for attempt in 1..=40 {
            let ceiling = Duration::from_millis(100 * (1u64 << (attempt - 1).min(20))).min(Duration::from_secs(2));
            for _ in 0..50 {
                assert!(backoff.delay(attempt, None) <= ceiling, "attempt {attempt}");
            }
        }
        // Jittered: not always the same.
        let delays: std::collections::BTreeSet<Duration> = (0..20).map(|_| backoff.delay(5, None)).collect();
        assert!(delays.len() > 1);
    }

    #[test]
    fn a_retry_after_hint_is_a_floor_up_to_the_maximum() {
        let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_secs(5));
        for _ in 0..50 {
            assert!(backoff.delay(1, Some(Duration::from_secs(3))) >= Duration::from_secs(3));
            assert_eq!(backoff.delay(1, Some(Duration::from_secs(3600))), Duration::from_secs(5));
        }
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
