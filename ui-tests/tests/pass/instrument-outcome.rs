//! `outcome = field`: the label that takes how the call ended under any name,
//! also written before `labels` and in an async function; beside it, every
//! other form of `labels`.

use std::future::Future;

use metricate::instrument::Outcome;
use metricate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics, instrument_metric};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
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
struct ByResult {
    result: Status,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui_outcome")]
struct Api {
    /// Requests, by method and status.
    requests_total: Family<Request, Counter>,
    /// Time per request, by method and status.
    request_duration_seconds: Family<Request, Histogram>,
    /// Requests, by result.
    results_total: Family<ByResult, Counter>,
}

/// Handles a request.
#[instrument_metric(
    count = Api::global().requests_total,
    duration = Api::global().request_duration_seconds,
    labels = Request { method, status },
    outcome = status,
)]
fn handle(method: Method, fail: bool) -> Result<(), ()> {
    if fail { Err(()) } else { Ok(()) }
}

/// The outcome field first, and the label set's fields in another order.
#[instrument_metric(count = Api::global().requests_total, outcome = status, labels = Request { status, method: Method::Post })]
async fn post() {}

/// `outcome = result` names the field `result`, as writing `result` does.
#[instrument_metric(count = Api::global().results_total, labels = ByResult { result }, outcome = result)]
fn explicit() {}

/// The form without `outcome` is unchanged.
#[instrument_metric(count = Api::global().results_total, labels = ByResult { result })]
fn implicit() -> Result<(), ()> {
    Err(())
}

/// So is a field written `field: result`.
#[instrument_metric(count = Api::global().requests_total, labels = Request { method: Method::Get, status: result })]
fn written_out() {}

fn main() {
    let _ = handle(Method::Get, false);
    let _ = handle(Method::Post, true);
    let mut posted = std::pin::pin!(post());
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let _ = posted.as_mut().poll(&mut cx);
    explicit();
    let _ = implicit();
    written_out();
}
