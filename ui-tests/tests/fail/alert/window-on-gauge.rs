//! `window` on an alert on a gauge value, which reads the latest sample.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueLong", above = 100.0, window = "5m", summary = "The queue is long")]
    queued_jobs: IntGauge,
}

fn main() {}
