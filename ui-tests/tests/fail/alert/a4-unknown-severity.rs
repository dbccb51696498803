//! A4: severity `page` is none of `critical`, `warning`, `info`.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueLong", above = 100.0, severity = "page", summary = "The queue is long")]
    queued_jobs: IntGauge,
}

fn main() {}
