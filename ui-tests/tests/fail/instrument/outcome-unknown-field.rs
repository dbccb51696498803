use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, instrument_metric};

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    status: Status,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Api {
    /// Requests, by status.
    requests_total: Family<Request, Counter>,
}

/// Names a field the label set expression does not have.
#[instrument_metric(count = Api::global().requests_total, labels = Request { status: Status::Ok }, outcome = stauts)]
fn misspelt() {}

/// Names a field without a label set.
#[instrument_metric(count = Api::global().requests_total, outcome = status)]
fn without_labels() {}

/// Names a field of metrics it declares itself.
#[instrument_metric(subsystem = "ui", outcome = status)]
fn declared() {}

/// Names a field with something else than a name.
#[instrument_metric(count = Api::global().requests_total, labels = Request { status }, outcome = "status")]
fn quoted() {}

fn main() {
    misspelt();
    without_labels();
    declared();
    quoted();
}
