use metricate::http::{ByRoute, HttpMetrics};
use metricate::{Counter, Family, Histogram};

metricate::capped_label! {
    /// Route templates.
    pub struct Route: 7;
}

/// Requests counted by route only: the layer counts by response.
#[derive(HttpMetrics)]
struct Http {
    /// Requests served.
    requests_total: Family<ByRoute<Route>, Counter>,
    /// Time to serve a request.
    request_duration_seconds: Family<ByRoute<Route>, Histogram>,
}

fn main() {}
