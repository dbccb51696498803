//! An `errors` value without its enum: `Error` instead of `Outcome::Error`.
use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    #[label(error)]
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    result: Outcome,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled, by result.
    #[alert(name = "UiErrorsHigh", error_ratio = 0.05, errors = [Error], summary = "Requests fail")]
    requests_total: Family<Request, Counter>,
}

fn main() {}
