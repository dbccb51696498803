//! `errors` on an alert that is not an error ratio (here `absent`).
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
    #[alert(name = "UiRequestsAbsent", absent, errors = [Outcome::Error], summary = "No requests are counted")]
    requests_total: Family<Request, Counter>,
}

fn main() {}
