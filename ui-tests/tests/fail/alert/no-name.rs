//! An alert without `name`: the error is at the attribute.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(above = 100.0, summary = "The queue is long")]
    queued_jobs: IntGauge,
}

fn main() {}
