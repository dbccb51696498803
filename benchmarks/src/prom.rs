//! `prometheus` (the TiKV crate) and `prometheus-static-metric`.
//!
//! Fastest documented paths: an `IntCounter` / `Histogram` handle held by the
//! caller; for labels, `IntCounterVec::with_label_values` per call (a hash
//! of the values, a read lock, a map lookup and a clone of the child), or,
//! with `prometheus-static-metric`, children resolved once into a struct
//! (`make_static_metric!`) and picked per call with the generated
//! `get(label_enum)`. Encoding: `TextEncoder::encode(&registry.gather(), ..)`
//! into a reused buffer; the crate writes no OpenMetrics.

use std::hint::black_box;
use std::sync::Arc;

use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts, Registry, TextEncoder};
use prometheus_static_metric::make_static_metric;

use crate::common::{
    DEFAULT_BUCKETS, LATENCY_HELP, LATENCY_NAME, METHODS, OPS_HELP, OPS_NAME, REQUESTS_HELP, REQUESTS_NAME, SEQUENCE,
    SERIES_HELP, SERIES_NAME, STATUSES, THREAD_CHILDREN, WIDE, WIDE_HELP, WIDE_NAME, col_strings, row_strings,
    series_value, wide_strings,
};
use crate::harness::{timed, two_threads};
use crate::{Cases, Encoding};

make_static_metric! {
    pub label_enum Method {
        get,
        post,
        put,
        delete,
    }

    pub label_enum Status {
        ok,
        redirect,
        client_error,
        server_error,
        timeout,
    }

    pub struct Requests: IntCounter {
        "method" => Method,
        "status" => Status,
    }
}

const STATIC_METHODS: [Method; 4] = [Method::get, Method::post, Method::put, Method::delete];
const STATIC_STATUSES: [Status; 5] =
    [Status::ok, Status::redirect, Status::client_error, Status::server_error, Status::timeout];

#[inline(never)]
fn counter(c: &IntCounter, n: u64) {
    for _ in 0..n {
        c.inc();
    }
}

#[inline(never)]
fn labeled(vec: &IntCounterVec, rounds: u64, sequence: &[[&str; 2]; 20]) {
    for _ in 0..rounds {
        for labels in black_box(sequence) {
            vec.with_label_values(labels).inc();
        }
    }
}

#[inline(never)]
fn labeled_static(requests: &Requests, rounds: u64, sequence: &[(Method, Status); 20]) {
    for _ in 0..rounds {
        for &(method, status) in black_box(sequence) {
            requests.get(method).get(status).inc();
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
fn child(vec: &IntCounterVec, n: u64, labels: [&str; 2]) {
    for _ in 0..n {
        vec.with_label_values(&black_box(labels)).inc();
    }
}

#[inline(never)]
fn child_static(requests: &Requests, n: u64, (method, status): (Method, Status)) {
    for _ in 0..n {
        let (method, status) = black_box((method, status));
        requests.get(method).get(status).inc();
    }
}

#[inline(never)]
fn encode(registry: &Registry, out: &mut Vec<u8>) {
    out.clear();
    TextEncoder::new().encode(&registry.gather(), out).expect("text encoding into a Vec");
}

fn requests_vec() -> IntCounterVec {
    IntCounterVec::new(Opts::new(REQUESTS_NAME, REQUESTS_HELP), &["method", "status"]).expect("valid counter vec")
}

fn encoding() -> Encoding {
    let registry = Registry::new();
    let vec = IntCounterVec::new(Opts::new(SERIES_NAME, SERIES_HELP), &["a", "b"]).expect("valid counter vec");
    registry.register(Box::new(vec.clone())).expect("one family");
    for (i, a) in row_strings().iter().enumerate() {
        for (j, b) in col_strings().iter().enumerate() {
            vec.with_label_values(&[a, b]).inc_by(series_value(i * col_strings().len() + j));
        }
    }
    let mut out = Vec::new();
    Encoding::new(move |sink| {
        encode(&registry, &mut out);
        sink(&out);
    })
}

pub fn cases() -> Cases {
    let ops = IntCounter::new(OPS_NAME, OPS_HELP).expect("valid counter");
    let requests = Arc::new(requests_vec());
    let latency =
        Histogram::with_opts(HistogramOpts::new(LATENCY_NAME, LATENCY_HELP).buckets(DEFAULT_BUCKETS.to_vec()))
            .expect("valid histogram");
    let sequence: [[&str; 2]; 20] = SEQUENCE.map(|(m, s)| [METHODS[m], STATUSES[s]]);
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
                child(&threads_requests, n, [METHODS[m], STATUSES[s]]);
            })
        })),
        prometheus: Some(encoding()),
        openmetrics: None,
    }
}

/// `prometheus-static-metric`: only the labeled cases differ from `prometheus`.
pub fn static_cases() -> Cases {
    let requests = Arc::new(Requests::from(&requests_vec()));
    let sequence: [(Method, Status); 20] = SEQUENCE.map(|(m, s)| (STATIC_METHODS[m], STATIC_STATUSES[s]));
    let threads_requests = requests.clone();
    Cases {
        labeled: Some(Box::new(move |n| timed(n, &mut |n| labeled_static(&requests, black_box(n), &sequence)))),
        threads_children: Some(Box::new(move |n| {
            two_threads(n, &|t, n| {
                let (m, s) = THREAD_CHILDREN[t];
                child_static(&threads_requests, n, (STATIC_METHODS[m], STATIC_STATUSES[s]));
            })
        })),
        ..Cases::default()
    }
}

/// The memory case: `with_label_values(..).inc()` on each series.
pub fn memory(series: usize) -> Box<dyn std::any::Any> {
    let (rows, wide) = (row_strings(), wide_strings());
    let vec = IntCounterVec::new(Opts::new(WIDE_NAME, WIDE_HELP), &["a", "b"]).expect("valid counter vec");
    for i in 0..series {
        vec.with_label_values(&[rows[i / WIDE], wide[i % WIDE]]).inc();
    }
    Box::new(vec)
}
