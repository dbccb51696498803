//! `errors` naming variants of two enums: the error is at the first of the
//! other enum.
use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelValue)]
enum Other {
    Good,
    Bad,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    result: Outcome,
    other: Other,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled, by result.
    #[alert(name = "UiErrorsHigh", error_ratio = 0.05, errors = [Outcome::Error, Other::Bad], summary = "Requests fail")]
    requests_total: Family<Request, Counter>,
}

fn main() {}
