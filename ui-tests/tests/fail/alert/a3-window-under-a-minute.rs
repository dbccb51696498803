//! A3: a rate window of 30 s, shorter than a minute.
use metricate::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[alert(name = "UiRequestsSlow", quantile = 0.99, above = 1.0, window = "30s", summary = "Requests are slow")]
    request_duration_seconds: Histogram,
}

fn main() {}
