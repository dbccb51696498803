//! `prometheus-client` (the official Rust client).
//!
//! Fastest documented paths: a `Counter` / `Histogram` handle held by the
//! caller; for labels, a typed label set (`#[derive(EncodeLabelSet)]` over
//! `#[derive(EncodeLabelValue)]` enums) and `Family::get_or_create` per call
//! (a hash of the label set, a read lock and a map lookup). Encoding:
//! `encoding::text::encode` into a reused `String`, which writes OpenMetrics
//! only.

use std::hint::black_box;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::common::{DEFAULT_BUCKETS, SEQUENCE, SERIES_BASE, SERIES_HELP, THREAD_CHILDREN, WIDE, series_value};
use crate::harness::{timed, two_threads};
use crate::{Cases, Encoding};

#[allow(non_camel_case_types, reason = "the variants are the label values, which this derive writes as spelled")]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
enum Method {
    get,
    post,
    put,
    delete,
}

#[allow(non_camel_case_types, reason = "the variants are the label values, which this derive writes as spelled")]
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
enum Status {
    ok,
    redirect,
    client_error,
    server_error,
    timeout,
}

const METHODS: [Method; 4] = [Method::get, Method::post, Method::put, Method::delete];
const STATUSES: [Status; 5] =
    [Status::ok, Status::redirect, Status::client_error, Status::server_error, Status::timeout];

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    method: Method,
    status: Status,
}

macro_rules! label_enum {
    ($name:ident [$($variant:ident),* $(,)?]) => {
        #[allow(non_camel_case_types, reason = "the variants are the label values `r00`, `c00`, `v000`")]
        #[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
        enum $name {
            $($variant),*
        }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),*];
        }
    };
}

with_rows!(label_enum!(Row));
with_cols!(label_enum!(Col));
with_wide!(label_enum!(Wide));

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Grid {
    a: Row,
    b: Col,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WideGrid {
    a: Row,
    b: Wide,
}

#[inline(never)]
fn counter(c: &Counter, n: u64) {
    for _ in 0..n {
        c.inc();
    }
}

#[inline(never)]
fn labeled(family: &Family<Request, Counter>, rounds: u64, sequence: &[Request; 20]) {
    for _ in 0..rounds {
        for request in black_box(sequence) {
            family.get_or_create(request).inc();
        }
    }
}

#[inline(never)]
fn histogram(h: &Histogram, rounds: u64, values: &[f64; 64]) {
    for _ in 0..rounds {
        for &v in black_box(values) {
            h.observe(v);
        }
    }
}

#[inline(never)]
fn child(family: &Family<Request, Counter>, n: u64, request: Request) {
    for _ in 0..n {
        family.get_or_create(&black_box(request)).inc();
    }
}

#[inline(never)]
fn encode(registry: &Registry, out: &mut String) {
    out.clear();
    prometheus_client::encoding::text::encode(out, registry).expect("text encoding into a String");
}

fn encoding() -> Encoding {
    let mut registry = Registry::default();
    let family = Family::<Grid, Counter>::default();
    // The client appends `_total` to counter names.
    registry.register(SERIES_BASE, SERIES_HELP, family.clone());
    for (i, &a) in Row::ALL.iter().enumerate() {
        for (j, &b) in Col::ALL.iter().enumerate() {
            family.get_or_create(&Grid { a, b }).inc_by(series_value(i * Col::ALL.len() + j));
        }
    }
    let mut out = String::new();
    Encoding::new(move |sink| {
        encode(&registry, &mut out);
        sink(out.as_bytes());
    })
}

pub fn cases() -> Cases {
    let ops = Counter::<u64>::default();
    let requests = Family::<Request, Counter>::default();
    let latency = Histogram::new(DEFAULT_BUCKETS);
    let sequence: [Request; 20] = SEQUENCE.map(|(m, s)| Request { method: METHODS[m], status: STATUSES[s] });
    let values = crate::common::histogram_values();
    let (threads_ops, threads_requests) = (ops.clone(), requests.clone());
    Cases {
        counter: Some(Box::new(move |n| timed(n, &mut |n| counter(&ops, black_box(n))))),
        labeled: Some(Box::new(move |n| timed(n, &mut |n| labeled(&requests, black_box(n), &sequence)))),
        histogram: Some(Box::new(move |n| timed(n, &mut |n| histogram(&latency, black_box(n), &values)))),
        threads_counter: Some(Box::new(move |n| two_threads(n, &|_, n| counter(&threads_ops, black_box(n))))),
        threads_children: Some(Box::new(move |n| {
            two_threads(n, &|t, n| {
                let (m, s) = THREAD_CHILDREN[t];
                child(&threads_requests, n, Request { method: METHODS[m], status: STATUSES[s] });
            })
        })),
        prometheus: None,
        openmetrics: Some(encoding()),
    }
}

/// The memory case: `get_or_create(..).inc()` on each series.
pub fn memory(series: usize) -> Box<dyn std::any::Any> {
    let family = Family::<WideGrid, Counter>::default();
    for i in 0..series {
        family.get_or_create(&WideGrid { a: Row::ALL[i / WIDE], b: Wide::ALL[i % WIDE] }).inc();
    }
    Box::new(family)
}
