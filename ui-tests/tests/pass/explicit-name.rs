//! `#[metric(name = "..")]` keeps an existing full name, one that follows
//! every rule.

use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "http")]
struct Http {
    /// Requests handled, under the name dashboards already use.
    #[metric(name = "trc_api_requests_total")]
    requests_total: Counter,
}

fn main() {
    Http::global().requests_total.inc();
}
