//! `error_ratio` without `errors` on a label set with two labels whose enums
//! mark `#[label(error)]` variants: which one counts is ambiguous (a const
//! evaluation error).
use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    #[label(error)]
    Error,
}

#[derive(Clone, Copy, LabelValue)]
enum Upstream {
    Reached,
    #[label(error)]
    Unreachable,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    result: Outcome,
    upstream: Upstream,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled, by result.
    #[alert(name = "UiErrorsHigh", error_ratio = 0.05, summary = "Requests fail")]
    requests_total: Family<Request, Counter>,
}

fn main() {}
