//! An alert without `summary`: the error is at the attribute.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueLong", above = 100.0)]
    queued_jobs: IntGauge,
}

fn main() {}
