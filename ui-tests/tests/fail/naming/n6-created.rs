use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Sessions created.
    sessions_created: IntGauge,
}

fn main() {
    let _ = Ui::global();
}
