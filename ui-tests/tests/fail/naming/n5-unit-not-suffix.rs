use metricate::{Histogram, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to serve a request.
    #[metric(unit = "seconds")]
    request_latency: Histogram,
}

fn main() {
    let _ = Ui::global();
}
