use metricate::{Metrics, Summary};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(quantiles = [])]
    request_duration_seconds: Summary,
}

fn main() {
    let _ = Ui::global();
}
