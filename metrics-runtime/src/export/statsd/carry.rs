//! The StatsD sink's carry-over of deltas: per series, the cumulative total
//! last sent, so that a delivery sends only what is new and a failed send
//! leaves it for the next delivery.
//!
//! StatsD counters are deltas: the daemon adds what it receives. Sending
//! `total - last_sent`, and advancing `last_sent` only once the datagram
//! holding the line went out, means that an increment is sent in exactly
//! one successful datagram: none is sent twice, and none is dropped by a
//! failed send. The total is the one read by the delivery's snapshot, never
//! a later read, so that increments made while the datagram is on its way
//! belong to the next delivery. `tests/loom.rs` model-checks this against
//! concurrent recorders through `metricate::__loom`.
//!
//! Plain data and `std` only: under `--cfg loom` this file is compiled into
//! `__loom` as well, without the `export` feature.
#![cfg_attr(loom, allow(dead_code))]

use std::collections::HashMap;
use std::hash::Hash;

/// A series' cumulative value, as a snapshot read it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Total {
    /// An integer counter.
    Count(u64),
    /// A floating-point counter.
    Float(f64),
    /// A histogram's count and sum (its buckets, when sent, are series of
    /// their own: integer counters).
    Histogram {
        /// The number of observations.
        count: u64,
        /// Their sum.
        sum: f64,
    },
}

/// What is new in a series since the total last sent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Delta {
    /// Increments of an integer counter.
    Count(u64),
    /// Increments of a floating-point counter.
    Float(f64),
    /// Observations of a histogram, and their sum.
    Histogram {
        /// New observations.
        count: u64,
        /// Their sum (negative when negative values were observed).
        sum: f64,
    },
}

/// Per series `K`, the total last sent.
#[derive(Debug)]
pub(crate) struct Carry<K> {
    sent: HashMap<K, Total>,
}

impl<K: Hash + Eq> Carry<K> {
    /// Nothing sent yet: the first delta of a series is its whole total.
    pub(crate) fn new() -> Carry<K> {
        Carry { sent: HashMap::new() }
    }

    /// What to send for series `key`, whose total is now `now`: `None` when
    /// nothing is new. A total below the one sent (a counter that was reset,
    /// or a series of another kind under the same key) starts over: its
    /// delta is the whole total. A total that is not finite has no delta.
    pub(crate) fn delta(&self, key: &K, now: Total) -> Option<Delta> {
        let last = self.sent.get(key).copied();
        match (now, last) {
            (Total::Count(now), Some(Total::Count(last))) if now >= last => nonzero(now - last).map(Delta::Count),
            (Total::Count(now), _) => nonzero(now).map(Delta::Count),
            (Total::Float(now), _) if !now.is_finite() => None,
            (Total::Float(now), Some(Total::Float(last))) if now >= last => {
                (now > last).then_some(Delta::Float(now - last))
            }
            (Total::Float(now), _) => (now != 0.0).then_some(Delta::Float(now)),
            (Total::Histogram { sum, .. }, _) if !sum.is_finite() => None,
            // The sum may go down (negative observations): only the count
            // tells a reset.
            (Total::Histogram { count, sum }, Some(Total::Histogram { count: c, sum: s })) if count >= c => {
                (count > c).then(|| Delta::Histogram { count: count - c, sum: sum - s })
            }
            (Total::Histogram { count, sum }, _) => (count > 0).then_some(Delta::Histogram { count, sum }),
        }
    }

    /// Records that the delta computed from `now` was sent: the next delta
    /// of `key` starts from `now`.
    pub(crate) fn sent(&mut self, key: K, now: Total) {
        self.sent.insert(key, now);
    }
}

fn nonzero(n: u64) -> Option<u64> {
    (n > 0).then_some(n)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_delta_is_what_is_new_since_the_last_send_and_a_failed_send_carries_it() {
        let mut carry = Carry::new();
        assert_eq!(carry.delta(&"a", Total::Count(0)), None);
        assert_eq!(carry.delta(&"a", Total::Count(5)), Some(Delta::Count(5)));
        carry.sent("a", Total::Count(5));
        assert_eq!(carry.delta(&"a", Total::Count(5)), None);
        // Not sent (the datagram failed): the next delta holds both.
        assert_eq!(carry.delta(&"a", Total::Count(7)), Some(Delta::Count(2)));
        assert_eq!(carry.delta(&"a", Total::Count(12)), Some(Delta::Count(7)));
        carry.sent("a", Total::Count(12));
        assert_eq!(carry.delta(&"a", Total::Count(13)), Some(Delta::Count(1)));
        // Another series is independent.
        assert_eq!(carry.delta(&"b", Total::Count(3)), Some(Delta::Count(3)));
        // A reset starts over.
        assert_eq!(carry.delta(&"a", Total::Count(4)), Some(Delta::Count(4)));
    }

    #[test]
    fn floats_and_histograms_carry_too() {
        let mut carry = Carry::new();
        carry.sent(1, Total::Float(1.5));
        assert_eq!(carry.delta(&1, Total::Float(4.0)), Some(Delta::Float(2.5)));
        assert_eq!(carry.delta(&1, Total::Float(1.5)), None);
        assert_eq!(carry.delta(&1, Total::Float(f64::INFINITY)), None);
        assert_eq!(carry.delta(&2, Total::Float(0.0)), None);

        let histogram = |count: u64, sum: f64| Total::Histogram { count, sum };
        carry.sent(3, histogram(1, 0.5));
        // Negative observations: the sum goes down, the count up.
        assert_eq!(carry.delta(&3, histogram(3, -3.5)), Some(Delta::Histogram { count: 2, sum: -4.0 }));
        assert_eq!(carry.delta(&3, histogram(1, 0.5)), None);
        // Fewer observations than sent: a reset.
        assert_eq!(carry.delta(&3, histogram(0, 0.0)), None);
        carry.sent(3, histogram(5, 9.0));
        assert_eq!(carry.delta(&3, histogram(2, 2.0)), Some(Delta::Histogram { count: 2, sum: 2.0 }));
    }
}
