use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Instances running.
    instances_count: IntGauge,
}

fn main() {
    let _ = Ui::global();
}
