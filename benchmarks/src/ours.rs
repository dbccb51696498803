//! This framework, `metricate`: metrics declared with
//! `#[derive(Metrics)]`, recorded through `global()`, label sets of enums.

use metricate::encode::Format;
use metricate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics, Registry, ShardedCounter};

use crate::common::{THREAD_CHILDREN, WIDE, label_enum, series_value};
use crate::{Cases, Encoding, record};

label_enum!(Method: Clone, Copy, LabelValue [Get, Post, Put, Delete]);
label_enum!(Status: Clone, Copy, LabelValue [Ok, Redirect, ClientError, ServerError, Timeout]);

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
    status: Status,
}

/// The metrics of the record-path cases.
#[derive(Metrics)]
#[metrics(subsystem = "compare")]
struct Record {
    /// Operations counted by the unlabeled counter case.
    ops_total: Counter,
    /// Requests counted by the labeled counter case.
    requests_total: Family<Request, Counter>,
    /// Observations of the histogram case.
    latency_seconds: Histogram,
    /// Operations counted by the 2-thread counter case, sharded.
    sharded_total: ShardedCounter,
}

with_rows!(label_enum!(Row: Clone, Copy, LabelValue));
with_cols!(label_enum!(Col: Clone, Copy, LabelValue));
with_wide!(label_enum!(Wide: Clone, Copy, LabelValue));

#[derive(Clone, Copy, LabelSet)]
struct Grid {
    a: Row,
    b: Col,
}

#[derive(Clone, Copy, LabelSet)]
struct WideGrid {
    a: Row,
    b: Wide,
}

/// The metric of the encoding case.
#[derive(Metrics)]
#[metrics(subsystem = "compare")]
struct Exposed {
    /// Series encoded by the encoding case.
    #[metric(max_series = 10000)]
    series_total: Family<Grid, Counter>,
}

/// The metric of the memory case: 100 × 1000 series.
#[derive(Metrics)]
#[metrics(subsystem = "compare")]
struct Memory {
    /// Series of the memory case.
    #[metric(max_series = 100000)]
    wide_total: Family<WideGrid, Counter>,
}

#[inline(never)]
fn encode(format: Format, registry: &Registry<'_>, out: &mut Vec<u8>) {
    out.clear();
    format.encode(registry, out);
}

fn encoding(format: Format) -> Encoding {
    // The registry borrows the metrics: both live as long as the program.
    let exposed: &'static Exposed = Box::leak(Box::new(Exposed::new_unregistered()));
    for (i, &a) in Row::ALL.iter().enumerate() {
        for (j, &b) in Col::ALL.iter().enumerate() {
            exposed.series_total.with(Grid { a, b }).inc_by(series_value(i * Col::ALL.len() + j));
        }
    }
    let mut registry = Registry::new();
    registry.register_group(exposed).expect("one family, no collision");
    let mut out = Vec::new();
    Encoding::new(move |sink| {
        encode(format, &registry, &mut out);
        sink(&out);
    })
}

/// The request of a method and a status, by their indices.
fn request(m: usize, s: usize) -> Request {
    Request { method: Method::ALL[m], status: Status::ALL[s] }
}

pub fn cases() -> Cases {
    Cases {
        prometheus: Some(encoding(Format::Prometheus)),
        openmetrics: Some(encoding(Format::OpenMetrics)),
        ..Cases::record(
            ((), (), ()),
            request,
            |_| Record::global().ops_total.inc(),
            #[inline(always)]
            |_, request| Record::global().requests_total.with(*request).inc(),
            |_, &v| Record::global().latency_seconds.observe(v),
        )
    }
}

/// The 2-thread counter case with a `ShardedCounter`, the type this framework
/// documents for counters that many threads increment.
pub fn sharded_batch() -> Box<crate::harness::Batch<'static>> {
    record::threads_counter(&(), |_| Record::global().sharded_total.inc())
}

/// Whether the two cells of the 2-thread labeled case share a cache line in
/// this build (the family's static array starts wherever the linker puts it).
pub fn thread_children_share_a_line() -> bool {
    let [a, b] = THREAD_CHILDREN.map(|(m, s)| {
        let cell: &Counter = Record::global().requests_total.with(request(m, s));
        std::ptr::from_ref(cell) as usize / 64
    });
    a == b
}

/// The memory case: the first `series` series of the registered 100 × 1000
/// family, each incremented once. Its cells are a zero-initialised `static`,
/// so they become resident when touched.
pub fn memory(series: usize) -> Box<dyn std::any::Any> {
    let family = &Memory::global().wide_total;
    for i in 0..series {
        family.with(WideGrid { a: Row::ALL[i / WIDE], b: Wide::ALL[i % WIDE] }).inc();
    }
    Box::new(())
}
