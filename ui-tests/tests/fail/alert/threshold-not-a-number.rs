//! A threshold written as a string: `above = "5"`.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueLong", above = "5", summary = "The queue is long")]
    queued_jobs: IntGauge,
}

fn main() {}
