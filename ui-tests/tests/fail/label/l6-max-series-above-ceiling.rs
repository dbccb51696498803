use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Shard {
    S0,
    S1,
}

#[derive(Clone, Copy, LabelSet)]
struct Placement {
    shard: Shard,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Storage {
    /// Writes, per placement.
    #[metric(max_series = 200_000)]
    writes_total: Family<Placement, Counter>,
}

fn main() {
    let _ = Storage::global();
}
