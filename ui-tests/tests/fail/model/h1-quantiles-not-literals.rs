use metricate::{Metrics, Summary};

const P99: f64 = 0.99;

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(quantiles = [0.5, P99])]
    request_duration_seconds: Summary,
    /// Size of a response body.
    #[metric(quantiles = 0.5)]
    response_size_bytes: Summary,
}

fn main() {
    let _ = (Ui::global(), P99);
}
