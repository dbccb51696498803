use metricate::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(unit = "seconds", unit = "seconds")]
    request_duration_seconds: Histogram,
}

fn main() {
    let _ = Ui::global();
}
