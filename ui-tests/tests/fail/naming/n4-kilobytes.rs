use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Size of the cache.
    cache_size_kb: IntGauge,
}

fn main() {
    let _ = Ui::global();
}
