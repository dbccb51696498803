use metricate::{Counter, Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(quantiles = [0.5, 0.9, 0.99], max_age = "10m")]
    request_duration_seconds: Histogram,
    /// Requests served.
    #[metric(age_buckets = 5)]
    requests_total: Counter,
}

fn main() {
    let _ = Ui::global();
}
