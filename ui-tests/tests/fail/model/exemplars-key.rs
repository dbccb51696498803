use metricate::{Gauge, Metrics, Summary};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests in flight.
    #[metric(exemplars)]
    in_flight_requests: Gauge,
    /// Time to serve a request.
    #[metric(exemplars)]
    request_duration_seconds: Summary,
}

fn main() {
    let _ = Ui::global();
}
