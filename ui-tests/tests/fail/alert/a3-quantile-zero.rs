//! A3: quantile 0.0: a quantile is strictly between 0 and 1.
use metricate::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[alert(name = "UiRequestsSlow", quantile = 0.0, above = 1.0, summary = "Requests are slow")]
    request_duration_seconds: Histogram,
}

fn main() {}
