//! Encoding a warmed-up registry allocates nothing: a global allocator that
//! counts every allocation of this test binary proves it.
//!
//! The encoders keep their working buffers (a family's line starts and
//! label tails, pending exemplars) between scrapes, and the caller keeps the
//! output buffer; once both have grown to the exposition's size, a scrape
//! reads atomics and copies bytes.
//! `Format::encode`, which builds a fresh encoder per call, allocates that
//! encoder's few buffers each time: the number is fixed, and checked below.

use metricate::encode::{self, Format, OpenMetrics, PrometheusText};
use metricate::{Counter, Family, FloatCounter, Gauge, Histogram, IntGauge, LabelSet, LabelValue, Metrics, Registry};

#[global_allocator]
static ALLOCATOR: tests::alloc::Counting = tests::alloc::Counting;

/// The allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    tests::alloc::measure(f).1.allocations
}

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
    #[label(rename = "say \"hi\"")]
    Quoted,
}

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
    outcome: Option<Outcome>,
}

/// Every metric type, labeled and not.
#[derive(Metrics)]
#[metrics(subsystem = "noalloc")]
struct Everything {
    /// Requests.
    requests_total: Family<Request, Counter>,
    /// Busy time.
    busy_seconds_total: FloatCounter,
    /// Temperature.
    temperature_celsius: Gauge,
    /// Queue depth.
    queue_depth: Family<Request, IntGauge>,
    /// Latency.
    latency_seconds: Family<Request, Histogram>,
    /// Sizes.
    #[metric(buckets = [-1.0, 0.0, 10.0])]
    drift: Histogram,
    /// Jobs waiting, only for the requests seen.
    #[metric(quiet)]
    waiting: Family<Request, Gauge>,
}

fn populated() -> Everything {
    let m = Everything::new_unregistered();
    for (i, method) in [Method::Get, Method::Post, Method::Quoted].into_iter().enumerate() {
        let outcome = [Some(Outcome::Ok), None, Some(Outcome::Error)][i];
        let labels = Request { method, outcome };
        m.requests_total.with(labels).inc_by(i as u64 + 1);
        m.queue_depth.with(labels).set(-(i as i64));
        m.latency_seconds.with(labels).observe(0.03 * i as f64);
        if i != 1 {
            m.waiting.with(labels).set(0.0);
        }
    }
    m.busy_seconds_total.inc_by(1.5);
    m.temperature_celsius.set(21.5);
    m.drift.observe(-3.0);
    m
}

#[test]
fn a_warm_scrape_allocates_nothing() {
    let metrics = populated();
    let mut registry = Registry::new();
    registry.register_group(&metrics).unwrap();
    let mut out = Vec::new();
    // Each encoder as it comes, and made quiet (every family).
    let mut text = [PrometheusText::new(), PrometheusText::new().quiet(true)];
    let mut openmetrics = [OpenMetrics::new(), OpenMetrics::new().quiet(true)];
    // Warm up: buffers grow to the exposition's size.
    for _ in 0..2 {
        for encoder in &mut text {
            out.clear();
            encode::encode(&registry, encoder, &mut out);
        }
        for encoder in &mut openmetrics {
            out.clear();
            encode::encode(&registry, encoder, &mut out);
        }
    }
    for _ in 0..10 {
        metrics.requests_total.with(Request { method: Method::Get, outcome: None }).inc();
        metrics.latency_seconds.with(Request { method: Method::Post, outcome: None }).observe(0.2);
        for encoder in &mut text {
            let count = allocations(|| {
                out.clear();
                encode::encode(&registry, encoder, &mut out);
            });
            assert_eq!(count, 0, "a warm Prometheus text scrape allocated");
            assert!(out.ends_with(b"\n") && out.len() > 1000);
        }
        for encoder in &mut openmetrics {
            let count = allocations(|| {
                out.clear();
                encode::encode(&registry, encoder, &mut out);
            });
            assert_eq!(count, 0, "a warm OpenMetrics scrape allocated");
            assert!(out.ends_with(b"# EOF\n"));
        }
    }
}

#[test]
fn format_encode_allocates_a_fixed_few() {
    let metrics = populated();
    let mut registry = Registry::new();
    registry.register_group(&metrics).unwrap();
    let mut out = Vec::new();
    for format in [Format::Prometheus, Format::OpenMetrics] {
        out.clear();
        format.encode(&registry, &mut out);
        let counts: Vec<usize> = (0..5)
            .map(|_| {
                allocations(|| {
                    out.clear();
                    format.encode(&registry, &mut out);
                })
            })
            .collect();
        assert!(counts.iter().all(|c| *c == counts[0]), "{format:?}: {counts:?}");
        eprintln!("{format:?}::encode: {} allocations per scrape", counts[0]);
        assert!(counts[0] <= 12, "{format:?}: a fresh encoder's buffers, {} allocations", counts[0]);
    }
}
