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

use measured::metric::histogram::Thresholds;
use measured::text::BufferedTextEncoder;
use measured::{Counter, CounterVec, FixedCardinalityLabel, Histogram, LabelGroup, MetricGroup};

use crate::common::{DEFAULT_BUCKETS, WIDE, label_enum, series_value};
use crate::{Cases, Encoding};

label_enum!(Method: Clone, Copy, Debug, PartialEq, FixedCardinalityLabel [Get, Post, Put, Delete]);
label_enum!(Status: Clone, Copy, Debug, PartialEq, FixedCardinalityLabel [
    Ok, Redirect, ClientError, ServerError, Timeout
]);

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
    let latency = Histogram::<11>::with_metadata(Thresholds::with_buckets(DEFAULT_BUCKETS));
    Cases {
        prometheus: Some(encoding()),
        openmetrics: None,
        ..Cases::record(
            (Counter::new(), CounterVec::<RequestSet>::new(), latency),
            |m, s| Request { method: Method::ALL[m], status: Status::ALL[s] },
            |ops| ops.inc(),
            #[inline(always)]
            |requests, request| requests.inc(*request),
            |latency, &v| latency.observe(v),
        )
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
