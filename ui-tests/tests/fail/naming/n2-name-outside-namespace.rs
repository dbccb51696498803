use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "http")]
struct Http {
    /// Requests handled, under a name kept from another system.
    #[metric(name = "http_requests_total")]
    requests_total: Counter,
}

fn main() {}
