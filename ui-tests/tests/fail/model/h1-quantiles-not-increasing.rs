use metricate::{Metrics, Summary};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(quantiles = [0.5, 0.99, 0.9])]
    request_duration_seconds: Summary,
    /// Size of a response body.
    #[metric(quantiles = [0.5, 0.9, 0.9, 0.99])]
    response_size_bytes: Summary,
}

fn main() {
    let _ = Ui::global();
}
