use metricate::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(bucket = [0.1, 1.0])]
    request_duration_seconds: Histogram,
}

fn main() {
    let _ = Ui::global();
}
