//! A2: an error ratio of a gauge: a ratio of rates needs a counter.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueErrors", error_ratio = 0.05, summary = "Jobs fail")]
    queued_jobs: IntGauge,
}

fn main() {}
