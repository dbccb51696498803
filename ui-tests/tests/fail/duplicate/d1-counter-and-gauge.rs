use metricate::{Counter, IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs run.
    jobs_total: Counter,
    /// Jobs running.
    jobs: IntGauge,
}

fn main() {
    let _ = Ui::global();
}
