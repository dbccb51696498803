use metricate::http::{ByResponse, HttpMetrics};
use metricate::{Counter, Family};

metricate::capped_label! {
    /// Route templates.
    pub struct Route: 7;
}

/// The API's HTTP metrics, without the duration the layer always records.
#[derive(HttpMetrics)]
struct Http {
    /// Requests served.
    requests_total: Family<ByResponse<Route>, Counter>,
    /// Time to serve a request, under a name the layer does not know.
    request_seconds: Family<ByResponse<Route>, metricate::Histogram>,
}

fn main() {}
