//! `prometheus-client` (the official Rust client).
//!
//! Fastest documented paths: a `Counter` / `Histogram` handle held by the
//! caller; for labels, a typed label set (`#[derive(EncodeLabelSet)]` over
//! `#[derive(EncodeLabelValue)]` enums) and `Family::get_or_create` per call
//! (a hash of the label set, a read lock and a map lookup). Encoding:
//! `encoding::text::encode` into a reused `String`, which writes OpenMetrics
//! only.

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::common::{DEFAULT_BUCKETS, SERIES_BASE, SERIES_HELP, WIDE, label_enum, series_value};
use crate::{Cases, Encoding};

label_enum!(Method: Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue [get, post, put, delete]);
label_enum!(Status: Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue [
    ok, redirect, client_error, server_error, timeout
]);

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    method: Method,
    status: Status,
}

with_rows!(label_enum!(Row: Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue));
with_cols!(label_enum!(Col: Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue));
with_wide!(label_enum!(Wide: Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue));

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
    let handles = (Counter::<u64>::default(), Family::<Request, Counter>::default(), Histogram::new(DEFAULT_BUCKETS));
    Cases {
        prometheus: None,
        openmetrics: Some(encoding()),
        ..Cases::record(
            handles,
            |m, s| Request { method: Method::ALL[m], status: Status::ALL[s] },
            |ops| ops.inc(),
            #[inline(always)]
            |requests, request| requests.get_or_create(request).inc(),
            |latency, &v| latency.observe(v),
        )
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
