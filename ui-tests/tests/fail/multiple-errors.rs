//! Every violation of a declaration is reported in one compile: the label
//! set's L3 and, in the metrics struct, an N3, an N4, an N7 and an H1.

use metricate::{Counter, Family, Gauge, Histogram, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    result: Outcome,
    client_email: Outcome,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests served.
    requests: Family<Request, Counter>,
    /// Time to serve a request.
    request_latency_ms: Histogram,
    queue_depth: Gauge,
    /// Time to apply a config.
    #[metric(buckets = [1.0, 0.5])]
    config_apply_seconds: Histogram,
}

fn main() {
    let _ = Ui::global();
}
