//! `absent = true`: `absent` is a bare key.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "UiQueueAbsent", absent = true, summary = "The queue is not reported")]
    queued_jobs: IntGauge,
}

fn main() {}
