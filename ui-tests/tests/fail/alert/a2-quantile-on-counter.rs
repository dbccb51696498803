//! A2: a quantile of a counter, which has no buckets to compute it from.
use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled.
    #[alert(name = "UiRequestsHigh", quantile = 0.99, above = 100.0, summary = "Many requests")]
    requests_total: Counter,
}

fn main() {}
