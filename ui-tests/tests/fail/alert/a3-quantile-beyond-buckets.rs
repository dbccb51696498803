//! A3: a quantile threshold at the histogram's largest bucket bound, which
//! a quantile read from the buckets never exceeds.
use metricate::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(buckets = [0.1, 0.5, 1.0, 5.0])]
    #[alert(name = "UiRequestsSlow", quantile = 0.99, above = 5.0, summary = "Requests are slow")]
    request_duration_seconds: Histogram,
}

fn main() {}
