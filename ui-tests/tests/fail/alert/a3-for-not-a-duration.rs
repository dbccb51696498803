//! A3: `for = "10 minutes"` is not a duration as Prometheus writes them.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueLong", above = 100.0, for = "10 minutes", summary = "The queue is long")]
    queued_jobs: IntGauge,
}

fn main() {}
