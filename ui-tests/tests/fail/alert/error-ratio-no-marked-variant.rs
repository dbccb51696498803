//! `error_ratio` without `errors` on a label set whose enum marks no variant
//! `#[label(error)]`: nothing says which values are failures (a
//! compile-time, const evaluation, error).
use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
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
    #[alert(name = "UiErrorsHigh", error_ratio = 0.05, summary = "Requests fail")]
    requests_total: Family<Request, Counter>,
}

fn main() {}
