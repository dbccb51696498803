use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Size of the cache.
    größe_bytes: IntGauge,
}

fn main() {
    let _ = Ui::global();
}
