use metricate::{Metrics, Summary};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(max_age = "10m", age_buckets = 0)]
    request_duration_seconds: Summary,
    /// Size of a response body.
    #[metric(max_age = "1h", age_buckets = 61)]
    response_size_bytes: Summary,
}

fn main() {
    let _ = Ui::global();
}
