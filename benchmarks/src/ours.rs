//! This framework, `metricate`: metrics declared with
//! `#[derive(Metrics)]`, recorded through `global()`, label sets of enums.

use std::hint::black_box;

use metricate::encode::Format;
use metricate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics, Registry, ShardedCounter};

use crate::common::{SEQUENCE, THREAD_CHILDREN, WIDE, series_value};
use crate::harness::{timed, two_threads};
use crate::{Cases, Encoding};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
    Put,
    Delete,
}

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    Redirect,
    ClientError,
    ServerError,
    Timeout,
}

const METHODS: [Method; 4] = [Method::Get, Method::Post, Method::Put, Method::Delete];
const STATUSES: [Status; 5] = [Status::Ok, Status::Redirect, Status::ClientError, Status::ServerError, Status::Timeout];

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

/// A label enum from a generated list of values, with a table of its values
/// in index order.
macro_rules! label_enum {
    ($name:ident [$($variant:ident),* $(,)?]) => {
        #[allow(non_camel_case_types, reason = "the variants are the label values `r00`, `c00`, `v000`")]
        #[derive(Clone, Copy, LabelValue)]
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
fn counter(n: u64) {
    for _ in 0..n {
        Record::global().ops_total.inc();
    }
}

#[inline(never)]
fn sharded(n: u64) {
    for _ in 0..n {
        Record::global().sharded_total.inc();
    }
}

#[inline(never)]
fn labeled(rounds: u64, sequence: &[Request; 20]) {
    for _ in 0..rounds {
        for request in black_box(sequence) {
            Record::global().requests_total.with(*request).inc();
        }
    }
}

#[inline(never)]
fn histogram(rounds: u64, values: &[f64; 64]) {
    for _ in 0..rounds {
        for &v in black_box(values) {
            Record::global().latency_seconds.observe(v);
        }
    }
}

#[inline(never)]
fn child(n: u64, request: Request) {
    for _ in 0..n {
        Record::global().requests_total.with(black_box(request)).inc();
    }
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

pub fn cases() -> Cases {
    let sequence: [Request; 20] = SEQUENCE.map(|(m, s)| Request { method: METHODS[m], status: STATUSES[s] });
    let values = crate::common::histogram_values();
    Cases {
        counter: Some(Box::new(|n| timed(n, &mut |n| counter(black_box(n))))),
        labeled: Some(Box::new(move |n| timed(n, &mut |n| labeled(black_box(n), &sequence)))),
        histogram: Some(Box::new(move |n| timed(n, &mut |n| histogram(black_box(n), &values)))),
        threads_counter: Some(Box::new(|n| two_threads(n, &|_, n| counter(black_box(n))))),
        threads_children: Some(Box::new(|n| {
            two_threads(n, &|t, n| {
                let (m, s) = THREAD_CHILDREN[t];
                child(n, Request { method: METHODS[m], status: STATUSES[s] });
            })
        })),
        prometheus: Some(encoding(Format::Prometheus)),
        openmetrics: Some(encoding(Format::OpenMetrics)),
    }
}

/// The 2-thread counter case with a `ShardedCounter`, the type this framework
/// documents for counters that many threads increment.
pub fn sharded_batch() -> Box<crate::harness::Batch<'static>> {
    Box::new(|n| two_threads(n, &|_, n| sharded(black_box(n))))
}

/// Whether the two cells of the 2-thread labeled case share a cache line in
/// this build (the family's static array starts wherever the linker puts it).
pub fn thread_children_share_a_line() -> bool {
    let [a, b] = THREAD_CHILDREN.map(|(m, s)| {
        let cell: &Counter = Record::global().requests_total.with(Request { method: METHODS[m], status: STATUSES[s] });
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
