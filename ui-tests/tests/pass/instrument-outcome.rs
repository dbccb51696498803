//! `outcome = field`: the label that takes how the call ended may have any
//! name; every other form of `labels` keeps working.

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
    handle(Method::Get, false).unwrap();
    handle(Method::Post, true).unwrap_err();
    let mut posted = std::pin::pin!(post());
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(posted.as_mut().poll(&mut cx).is_ready());
    explicit();
    implicit().unwrap_err();
    written_out();
    let api = Api::global();
    let get_ok = Request { method: Method::Get, status: Status::Ok };
    assert_eq!(api.requests_total.with(get_ok).get(), 2);
    assert_eq!(api.requests_total.with(Request { method: Method::Post, status: Status::Failed }).get(), 1);
    assert_eq!(api.requests_total.with(Request { method: Method::Post, status: Status::Ok }).get(), 1);
    assert_eq!(api.request_duration_seconds.with(get_ok).count(), 1);
    assert_eq!(api.results_total.with(ByResult { result: Status::Ok }).get(), 1);
    assert_eq!(api.results_total.with(ByResult { result: Status::Failed }).get(), 1);
}
