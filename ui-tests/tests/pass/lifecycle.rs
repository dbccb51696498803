//! Versions, one of them a pre-release, and a deprecation with its
//! replacement.

use metricate::{Counter, Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled.
    #[metric(version = "2.1.0")]
    requests_total: Counter,
    /// Queue depth.
    #[metric(version = "1.4.0-rc.1", deprecated = "split by queue", replacement = "trc_ui_queue_items")]
    queue_depth: Gauge,
}

fn main() {
    let ui = Ui::global();
    ui.requests_total.inc();
    ui.queue_depth.set(1.0);
}
