use metricate::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
#[metrics(subsystem = "edge")]
struct Ui {
    /// Time to serve a request.
    request_duration_seconds: Histogram,
}

fn main() {
    let _ = Ui::global();
}
