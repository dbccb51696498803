//! A metric may raise its own series limit above the policy's default of
//! 1,000 (up to the ceiling of 100,000): 10 * 10 * 20 = 2,000 series.

use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
#[rustfmt::skip]
enum Shard { S0, S1, S2, S3, S4, S5, S6, S7, S8, S9 }

#[derive(Clone, Copy, LabelValue)]
#[rustfmt::skip]
enum Slot {
    T0, T1, T2, T3, T4, T5, T6, T7, T8, T9,
    T10, T11, T12, T13, T14, T15, T16, T17, T18, T19,
}

#[derive(Clone, Copy, LabelSet)]
struct Placement {
    shard: Shard,
    replica: Shard,
    slot: Slot,
}

#[derive(Metrics)]
#[metrics(subsystem = "storage")]
struct Storage {
    /// Writes, per placement.
    #[metric(max_series = 5000)]
    writes_total: Family<Placement, Counter>,
    /// Reads, per placement, at exactly the ceiling.
    #[metric(max_series = 100_000)]
    reads_total: Family<Placement, Counter>,
}

fn main() {
    let storage = Storage::global();
    storage.writes_total.with(Placement { shard: Shard::S9, replica: Shard::S0, slot: Slot::T19 }).inc();
    storage.reads_total.with(Placement { shard: Shard::S1, replica: Shard::S2, slot: Slot::T3 }).inc_by(2);
}
