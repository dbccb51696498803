//! A2: `above` on a counter, whose value only grows.
use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled.
    #[alert(name = "UiRequestsHigh", above = 1000.0, summary = "Many requests")]
    requests_total: Counter,
}

fn main() {}
