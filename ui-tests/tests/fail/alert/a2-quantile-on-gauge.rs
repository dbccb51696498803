//! A2: a quantile of a gauge, which has no buckets to compute it from.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueLong", quantile = 0.99, above = 100.0, summary = "The queue is long")]
    queued_jobs: IntGauge,
}

fn main() {}
