use metricate::http::{ByResponse, ByRoute, HttpMetrics};
use metricate::{Counter, Family, Gauge, Histogram};

metricate::capped_label! {
    /// Route templates.
    pub struct Route: 7;
}

/// The in-flight gauge declared a float gauge: the layer moves an `IntGauge`.
#[derive(HttpMetrics)]
struct Http {
    /// Requests served.
    requests_total: Family<ByResponse<Route>, Counter>,
    /// Time to serve a request.
    request_duration_seconds: Family<ByResponse<Route>, Histogram>,
    /// Requests being served.
    requests_in_flight: Family<ByRoute<Route>, Gauge>,
}

fn main() {}
