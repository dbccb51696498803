use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
#[rustfmt::skip]
enum Shard { S0, S1, S2, S3, S4, S5, S6, S7, S8, S9 }

#[derive(Clone, Copy, LabelSet)]
struct Placement {
    shard: Shard,
    replica: Shard,
    zone: Shard,
    rack: Shard,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Storage {
    /// Writes, per placement: 10,000 series, above the raised limit.
    #[metric(max_series = 5000)]
    writes_total: Family<Placement, Counter>,
}

fn main() {}
