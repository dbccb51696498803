//! `errors` naming a variant that does not exist: rustc reports it at the
//! misspelt `Eror`.
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
    #[alert(name = "UiErrorsHigh", error_ratio = 0.05, errors = [Outcome::Eror], summary = "Requests fail")]
    requests_total: Family<Request, Counter>,
}

fn main() {}
