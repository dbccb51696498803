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

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::common::{
    DEFAULT_BUCKETS, LATENCY_HELP, LATENCY_NAME, METHODS, OPS_HELP, OPS_NAME, REQUESTS_HELP, REQUESTS_NAME,
    SERIES_HELP, SERIES_NAME, STATUSES, WIDE, WIDE_NAME, col_strings, row_strings, series_value, wide_strings,
};
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
    Cases {
        prometheus: Some(encoding()),
        openmetrics: None,
        ..Cases::record(
            (metrics::counter!(OPS_NAME), (), metrics::histogram!(LATENCY_NAME)),
            |m, s| (METHODS[m], STATUSES[s]),
            |ops| ops.increment(1),
            #[inline(always)]
            |_, &(method, status)| {
                metrics::counter!(REQUESTS_NAME, "method" => method, "status" => status).increment(1)
            },
            |latency, &v| latency.record(v),
        )
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
