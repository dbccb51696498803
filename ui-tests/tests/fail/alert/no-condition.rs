//! An alert that watches nothing: no `error_ratio`, `quantile`, `above`,
//! `below` or `absent`.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueLong", for = "5m", summary = "The queue is long")]
    queued_jobs: IntGauge,
}

fn main() {}
