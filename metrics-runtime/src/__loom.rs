//! The lock-free protocols on loom's atomics, for the models in
//! `tests/loom.rs` (built only under `--cfg loom`). Not public API: it hands
//! the shipped protocol functions, generic over [`crate::sync::Cell64`], to
//! the models.

pub use loom::sync::atomic::AtomicU64;

use crate::metric::{self, ReadScratch, Value};

/// The cells of one histogram series with `bounds` finite bounds.
pub fn histogram_cells(bounds: usize) -> Vec<AtomicU64> {
    let len = <crate::Histogram as crate::Metric>::CELLS.len(bounds);
    (0..len).map(|_| AtomicU64::new(0)).collect()
}

/// One observation, as `Histogram::observe` makes it.
pub fn observe(cells: &[AtomicU64], bounds: &[f64], v: f64) {
    metric::histogram_observe(cells, bounds, v);
}

/// One read, as a scrape makes it: per-bucket counts (`+Inf` last), sum and
/// count.
pub fn read(cells: &[AtomicU64], bounds: &[f64]) -> (Vec<u64>, f64, u64) {
    let mut scratch = ReadScratch::new();
    match metric::histogram_read(cells, bounds, &mut scratch) {
        Value::Histogram { buckets, sum, count, .. } => (buckets.to_vec(), sum, count),
        _ => unreachable!("a histogram reads as a histogram"),
    }
}

/// One increment of a sharded counter's shard.
pub fn sharded_add(shard: &AtomicU64, n: u64) {
    metric::sharded_add(shard, n);
}

/// A sharded counter's value.
pub fn sharded_sum(shards: &[AtomicU64]) -> u64 {
    metric::sharded_sum(shards.iter())
}

/// The carry-over of deltas of the `Statsd` sink, compiled from the sink's
/// own file (the `export` feature, and tokio's networking, are not part of
/// loom builds).
#[path = "export/statsd/carry.rs"]
mod carry;

/// The carry-over of the `Statsd` sink, for integer counter series numbered
/// from 0: per series, the total last sent.
#[derive(Debug)]
pub struct Carry(carry::Carry<usize>);

impl Default for Carry {
    fn default() -> Carry {
        Carry(carry::Carry::new())
    }
}

impl Carry {
    /// Nothing sent yet.
    pub fn new() -> Carry {
        Carry::default()
    }

    /// What a delivery sends for `series`, whose total its snapshot read as
    /// `total`: 0 when nothing is new.
    pub fn delta(&self, series: usize, total: u64) -> u64 {
        match self.0.delta(&series, carry::Total::Count(total)) {
            Some(carry::Delta::Count(n)) => n,
            _ => 0,
        }
    }

    /// Records that the datagram holding the line of `series`, computed
    /// from `total`, went out.
    pub fn sent(&mut self, series: usize, total: u64) {
        self.0.sent(series, carry::Total::Count(total));
    }
}
