//! `errors` naming variants of an enum that is not the type of any label of
//! the metric: a compile-time (const evaluation) error.
use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled, by method.
    #[alert(name = "UiErrorsHigh", error_ratio = 0.05, errors = [Outcome::Error], summary = "Requests fail")]
    requests_total: Family<Request, Counter>,
}

fn main() {
    let _ = Outcome::Ok;
}
