//! `prometheus` (the TiKV crate) and `prometheus-static-metric`.
//!
//! Fastest documented paths: an `IntCounter` / `Histogram` handle held by the
//! caller; for labels, `IntCounterVec::with_label_values` per call (a hash
//! of the values, a read lock, a map lookup and a clone of the child), or,
//! with `prometheus-static-metric`, children resolved once into a struct
//! (`make_static_metric!`) and picked per call with the generated
//! `get(label_enum)`. Encoding: `TextEncoder::encode(&registry.gather(), ..)`
//! into a reused buffer; the crate writes no OpenMetrics.

use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts, Registry, TextEncoder};
use prometheus_static_metric::make_static_metric;

use crate::common::{
    DEFAULT_BUCKETS, LATENCY_HELP, LATENCY_NAME, METHODS, OPS_HELP, OPS_NAME, REQUESTS_HELP, REQUESTS_NAME,
    SERIES_HELP, SERIES_NAME, STATUSES, WIDE, WIDE_HELP, WIDE_NAME, col_strings, row_strings, series_value,
    wide_strings,
};
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
    let latency =
        Histogram::with_opts(HistogramOpts::new(LATENCY_NAME, LATENCY_HELP).buckets(DEFAULT_BUCKETS.to_vec()))
            .expect("valid histogram");
    Cases {
        prometheus: Some(encoding()),
        openmetrics: None,
        ..Cases::record(
            (ops, requests_vec(), latency),
            |m, s| [METHODS[m], STATUSES[s]],
            |ops| ops.inc(),
            #[inline(always)]
            |requests, labels| requests.with_label_values(labels).inc(),
            |latency, &v| latency.observe(v),
        )
    }
}

/// `prometheus-static-metric`: only the labeled cases differ from `prometheus`.
pub fn static_cases() -> Cases {
    Cases::labeled(
        Requests::from(&requests_vec()),
        |m, s| (STATIC_METHODS[m], STATIC_STATUSES[s]),
        #[inline(always)]
        |requests, &(method, status)| requests.get(method).get(status).inc(),
    )
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
