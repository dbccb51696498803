use metricate::instrument::Outcome;
use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, instrument_metric};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
}

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    Failed,
}

impl From<Outcome> for Status {
    fn from(outcome: Outcome) -> Status {
        if outcome == Outcome::Ok { Status::Ok } else { Status::Failed }
    }
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
    status: Status,
}

#[derive(Clone, Copy, LabelSet)]
struct Twice {
    status: Status,
    previous: Status,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Api {
    /// Requests, by method and status.
    requests_total: Family<Request, Counter>,
    /// Requests, by status twice.
    twice_total: Family<Twice, Counter>,
}

/// The outcome field has a value of its own.
#[instrument_metric(count = Api::global().requests_total, labels = Request { method: Method::Get, status: Status::Ok }, outcome = status)]
fn valued() {}

/// The outcome field is also a parameter.
#[instrument_metric(count = Api::global().requests_total, labels = Request { method: Method::Get, status }, outcome = status)]
fn parameter(status: Status) {
    let _ = status;
}

/// Another field is written `result` too.
#[instrument_metric(count = Api::global().twice_total, labels = Twice { status, previous: result }, outcome = status)]
fn twice() {}

fn main() {
    valued();
    parameter(Status::Failed);
    twice();
}
