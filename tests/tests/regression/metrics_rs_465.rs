//! `metrics-rs/metrics#465`: a process that was never scraped grew without
//! bound, because recorded values were buffered until a scrape drained them.
//! Here the state is the buffer: recording writes atomics in place and
//! allocates nothing, however long nobody scrapes. (The soak test,
//! `demo/tests/soak.rs`, watches a whole process's memory for longer.)

use metricate::{Counter, Family, Gauge, Histogram, LabelSet, LabelValue, Metrics, capped_label};

#[global_allocator]
static ALLOCATOR: tests::alloc::Counting = tests::alloc::Counting;

capped_label! {
    /// A peer, interned once.
    struct Peer: 4;
}

#[derive(Clone, Copy, LabelValue)]
enum Direction {
    In,
    Out,
}

#[derive(Clone, Copy, LabelSet)]
struct Link {
    peer: Peer,
    direction: Direction,
}

/// Traffic nobody scrapes.
#[derive(Metrics)]
#[metrics(subsystem = "regression_unscraped")]
struct Unscraped {
    /// Bytes moved.
    moved_bytes_total: Family<Link, Counter>,
    /// Message sizes.
    #[metric(buckets = [64.0, 1024.0, 65536.0])]
    message_size_bytes: Family<Link, Histogram>,
    /// Temperature.
    temperature_celsius: Gauge,
}

#[test]
fn recording_without_scrapes_allocates_nothing() {
    let metrics = Unscraped::global();
    // Values of capped labels are interned once, outside the measurement.
    let peers = [Peer::new("a"), Peer::new("b"), Peer::new("c")];
    let ((), used) = tests::alloc::measure(|| {
        for i in 0..1_000_000u64 {
            let link =
                Link { peer: peers[(i % 3) as usize], direction: [Direction::In, Direction::Out][(i % 2) as usize] };
            metrics.moved_bytes_total.with(link).inc_by(i % 1500);
            metrics.message_size_bytes.with(link).observe((i % 70_000) as f64);
            metrics.temperature_celsius.set(i as f64);
        }
    });
    assert_eq!(used, tests::alloc::Used::default(), "recording allocated");
}
