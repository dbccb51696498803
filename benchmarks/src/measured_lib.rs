//! `measured`: fixed-cardinality label groups over `#[derive(FixedCardinalityLabel)]`
//! enums, the crate's documented fast path.
//!
//! `CounterVec::inc(group)` encodes the group to a dense index and
//! increments a lazily initialised, cache-padded cell. A vec is dense by
//! default up to 1,024 series and sparse (a sharded hash map) above; the
//! encoding case forces dense (`CounterVec::dense()`, documented as the
//! high-performance choice), the memory case reports both. Histograms take a
//! read lock per observation. Encoding: `BufferedTextEncoder`, reused, which
//! writes Prometheus text only.

use std::hint::black_box;

use measured::metric::histogram::Thresholds;
use measured::text::BufferedTextEncoder;
use measured::{Counter, CounterVec, FixedCardinalityLabel, Histogram, LabelGroup, MetricGroup};

use crate::common::{DEFAULT_BUCKETS, SEQUENCE, THREAD_CHILDREN, WIDE, series_value};
use crate::harness::{timed, two_threads};
use crate::{Cases, Encoding};

#[derive(Clone, Copy, Debug, PartialEq, FixedCardinalityLabel)]
enum Method {
    Get,
    Post,
    Put,
    Delete,
}

#[derive(Clone, Copy, Debug, PartialEq, FixedCardinalityLabel)]
enum Status {
    Ok,
    Redirect,
    ClientError,
    ServerError,
    Timeout,
}

const METHODS: [Method; 4] = [Method::Get, Method::Post, Method::Put, Method::Delete];
const STATUSES: [Status; 5] = [Status::Ok, Status::Redirect, Status::ClientError, Status::ServerError, Status::Timeout];

#[derive(Clone, Copy, LabelGroup)]
#[label(set = RequestSet)]
struct Request {
    method: Method,
    status: Status,
}

// `r00`..`r99`, `c00`..`c99`, `v000`..`v999`, written out by the build
// script (see there why not through a macro).
include!(concat!(env!("OUT_DIR"), "/measured_labels.rs"));

#[derive(Clone, Copy, LabelGroup)]
#[label(set = GridSet)]
struct Grid {
    a: Row,
    b: Col,
}

#[derive(Clone, Copy, LabelGroup)]
#[label(set = WideGridSet)]
struct WideGrid {
    a: Row,
    b: Wide,
}

/// The metric of the encoding case; the field name is the metric name.
#[derive(MetricGroup)]
struct Exposed {
    /// Series encoded by the encoding case.
    bench_compare_series_total: CounterVec<GridSet>,
}

#[inline(never)]
fn counter(c: &Counter, n: u64) {
    for _ in 0..n {
        c.inc();
    }
}

#[inline(never)]
fn labeled(vec: &CounterVec<RequestSet>, rounds: u64, sequence: &[Request; 20]) {
    for _ in 0..rounds {
        for request in black_box(sequence) {
            vec.inc(*request);
        }
    }
}

#[inline(never)]
fn histogram(h: &Histogram<11>, rounds: u64, values: &[f64; 64]) {
    for _ in 0..rounds {
        for &v in black_box(values) {
            h.observe(v);
        }
    }
}

#[inline(never)]
fn child(vec: &CounterVec<RequestSet>, n: u64, request: Request) {
    for _ in 0..n {
        vec.inc(black_box(request));
    }
}

/// One scrape: the encoder is reused, and the bytes it hands out are dropped
/// after use so that it can reclaim its buffer.
#[inline(never)]
fn encode(exposed: &Exposed, encoder: &mut BufferedTextEncoder) -> impl std::ops::Deref<Target = [u8]> + use<> {
    exposed.collect_group_into(encoder).expect("infallible");
    encoder.finish()
}

fn encoding() -> Encoding {
    let exposed = Exposed { bench_compare_series_total: CounterVec::dense() };
    for (i, &a) in Row::ALL.iter().enumerate() {
        for (j, &b) in Col::ALL.iter().enumerate() {
            exposed.bench_compare_series_total.inc_by(Grid { a, b }, series_value(i * Col::ALL.len() + j));
        }
    }
    let mut encoder = BufferedTextEncoder::new();
    Encoding::new(move |sink| sink(&encode(&exposed, &mut encoder)))
}

pub fn cases() -> Cases {
    let ops = Counter::new();
    let requests = std::sync::Arc::new(CounterVec::<RequestSet>::new());
    let latency = Histogram::<11>::with_metadata(Thresholds::with_buckets(DEFAULT_BUCKETS));
    let sequence: [Request; 20] = SEQUENCE.map(|(m, s)| Request { method: METHODS[m], status: STATUSES[s] });
    let values = crate::common::histogram_values();
    let ops = std::sync::Arc::new(ops);
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
        prometheus: Some(encoding()),
        openmetrics: None,
    }
}

/// The memory case: `inc(group)` on each series of a vec in the
/// representation the crate picks (sparse above 1,024 series), or dense.
pub fn memory(series: usize, dense: bool) -> Box<dyn std::any::Any> {
    let vec = if dense { CounterVec::<WideGridSet>::dense() } else { CounterVec::<WideGridSet>::new() };
    for i in 0..series {
        vec.inc(WideGrid { a: Row::ALL[i / WIDE], b: Wide::ALL[i % WIDE] });
    }
    Box::new(vec)
}
