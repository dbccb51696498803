//! An unknown key, `severty`: the error suggests `severity`.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueLong", above = 100.0, severty = "warning", summary = "The queue is long")]
    queued_jobs: IntGauge,
}

fn main() {}
