//! `#[metric(name = "..")]` keeps an existing full name; it still follows
//! every rule, and the descriptor carries it.

use metricate::{Counter, MetricGroup, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "http")]
struct Http {
    /// Requests handled, under the name dashboards already use.
    #[metric(name = "trc_api_requests_total")]
    requests_total: Counter,
}

fn main() {
    let http = Http::new_unregistered();
    http.requests_total.inc();
    let mut names = Vec::new();
    http.for_each_metric(&mut |d, _| names.push(d.name));
    assert_eq!(names, ["trc_api_requests_total"]);
}
