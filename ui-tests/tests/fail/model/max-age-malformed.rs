use metricate::{Metrics, Summary};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(max_age = "ten minutes")]
    request_duration_seconds: Summary,
    /// Size of a response body.
    #[metric(max_age = "10")]
    response_size_bytes: Summary,
    /// Time to run a query.
    #[metric(max_age = "0s")]
    query_duration_seconds: Summary,
}

fn main() {
    let _ = Ui::global();
}
