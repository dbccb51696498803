//! A5: two alerts of one struct with the same name: the error is at the
//! second, and names both metrics.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiBacklog", above = 100.0, summary = "The queue is long")]
    queued_jobs: IntGauge,
    /// Jobs being retried.
    #[alert(name = "UiBacklog", above = 10.0, summary = "Many jobs are retried")]
    retrying_jobs: IntGauge,
}

fn main() {}
