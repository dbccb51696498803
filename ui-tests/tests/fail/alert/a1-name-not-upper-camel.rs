//! A1: an alert name in snake_case; the help suggests its UpperCamelCase.
use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs waiting in the queue.
    #[alert(name = "ui_queue_long", above = 100.0, summary = "The queue is long")]
    queued_jobs: IntGauge,
}

fn main() {}
