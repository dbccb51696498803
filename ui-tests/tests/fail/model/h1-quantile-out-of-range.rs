use metricate::{Metrics, Summary};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(quantiles = [0.0, 0.5, 0.99, 1.0])]
    request_duration_seconds: Summary,
    /// Size of a response body.
    #[metric(quantiles = [-0.5, 0.5, 1.5])]
    response_size_bytes: Summary,
}

fn main() {
    let _ = Ui::global();
}
