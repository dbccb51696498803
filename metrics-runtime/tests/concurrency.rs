//! Recording from several threads while other threads snapshot and encode.
//!
//! Every observation is one of four values, one per bucket, all exact binary
//! fractions, so that any consistent read of a histogram satisfies
//! `sum == Σ bucket_count × bucket_value` exactly and `count == Σ
//! bucket_count`; a read that mixed observations (buckets from one moment, sum
//! from another) would break the equality. Counts must never decrease from
//! one read to the next, and once the recorders are done the totals are exact.
//!
//! No assertion depends on timing. Recorders pause at a few checkpoints until
//! a reader has completed another read, which guarantees reads interleaved
//! with recording without relying on the scheduler.

use std::collections::HashMap;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use metricate::encode::Format;
use metricate::{
    Counter, Family, FloatCounter, Histogram, LabelSet, LabelValue, Metrics, OwnedValue, Registry, Snapshot,
};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Worker {
    W0,
    W1,
    W2,
    W3,
}

impl Worker {
    const ALL: [Worker; 4] = [Worker::W0, Worker::W1, Worker::W2, Worker::W3];
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Op {
    Read,
    Write,
}

#[derive(Clone, Copy, LabelSet)]
struct WorkerOp {
    worker: Worker,
    op: Op,
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Parity {
    Even,
    Odd,
}

#[derive(Clone, Copy, LabelSet)]
struct ByParity {
    parity: Parity,
}

/// The metrics under load.
#[derive(Metrics)]
#[metrics(subsystem = "stress")]
struct Stress {
    /// Operations, per worker and kind.
    ops_total: Family<WorkerOp, Counter>,
    /// Operations of every worker, on one series.
    shared_ops_total: Counter,
    /// Work done, a quarter second per round.
    work_seconds_total: FloatCounter,
    /// Sizes; two workers share each series.
    #[metric(buckets = [1.0, 2.0, 4.0])]
    size_bytes: Family<ByParity, Histogram>,
    /// Latencies; every worker observes into the one series.
    #[metric(buckets = [1.0, 2.0, 4.0])]
    latency_seconds: Histogram,
}

const THREADS: usize = 4;
const ROUNDS: u64 = 100_000;
/// Reads a recorder waits for during its rounds.
const CHECKPOINTS: u64 = 4;
/// One observation per bucket of `[1, 2, 4, +Inf]`, each a binary fraction.
const VALUES: [f64; 4] = [0.5, 1.5, 3.0, 8.0];
const FAMILIES: [&str; 5] = [
    "metrics_stress_latency_seconds",
    "metrics_stress_ops_total",
    "metrics_stress_shared_ops_total",
    "metrics_stress_size_bytes",
    "metrics_stress_work_seconds_total",
];

/// One round of a worker.
fn record(m: &Stress, worker: Worker, parity: Parity, round: u64) {
    m.ops_total.with(WorkerOp { worker, op: Op::Read }).inc();
    m.ops_total.with(WorkerOp { worker, op: Op::Write }).inc_by(2);
    m.shared_ops_total.inc();
    m.work_seconds_total.inc_by(0.25);
    let size = m.size_bytes.with(ByParity { parity });
    // Rotate the order so that the buckets fill unevenly mid-round.
    let start = (round as usize + worker as usize) % VALUES.len();
    for i in 0..VALUES.len() {
        let v = VALUES[(start + i) % VALUES.len()];
        size.observe(v);
        m.latency_seconds.observe(v);
    }
}

/// Checks one histogram read: buckets add up to the count, and the sum is
/// exactly what those buckets imply.
fn check_histogram(what: &str, buckets: &[u64], sum: f64, count: u64, max_per_bucket: u64) {
    assert_eq!(buckets.len(), VALUES.len(), "{what}: bucket count");
    assert_eq!(buckets.iter().sum::<u64>(), count, "{what}: buckets {buckets:?} do not add up to count {count}");
    let implied: f64 = buckets.iter().zip(VALUES).map(|(&n, v)| n as f64 * v).sum();
    assert_eq!(sum, implied, "{what}: sum {sum} is not the sum of buckets {buckets:?}");
    assert!(buckets.iter().all(|&n| n <= max_per_bucket), "{what}: {buckets:?} exceeds {max_per_bucket}");
}

/// Per-series values of the previous snapshot, to check that nothing goes
/// backwards.
#[derive(Default)]
struct Monotonic {
    previous: HashMap<(&'static str, usize), Vec<f64>>,
}

impl Monotonic {
    fn check(&mut self, snapshot: &Snapshot) {
        assert_eq!(snapshot.families().iter().map(|f| f.descriptor().name).collect::<Vec<_>>(), FAMILIES);
        for family in snapshot.families() {
            let name = family.descriptor().name;
            for series in family.series() {
                let what = format!("{name}#{}", series.index());
                let current: Vec<f64> = match series.value() {
                    OwnedValue::Histogram { buckets, sum, count } => {
                        let max = if name == "metrics_stress_size_bytes" { 2 * ROUNDS } else { 4 * ROUNDS };
                        check_histogram(&what, buckets, *sum, *count, max);
                        buckets.iter().map(|&n| n as f64).chain([*sum, *count as f64]).collect()
                    }
                    OwnedValue::Unsigned(n) => vec![*n as f64],
                    OwnedValue::Float(v) => {
                        // Quarters only: an exact binary fraction.
                        assert_eq!((v * 4.0).fract(), 0.0, "{what}: {v}");
                        vec![*v]
                    }
                    OwnedValue::Signed(_) | OwnedValue::Summary { .. } => {
                        panic!("{what}: no integer gauges or summaries here")
                    }
                };
                if let Some(previous) = self.previous.get(&(name, series.index())) {
                    for (before, now) in previous.iter().zip(&current) {
                        assert!(now >= before, "{what} went backwards: {previous:?} then {current:?}");
                    }
                }
                self.previous.insert((name, series.index()), current);
            }
        }
    }
}

/// Reads one histogram series back from an exposition: the `_bucket` values
/// (cumulative), `_sum` and `_count`. `labels` is the series' label text
/// without braces, empty for none.
fn parse_histogram(text: &str, name: &str, labels: &str) -> (Vec<u64>, f64, u64) {
    let value = |line: &str| line.rsplit_once(' ').unwrap().1.to_owned();
    let bucket_prefix =
        if labels.is_empty() { format!("{name}_bucket{{le=") } else { format!("{name}_bucket{{{labels},le=") };
    let series = |suffix: &str| {
        if labels.is_empty() { format!("{name}{suffix} ") } else { format!("{name}{suffix}{{{labels}}} ") }
    };
    let (sum_prefix, count_prefix) = (series("_sum"), series("_count"));
    let mut buckets = Vec::new();
    let (mut sum, mut count) = (None, None);
    for line in text.lines() {
        if line.starts_with(&bucket_prefix) {
            buckets.push(value(line).parse::<u64>().unwrap());
        } else if line.starts_with(&sum_prefix) {
            assert!(sum.replace(value(line).parse::<f64>().unwrap()).is_none(), "two `{sum_prefix}`");
        } else if line.starts_with(&count_prefix) {
            assert!(count.replace(value(line).parse::<u64>().unwrap()).is_none(), "two `{count_prefix}`");
        }
    }
    (buckets, sum.expect("a `_sum` line"), count.expect("a `_count` line"))
}

/// Checks the histograms as encoded: cumulative buckets that never decrease,
/// `+Inf` equal to `_count`, and a consistent `_sum`.
fn check_encoded(text: &str) {
    for (name, labels, max) in [
        ("metrics_stress_latency_seconds", "", 4 * ROUNDS),
        ("metrics_stress_size_bytes", "parity=\"even\"", 2 * ROUNDS),
        ("metrics_stress_size_bytes", "parity=\"odd\"", 2 * ROUNDS),
    ] {
        let (cumulative, sum, count) = parse_histogram(text, name, labels);
        assert!(cumulative.windows(2).all(|w| w[0] <= w[1]), "{name}{{{labels}}}: {cumulative:?}");
        assert_eq!(cumulative.last(), Some(&count), "{name}{{{labels}}}: +Inf bucket is not the count");
        let mut previous = 0;
        let buckets: Vec<u64> = cumulative
            .iter()
            .map(|&c| {
                let n = c - previous;
                previous = c;
                n
            })
            .collect();
        check_histogram(&format!("{name}{{{labels}}} as encoded"), &buckets, sum, count, max);
    }
}

/// Sets its flag when dropped: on a panic as well as on success, so that no
/// thread waits forever for one that has failed.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

fn check_final(snapshot: &Snapshot) {
    let ops = snapshot.family("metrics_stress_ops_total").unwrap();
    for worker in Worker::ALL {
        let w = worker.as_str();
        assert_eq!(ops.find(&[("worker", w), ("op", "read")]).unwrap().value(), &OwnedValue::Unsigned(ROUNDS));
        assert_eq!(ops.find(&[("worker", w), ("op", "write")]).unwrap().value(), &OwnedValue::Unsigned(2 * ROUNDS));
    }
    let shared = snapshot.family("metrics_stress_shared_ops_total").unwrap();
    assert_eq!(shared.series()[0].value(), &OwnedValue::Unsigned(THREADS as u64 * ROUNDS));
    let work = snapshot.family("metrics_stress_work_seconds_total").unwrap();
    assert_eq!(work.series()[0].value(), &OwnedValue::Float(0.25 * (THREADS as u64 * ROUNDS) as f64));

    let round_sum: f64 = VALUES.iter().sum();
    let latency = snapshot.family("metrics_stress_latency_seconds").unwrap();
    let n = THREADS as u64 * ROUNDS;
    assert_eq!(
        latency.series()[0].value(),
        &OwnedValue::Histogram { buckets: vec![n; 4], sum: round_sum * n as f64, count: 4 * n }
    );
    let size = snapshot.family("metrics_stress_size_bytes").unwrap();
    let n = THREADS as u64 / 2 * ROUNDS;
    for parity in ["even", "odd"] {
        assert_eq!(
            size.find(&[("parity", parity)]).unwrap().value(),
            &OwnedValue::Histogram { buckets: vec![n; 4], sum: round_sum * n as f64, count: 4 * n }
        );
    }
}

#[test]
fn concurrent_recording_reading_and_encoding() {
    let stress = Stress::new_unregistered();
    let mut registry = Registry::new();
    registry.register_group(&stress).unwrap();
    let registry = &registry;
    let stress = &stress;

    let done = AtomicBool::new(false);
    // Completed reads of the snapshotting reader, and whether it has stopped.
    let reads = AtomicUsize::new(0);
    let reader_stopped = AtomicBool::new(false);
    let start = Barrier::new(THREADS + 2);
    let (done, reads, reader_stopped, start) = (&done, &reads, &reader_stopped, &start);

    thread::scope(|s| {
        // Snapshots everything, checks it, encodes the snapshot and the
        // registry in both formats and checks the encoded histograms.
        let snapshotter = s.spawn(move || {
            let _stopped = SetOnDrop(reader_stopped);
            let mut monotonic = Monotonic::default();
            let mut encoded = Vec::new();
            start.wait();
            loop {
                let finished = done.load(Ordering::Acquire);
                let snapshot = registry.snapshot(|_| true);
                monotonic.check(&snapshot);
                for format in [Format::Prometheus, Format::OpenMetrics] {
                    encoded.clear();
                    format.encode(&snapshot, &mut encoded);
                    check_encoded(std::str::from_utf8(&encoded).unwrap());
                    encoded.clear();
                    format.encode(registry, &mut encoded);
                    check_encoded(std::str::from_utf8(&encoded).unwrap());
                }
                let completed = reads.fetch_add(1, Ordering::Release) + 1;
                if finished {
                    return (completed, snapshot);
                }
            }
        });

        // A second reader of the histograms only: readers contend for the
        // histogram read lock.
        let histogram_reader = s.spawn(move || {
            let mut monotonic = HashMap::new();
            start.wait();
            loop {
                let finished = done.load(Ordering::Acquire);
                let snapshot = registry.snapshot(|d| d.kind == metricate::MetricKind::Histogram);
                for family in snapshot.families() {
                    for series in family.series() {
                        let OwnedValue::Histogram { buckets, sum, count } = series.value() else { panic!() };
                        check_histogram(family.descriptor().name, buckets, *sum, *count, 4 * ROUNDS);
                        let key = (family.descriptor().name, series.index());
                        let before = monotonic.insert(key, *count).unwrap_or(0);
                        assert!(*count >= before, "{key:?}: count went from {before} to {count}");
                    }
                }
                if finished {
                    return snapshot;
                }
            }
        });

        let writers: Vec<_> = Worker::ALL
            .into_iter()
            .map(|worker| {
                s.spawn(move || {
                    let parity = if (worker as usize).is_multiple_of(2) { Parity::Even } else { Parity::Odd };
                    start.wait();
                    let mut seen = 0;
                    for round in 0..ROUNDS {
                        if round % (ROUNDS / CHECKPOINTS) == ROUNDS / CHECKPOINTS / 2 {
                            // Wait for one more completed read, so that reads
                            // interleave with recording.
                            while reads.load(Ordering::Acquire) <= seen && !reader_stopped.load(Ordering::Acquire) {
                                thread::yield_now();
                            }
                            seen = reads.load(Ordering::Acquire);
                        }
                        record(stress, worker, parity, round);
                    }
                })
            })
            .collect();
        let finished = SetOnDrop(done);
        let recorded: Vec<_> = writers.into_iter().map(thread::ScopedJoinHandle::join).collect();
        drop(finished);
        assert!(recorded.iter().all(Result::is_ok), "a recorder panicked");

        let (read_count, last) = snapshotter.join().unwrap();
        // Every recorder waited for a new read at each checkpoint, and one
        // more read came after the recorders were done.
        assert!(read_count > CHECKPOINTS as usize, "{read_count} reads");
        // The reader's last snapshot came after every recorder finished.
        check_final(&last);
        let histograms = histogram_reader.join().unwrap();
        assert_eq!(histograms.families().len(), 2);
    });

    // Reading again gives the same exact totals, and the same bytes.
    let snapshot = registry.snapshot(|_| true);
    check_final(&snapshot);
    let mut first = Vec::new();
    let mut second = Vec::new();
    Format::OpenMetrics.encode(registry, &mut first);
    Format::OpenMetrics.encode(registry, &mut second);
    assert_eq!(first, second);
    check_encoded(std::str::from_utf8(&first).unwrap());
}

/// Two readers, each through a registry of its own, read one histogram series
/// at once while two recorders observe into it: every read is consistent and
/// counts never go backwards.
#[test]
fn concurrent_readers_of_one_series() {
    let stress = Stress::new_unregistered();
    let stress = &stress;
    let done = AtomicBool::new(false);
    let done = &done;
    let rounds = ROUNDS / 4;
    thread::scope(|s| {
        let readers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(move || {
                    let mut registry = Registry::new();
                    registry.register_group(stress).unwrap();
                    let mut last_count = 0;
                    let mut reads = 0u64;
                    loop {
                        let finished = done.load(Ordering::Acquire);
                        let snapshot = registry.snapshot(|d| d.name == "metrics_stress_latency_seconds");
                        let family = &snapshot.families()[0];
                        let OwnedValue::Histogram { buckets, sum, count } = family.series()[0].value() else {
                            panic!()
                        };
                        check_histogram("latency", buckets, *sum, *count, 2 * rounds);
                        assert!(*count >= last_count);
                        last_count = *count;
                        reads += 1;
                        if finished {
                            return (last_count, reads);
                        }
                    }
                })
            })
            .collect();
        let writers: Vec<_> = [Worker::W0, Worker::W1]
            .into_iter()
            .map(|worker| {
                s.spawn(move || {
                    for round in 0..rounds {
                        let start = (round as usize + worker as usize) % VALUES.len();
                        for i in 0..VALUES.len() {
                            stress.latency_seconds.observe(VALUES[(start + i) % VALUES.len()]);
                        }
                    }
                })
            })
            .collect();
        let finished = SetOnDrop(done);
        let recorded: Vec<_> = writers.into_iter().map(thread::ScopedJoinHandle::join).collect();
        drop(finished);
        assert!(recorded.iter().all(Result::is_ok), "a recorder panicked");
        for reader in readers {
            let (count, reads) = reader.join().unwrap();
            assert_eq!(count, 2 * rounds * VALUES.len() as u64);
            assert!(reads >= 1);
        }
    });
}

/// The handles' own reads (`Histogram::snapshot`, `HistogramRef::snapshot`,
/// `count`, `sum`, `Counter::get`) while two recorders observe: each
/// snapshot is as consistent as a scrape's, cumulative buckets never
/// decrease along the bounds, and the final values are exact.
#[test]
fn handle_reads_while_recording() {
    let stress = Stress::new_unregistered();
    let stress = &stress;
    let done = AtomicBool::new(false);
    let done = &done;
    let rounds = ROUNDS / 4;
    // Cumulative counts back to per-bucket counts, as `check_histogram` takes them.
    let per_bucket = |read: &metricate::HistogramSnapshot| -> Vec<u64> {
        let cumulative: Vec<u64> = read.buckets().map(|(_, n)| n).collect();
        assert!(cumulative.windows(2).all(|w| w[0] <= w[1]), "cumulative buckets decrease: {cumulative:?}");
        assert_eq!(read.bucket(f64::INFINITY), Some(read.count()));
        cumulative.iter().scan(0, |before, &n| Some(n - std::mem::replace(before, n))).collect()
    };
    thread::scope(|s| {
        let reader = s.spawn(move || {
            let (mut last_one, mut last_shared) = (0, 0);
            loop {
                let finished = done.load(Ordering::Acquire);
                let one = stress.latency_seconds.snapshot();
                check_histogram("latency", &per_bucket(&one), one.sum(), one.count(), 2 * rounds);
                let shared = stress.size_bytes.with(ByParity { parity: Parity::Even }).snapshot();
                check_histogram("size", &per_bucket(&shared), shared.sum(), shared.count(), 2 * rounds);
                assert!(one.count() >= last_one && shared.count() >= last_shared);
                (last_one, last_shared) = (one.count(), shared.count());
                if finished {
                    return;
                }
            }
        });
        let writers: Vec<_> = [Worker::W0, Worker::W2]
            .into_iter()
            .map(|worker| s.spawn(move || (0..rounds).for_each(|round| record(stress, worker, Parity::Even, round))))
            .collect();
        let finished = SetOnDrop(done);
        let recorded: Vec<_> = writers.into_iter().map(thread::ScopedJoinHandle::join).collect();
        drop(finished);
        assert!(recorded.iter().all(Result::is_ok), "a recorder panicked");
        reader.join().unwrap();
    });
    let observations = 2 * rounds * VALUES.len() as u64;
    let each: f64 = VALUES.iter().sum();
    assert_eq!(stress.latency_seconds.count(), observations);
    assert_eq!(stress.latency_seconds.sum(), 2.0 * rounds as f64 * each);
    let even = stress.size_bytes.with(ByParity { parity: Parity::Even });
    assert_eq!((even.count(), even.sum()), (observations, 2.0 * rounds as f64 * each));
    assert_eq!(stress.size_bytes.with(ByParity { parity: Parity::Odd }).count(), 0);
    assert_eq!(
        even.snapshot().buckets().collect::<Vec<_>>(),
        [(1.0, 2 * rounds), (2.0, 4 * rounds), (4.0, 6 * rounds), (f64::INFINITY, 8 * rounds)]
    );
    assert_eq!(stress.shared_ops_total.get(), 2 * rounds);
    assert_eq!(stress.ops_total.with(WorkerOp { worker: Worker::W2, op: Op::Write }).get(), 2 * rounds);
    assert_eq!(stress.work_seconds_total.get(), 0.5 * rounds as f64);
}
