use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests served.
    requests_total: Counter,
    /// Requests in flight.
    in_flight: u64,
}

fn main() {
    let _ = Ui::global();
}
