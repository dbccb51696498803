//! An alert with two conditions, `error_ratio` and `above`: the error is at
//! the second.
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
    #[alert(name = "UiErrorsHigh", error_ratio = 0.05, above = 10.0, summary = "Requests fail")]
    requests_total: Family<Request, Counter>,
}

fn main() {}
