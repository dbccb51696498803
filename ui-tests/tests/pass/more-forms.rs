//! Forms not in all-forms.rs: a struct without a subsystem, families of every
//! metric type, a label set of several labels with an `Option` among them, a
//! one-value label, raw identifiers, negative and integer bucket bounds,
//! `pub(crate)` visibility, and use through `new_unregistered`.

use metricate::{
    Counter, Family, FloatCounter, Gauge, Histogram, IntGauge, LabelSet, LabelValue, Metrics, Registry,
};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelValue)]
enum Only {
    One,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
    status: Option<Status>,
    r#type: Only,
}

/// No subsystem: the names are `trc_<field>`.
#[derive(Metrics)]
pub(crate) struct Plain {
    /// Bytes written.
    pub(crate) written_bytes_total: Family<Request, FloatCounter>,
    /// Temperature of each request's handler.
    pub(crate) handler_celsius: Family<Request, Gauge>,
    /// Requests in flight.
    pub(crate) in_flight: Family<Request, IntGauge>,
    /// Clock skew against the reference clock.
    #[metric(buckets = [-1, -0.5, 0, 0.5, 1])]
    pub(crate) clock_skew_seconds: Family<Request, Histogram>,
    /// Matches of a raw-identifier field.
    pub(crate) r#match_total: Counter,
    /// A raw-identifier keyword as a whole field name.
    pub(crate) r#loop: IntGauge,
}

fn main() {
    let plain = Plain::global();
    let request = Request { method: Method::Post, status: Some(Status::Error), r#type: Only::One };
    plain.written_bytes_total.with(request).inc_by(1.5);
    plain.handler_celsius.with(request).set(40.0);
    plain.in_flight.with(request).inc();
    plain.clock_skew_seconds.with(request).observe(-0.25);
    plain.r#match_total.inc();
    plain.r#loop.set(1);

    let local = Plain::new_unregistered();
    local.in_flight.with(Request { method: Method::Get, status: None, r#type: Only::One }).set(7);
    let mut registry = Registry::new();
    registry.register_group(&local).unwrap();
}
