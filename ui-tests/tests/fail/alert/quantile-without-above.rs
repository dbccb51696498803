//! A quantile with no threshold to compare it with.
use metricate::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[alert(name = "UiRequestsSlow", quantile = 0.99, summary = "Requests are slow")]
    request_duration_seconds: Histogram,
}

fn main() {}
