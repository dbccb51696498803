use metricate::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    request_latency_ms: Histogram,
}

fn main() {
    let _ = Ui::global();
}
