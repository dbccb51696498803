//! The lock-free protocols on loom's atomics, for the models in
//! `tests/loom.rs` (built only under `--cfg loom`). Not public API: it hands
//! the shipped protocol functions, generic over [`crate::sync::Cell64`], to
//! the models.

pub use loom::sync::atomic::AtomicU64;

use crate::metric::{self, ReadScratch, Value};

/// The cells of one histogram series with `bounds` finite bounds.
pub fn histogram_cells(bounds: usize) -> Vec<AtomicU64> {
    (0..metric::HISTOGRAM_CELLS_BASE + 2 * bounds).map(|_| AtomicU64::new(0)).collect()
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
