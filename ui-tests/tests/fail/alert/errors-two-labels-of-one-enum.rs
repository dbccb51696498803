//! `errors` naming variants of an enum that is the type of two labels of the
//! metric: which label counts failures is ambiguous (a const evaluation
//! error).
use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    result: Outcome,
    upstream_result: Outcome,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled, by result.
    #[alert(name = "UiErrorsHigh", error_ratio = 0.05, errors = [Outcome::Error], summary = "Requests fail")]
    requests_total: Family<Request, Counter>,
}

fn main() {}
