use metricate::{Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests in flight.
    #[metric(created)]
    in_flight_requests: Gauge,
}

fn main() {
    let _ = Ui::global();
}
