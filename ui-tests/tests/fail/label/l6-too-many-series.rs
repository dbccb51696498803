use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
#[rustfmt::skip]
enum Shard { S0, S1, S2, S3, S4, S5, S6, S7, S8, S9 }

#[derive(Clone, Copy, LabelSet)]
struct Placement {
    shard: Shard,
    replica: Shard,
    zone: Shard,
    rack: Option<Shard>,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Storage {
    /// Writes, per placement: 10 * 10 * 10 * 11 = 11,000 series.
    writes_total: Family<Placement, Counter>,
}

fn main() {}
