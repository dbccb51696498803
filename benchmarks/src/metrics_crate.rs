//! `metrics` with `metrics-exporter-prometheus` as its recorder.
//!
//! Fastest documented paths: a handle registered once with `counter!` /
//! `histogram!` and held by the caller; for labels that change per call,
//! `counter!(name, "k" => v, ..)` per call (a key built from the name and
//! labels, a lookup in the recorder's sharded registry, an `Arc` handle).
//! Label values are `&'static str`, so no string is copied. Histograms are
//! rendered as histograms over the default buckets (`set_buckets`); the
//! recorder stores raw observations and buckets them at scrape time.
//! Encoding: `PrometheusHandle::render_to_write` into a reused buffer; the
//! exporter writes no OpenMetrics.

use std::hint::black_box;

use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::common::{
    DEFAULT_BUCKETS, LATENCY_HELP, LATENCY_NAME, METHODS, OPS_HELP, OPS_NAME, REQUESTS_HELP, REQUESTS_NAME, SEQUENCE,
    SERIES_HELP, SERIES_NAME, STATUSES, THREAD_CHILDREN, WIDE, WIDE_NAME, col_strings, row_strings, series_value,
    wide_strings,
};
use crate::harness::{timed, two_threads};
use crate::{Cases, Encoding};

fn recorder() -> PrometheusRecorder {
    PrometheusBuilder::new().set_buckets(&DEFAULT_BUCKETS).expect("non-empty buckets").build_recorder()
}

/// Installs the global recorder that the record-path cases use.
fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        metrics::set_global_recorder(recorder()).expect("no other global recorder");
        metrics::describe_counter!(OPS_NAME, OPS_HELP);
        metrics::describe_counter!(REQUESTS_NAME, REQUESTS_HELP);
        metrics::describe_histogram!(LATENCY_NAME, LATENCY_HELP);
    });
}

#[inline(never)]
fn counter(c: &Counter, n: u64) {
    for _ in 0..n {
        c.increment(1);
    }
}

#[inline(never)]
fn labeled(rounds: u64, sequence: &[(&'static str, &'static str); 20]) {
    for _ in 0..rounds {
        for &(method, status) in black_box(sequence) {
            metrics::counter!(REQUESTS_NAME, "method" => method, "status" => status).increment(1);
        }
    }
}

#[inline(never)]
fn histogram(h: &Histogram, rounds: u64, values: &[f64; 64]) {
    for _ in 0..rounds {
        for &v in black_box(values) {
            h.record(v);
        }
    }
}

#[inline(never)]
fn child(n: u64, labels: (&'static str, &'static str)) {
    for _ in 0..n {
        let (method, status) = black_box(labels);
        metrics::counter!(REQUESTS_NAME, "method" => method, "status" => status).increment(1);
    }
}

#[inline(never)]
fn encode(handle: &PrometheusHandle, out: &mut Vec<u8>) {
    out.clear();
    handle.render_to_write(out).expect("rendering into a Vec");
}

fn encoding() -> Encoding {
    // A recorder of its own, so that the exposition holds the 10,000 series only.
    let recorder = recorder();
    metrics::with_local_recorder(&recorder, || {
        metrics::describe_counter!(SERIES_NAME, SERIES_HELP);
        for (i, &a) in row_strings().iter().enumerate() {
            for (j, &b) in col_strings().iter().enumerate() {
                metrics::counter!(SERIES_NAME, "a" => a, "b" => b).increment(series_value(i * col_strings().len() + j));
            }
        }
    });
    let handle = recorder.handle();
    let mut out = Vec::new();
    Encoding::new(move |sink| {
        encode(&handle, &mut out);
        sink(&out);
    })
}

pub fn cases() -> Cases {
    install();
    let ops = metrics::counter!(OPS_NAME);
    let latency = metrics::histogram!(LATENCY_NAME);
    let sequence: [(&'static str, &'static str); 20] = SEQUENCE.map(|(m, s)| (METHODS[m], STATUSES[s]));
    let values = crate::common::histogram_values();
    let threads_ops = ops.clone();
    Cases {
        counter: Some(Box::new(move |n| timed(n, &mut |n| counter(&ops, black_box(n))))),
        labeled: Some(Box::new(move |n| timed(n, &mut |n| labeled(black_box(n), &sequence)))),
        histogram: Some(Box::new(move |n| timed(n, &mut |n| histogram(&latency, black_box(n), &values)))),
        threads_counter: Some(Box::new(move |n| two_threads(n, &|_, n| counter(&threads_ops, black_box(n))))),
        threads_children: Some(Box::new(move |n| {
            two_threads(n, &|t, n| {
                let (m, s) = THREAD_CHILDREN[t];
                child(n, (METHODS[m], STATUSES[s]));
            })
        })),
        prometheus: Some(encoding()),
        openmetrics: None,
    }
}

/// The memory case: `counter!(name, "a" => .., "b" => ..).increment(1)` on
/// each series, through the global recorder (installed beforehand).
pub fn memory(series: usize) -> Box<dyn std::any::Any> {
    let (rows, wide) = (row_strings(), wide_strings());
    for i in 0..series {
        metrics::counter!(WIDE_NAME, "a" => rows[i / WIDE], "b" => wide[i % WIDE]).increment(1);
    }
    Box::new(())
}

/// What the memory case needs before the first reading of the resident size.
pub fn memory_setup() {
    metrics::set_global_recorder(recorder()).expect("no other global recorder");
}
