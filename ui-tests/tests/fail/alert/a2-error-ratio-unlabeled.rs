//! A2: an error ratio of a counter without labels: nothing tells failures
//! from the rest.
use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled.
    #[alert(name = "UiErrorsHigh", error_ratio = 0.05, summary = "Requests fail")]
    requests_total: Counter,
}

fn main() {}
