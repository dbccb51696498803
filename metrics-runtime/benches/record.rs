//! Record-path and encoding costs of declared metrics, each measured against a
//! hand-written baseline in the same run.
//!
//! Run with `cargo bench -p metricate --bench record`; `BENCH_REPS`
//! sets the number of repetitions (61 by default: batches are short, and a
//! run should outlast a burst of noise on a shared machine). Each
//! repetition times one batch of the case and then one batch of its baseline
//! (batches of about 3 ms, sized by the shared harness of `bench-support`),
//! so that both see the same noise; the table reports ns per operation (min
//! and median over the repetitions) and the ratios of ours to the baseline.
//! The counter, labeled counter, histogram and encoding baselines are the
//! floors the comparison with other libraries (`benchmarks/`) uses too.
//!
//! | case | ours | baseline |
//! |---|---|---|
//! | counter | `Counter::inc` on a `global()` instance | `static AtomicU64`, `fetch_add(1, Relaxed)` |
//! | labeled counter | `Family<L, Counter>::with(l).inc()`, 2 labels, 20 series | `static [AtomicU64; 20]` indexed by two `#[repr(u8)]` enums |
//! | histogram | `Histogram::observe`, default buckets | linear search, 2 atomic adds and a CAS on `static`s |
//! | quiet gauge | `Family<L, Gauge>` declared `#[metric(quiet)]`, `with(l).set(v)` on 20 warm series | the same family not quiet |
//! | gauge (touched state) | `Family<L, Gauge>::with(l).set(v)`, 20 warm series | `static [AtomicU64; 20]`, `store(v.to_bits())`: no touched state |
//! | quiet int gauge | `Family<L, IntGauge>` declared `#[metric(quiet)]`, `with(l).add(1)` on 20 warm series | the same family not quiet |
//! | int gauge (touched flag) | `Family<L, IntGauge>::with(l).add(1)`, 20 warm series | `static [AtomicI64; 20]`, `fetch_add(1)`: no touched flag |
//! | summary | `Summary::observe` (log-spaced buckets) | bucket from the `f64` bits, 2 atomic adds and a CAS on `static`s of 2,051 buckets |
//! | exemplar counter | `ExemplarCounter::inc_with_exemplar(&[("trace_id", id)])` | `fetch_add`, then a hand-written seqlock write of the same slot: CAS, clock read, value, time, length, label text, release |
//! | encode 10k text | `Format::Prometheus.encode` of 10,000 series | a writer of the same bytes from precomputed label strings |
//! | encode 10k OpenMetrics | `Format::OpenMetrics.encode` of the same 10,000 series | the same writer with OpenMetrics' metadata lines and `# EOF` |
//! | 2 threads on one counter | a `Counter` and a `ShardedCounter` incremented by 2 threads at once (batches whose threads did not run at once are run again) | the same counter from 1 thread: the scaling is 2-thread throughput over 1-thread throughput |

use std::cell::Cell;
use std::hint::black_box;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod table;

use bench_support::floor::{self, TextExposition};
use bench_support::harness::{self, Batch, interleaved, timed};
use metricate::encode::Format;
use metricate::{
    Counter, ExemplarCounter, Family, Gauge, Histogram, IntGauge, LabelSet, LabelValue, Metrics, Registry,
    ShardedCounter, Summary,
};
use table::{TableRow, print_table};

// ---------------------------------------------------------------------------
// Declarations.

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

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
    status: Status,
}

/// The metrics of the record-path cases.
#[derive(Metrics)]
#[metrics(subsystem = "bench")]
struct Record {
    /// Operations counted by the unlabeled counter case.
    ops_total: Counter,
    /// Requests counted by the labeled counter case.
    requests_total: Family<Request, Counter>,
    /// Observations of the histogram case.
    latency_seconds: Histogram,
    /// Operations counted by the contended counter cases, on one atomic.
    contended_total: Counter,
    /// Operations counted by the contended counter cases, sharded.
    sharded_total: ShardedCounter,
    /// Observations of the summary case.
    step_seconds: Summary,
    /// Increments of the exemplar counter case.
    traced_total: ExemplarCounter,
}

/// The metrics of the gauge cases: the same families, quiet and not.
#[derive(Metrics)]
#[metrics(subsystem = "bench")]
struct Gauges {
    /// Load per request kind, of the quiet gauge case.
    #[metric(quiet)]
    quiet_load: Family<Request, Gauge>,
    /// Load per request kind, of the dense gauge case.
    dense_load: Family<Request, Gauge>,
    /// Requests in flight per kind, of the quiet integer gauge case.
    #[metric(quiet)]
    quiet_in_flight: Family<Request, IntGauge>,
    /// Requests in flight per kind, of the dense integer gauge case.
    dense_in_flight: Family<Request, IntGauge>,
}

/// A 100-value label enum with a table of its values in index order.
macro_rules! label_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, LabelValue)]
        enum $name {
            $($variant),*
        }

        impl $name {
            /// Every value, in index order.
            const ALL: &'static [$name] = &[$($name::$variant),*];
        }
    };
}

label_enum!(
    /// The first label of the encoding case; values `r00` to `r99`.
    Row {
        R00, R01, R02, R03, R04, R05, R06, R07, R08, R09, R10, R11, R12, R13, R14, R15, R16, R17, R18, R19,
        R20, R21, R22, R23, R24, R25, R26, R27, R28, R29, R30, R31, R32, R33, R34, R35, R36, R37, R38, R39,
        R40, R41, R42, R43, R44, R45, R46, R47, R48, R49, R50, R51, R52, R53, R54, R55, R56, R57, R58, R59,
        R60, R61, R62, R63, R64, R65, R66, R67, R68, R69, R70, R71, R72, R73, R74, R75, R76, R77, R78, R79,
        R80, R81, R82, R83, R84, R85, R86, R87, R88, R89, R90, R91, R92, R93, R94, R95, R96, R97, R98, R99,
    }
);

label_enum!(
    /// The second label of the encoding case; values `c00` to `c99`.
    Col {
        C00, C01, C02, C03, C04, C05, C06, C07, C08, C09, C10, C11, C12, C13, C14, C15, C16, C17, C18, C19,
        C20, C21, C22, C23, C24, C25, C26, C27, C28, C29, C30, C31, C32, C33, C34, C35, C36, C37, C38, C39,
        C40, C41, C42, C43, C44, C45, C46, C47, C48, C49, C50, C51, C52, C53, C54, C55, C56, C57, C58, C59,
        C60, C61, C62, C63, C64, C65, C66, C67, C68, C69, C70, C71, C72, C73, C74, C75, C76, C77, C78, C79,
        C80, C81, C82, C83, C84, C85, C86, C87, C88, C89, C90, C91, C92, C93, C94, C95, C96, C97, C98, C99,
    }
);

#[derive(Clone, Copy, LabelSet)]
struct Grid {
    a: Row,
    b: Col,
}

/// The metric of the encoding case.
#[derive(Metrics)]
#[metrics(subsystem = "bench")]
struct Exposed {
    /// Series encoded by the encoding benchmark.
    #[metric(max_series = 10000)]
    series_total: Family<Grid, Counter>,
}

/// The names of [`Exposed`]'s family, for the floor's writer.
struct SeriesNames;

impl floor::Names for SeriesNames {
    const NAME: &'static str = "metrics_bench_series_total";
    const FAMILY: &'static str = "metrics_bench_series";
    const HELP: &'static str = "Series encoded by the encoding benchmark.";
}

// ---------------------------------------------------------------------------
// Baselines besides the shared floors (`bench_support::floor`): the gauges,
// the summary and the exemplar counter, which only this benchmark measures.

/// Gauges as they are without a touched state: the float gauge's bits, the
/// integer gauge's value.
static RAW_LOAD: [AtomicU64; 20] = [const { AtomicU64::new(0) }; 20];
static RAW_IN_FLIGHT: [AtomicI64; 20] = [const { AtomicI64::new(0) }; 20];

/// The summary baseline's buckets: as many as a summary series has.
const RAW_SUMMARY_BUCKETS: usize = metricate::summary::BUCKETS;
static RAW_SUMMARY: [AtomicU64; RAW_SUMMARY_BUCKETS] = [const { AtomicU64::new(0) }; RAW_SUMMARY_BUCKETS];
static RAW_SUMMARY_COUNT: AtomicU64 = AtomicU64::new(0);
static RAW_SUMMARY_SUM: AtomicU64 = AtomicU64::new(0);

/// A lock-free log-bucket histogram (16 buckets per power of two, the sign
/// folded in): the bucket from the exponent and top mantissa bits, count,
/// CAS on the sum, bucket.
#[inline]
fn raw_summary_observe(v: f64) {
    let bits = v.abs().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let magnitude = ((exp + 30).clamp(0, 63) as usize) * 16 + ((bits >> 48) as usize & 15);
    let bucket = if v.is_sign_negative() { 1024 - magnitude.min(1023) } else { 1026 + magnitude.min(1023) };
    RAW_SUMMARY_COUNT.fetch_add(1, Ordering::Relaxed);
    floor::add_f64(&RAW_SUMMARY_SUM, v);
    RAW_SUMMARY[bucket].fetch_add(1, Ordering::Relaxed);
}

static RAW_TRACED: AtomicU64 = AtomicU64::new(0);
/// A seqlock slot as an exemplar's: sequence, value, time, length, text.
static RAW_SLOT: [AtomicU64; metricate::exemplar::SLOT_WORDS] =
    [const { AtomicU64::new(0) }; metricate::exemplar::SLOT_WORDS];

/// An increment with an exemplar, written by hand: the increment, then the
/// label text (`trace_id="…"`, rendered as the runtime renders it) copied
/// into a seqlock slot with the value and the time.
#[inline]
fn raw_traced_inc(trace_id: &str) {
    RAW_TRACED.fetch_add(1, Ordering::Relaxed);
    let mut text = [0u8; 64];
    let mut len = 0;
    for part in [b"trace_id=\"".as_slice(), trace_id.as_bytes(), b"\""] {
        text[len..len + part.len()].copy_from_slice(part);
        len += part.len();
    }
    let seq = RAW_SLOT[0].load(Ordering::Relaxed);
    if seq % 2 == 1 || RAW_SLOT[0].compare_exchange(seq, seq + 1, Ordering::Acquire, Ordering::Relaxed).is_err() {
        return;
    }
    let time = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    RAW_SLOT[1].store(1f64.to_bits(), Ordering::Relaxed);
    RAW_SLOT[2].store(time.to_bits(), Ordering::Relaxed);
    RAW_SLOT[3].store(len as u64, Ordering::Relaxed);
    for (word, chunk) in RAW_SLOT[4..].iter().zip(text[..len].chunks(8)) {
        let mut bytes = [0u8; 8];
        bytes[..chunk.len()].copy_from_slice(chunk);
        word.store(u64::from_le_bytes(bytes), Ordering::Relaxed);
    }
    RAW_SLOT[0].store(seq + 2, Ordering::Release);
}

// ---------------------------------------------------------------------------
// The measured loops. Each is out of line so that its code can be found in
// the binary (`objdump -d`); the input tables pass through `black_box` once
// per round so that their loads stay in the loop.

#[inline(never)]
fn counter_ours(n: u64) {
    for _ in 0..n {
        Record::global().ops_total.inc();
    }
}

#[inline(never)]
fn labeled_ours(rounds: u64, sequence: &[Request; 20]) {
    for _ in 0..rounds {
        for request in black_box(sequence) {
            Record::global().requests_total.with(*request).inc();
        }
    }
}

#[inline(never)]
fn gauge_quiet(rounds: u64, sequence: &[Request; 20], values: &[f64; 20]) {
    for _ in 0..rounds {
        for (request, &v) in black_box(sequence).iter().zip(black_box(values)) {
            Gauges::global().quiet_load.with(*request).set(v);
        }
    }
}

#[inline(never)]
fn gauge_dense(rounds: u64, sequence: &[Request; 20], values: &[f64; 20]) {
    for _ in 0..rounds {
        for (request, &v) in black_box(sequence).iter().zip(black_box(values)) {
            Gauges::global().dense_load.with(*request).set(v);
        }
    }
}

#[inline(never)]
fn gauge_raw(rounds: u64, sequence: &[(floor::Method, floor::Status); 20], values: &[f64; 20]) {
    for _ in 0..rounds {
        for (&(method, status), &v) in black_box(sequence).iter().zip(black_box(values)) {
            RAW_LOAD[floor::index(method, status)].store(v.to_bits(), Ordering::Relaxed);
        }
    }
}

#[inline(never)]
fn int_gauge_quiet(rounds: u64, sequence: &[Request; 20]) {
    for _ in 0..rounds {
        for request in black_box(sequence) {
            Gauges::global().quiet_in_flight.with(*request).add(1);
        }
    }
}

#[inline(never)]
fn int_gauge_dense(rounds: u64, sequence: &[Request; 20]) {
    for _ in 0..rounds {
        for request in black_box(sequence) {
            Gauges::global().dense_in_flight.with(*request).add(1);
        }
    }
}

#[inline(never)]
fn int_gauge_raw(rounds: u64, sequence: &[(floor::Method, floor::Status); 20]) {
    for _ in 0..rounds {
        for &(method, status) in black_box(sequence) {
            RAW_IN_FLIGHT[floor::index(method, status)].fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[inline(never)]
fn histogram_ours(rounds: u64, values: &[f64; 64]) {
    for _ in 0..rounds {
        for &v in black_box(values) {
            Record::global().latency_seconds.observe(v);
        }
    }
}

#[inline(never)]
fn summary_ours(rounds: u64, values: &[f64; 64]) {
    for _ in 0..rounds {
        for &v in black_box(values) {
            Record::global().step_seconds.observe(v);
        }
    }
}

#[inline(never)]
fn summary_raw(rounds: u64, values: &[f64; 64]) {
    for _ in 0..rounds {
        for &v in black_box(values) {
            raw_summary_observe(v);
        }
    }
}

/// A trace id as a tracer gives it: 32 hex characters.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[inline(never)]
fn traced_ours(n: u64) {
    for _ in 0..n {
        Record::global().traced_total.inc_with_exemplar(&[("trace_id", black_box(TRACE_ID))]);
    }
}

#[inline(never)]
fn traced_raw(n: u64) {
    for _ in 0..n {
        raw_traced_inc(black_box(TRACE_ID));
    }
}

#[inline(never)]
fn encode_ours(format: Format, registry: &Registry<'_>, out: &mut Vec<u8>) {
    out.clear();
    format.encode(registry, out);
}

/// A batch of `f`, whose unit is one call with an argument of 1 (one round
/// or one operation): `f(n)` runs `n` of them.
fn batch(f: impl Fn(u64)) -> impl FnMut(u64) -> Duration {
    move |n| timed(n, &mut |n| f(black_box(n)))
}

/// [`batch`], which also adds the units it runs to `ran`: what the case's
/// metric must then hold.
fn counted(ran: &Cell<u64>, f: impl Fn(u64)) -> impl FnMut(u64) -> Duration {
    let mut batch = batch(f);
    move |n| {
        ran.set(ran.get() + n);
        batch(n)
    }
}

/// Case 1: the unlabeled counter.
fn bench_counter(reps: usize) -> TableRow {
    let (ran, floor_ran) = (Cell::new(0), Cell::new(0));
    let (ours, baseline) =
        interleaved(reps, &mut counted(&ran, counter_ours), 1, &mut counted(&floor_ran, floor::counter), 1);
    assert_eq!(Record::global().ops_total.get(), ran.get());
    assert_eq!(floor::counter_total(), floor_ran.get());
    TableRow { case: "counter `inc()`", ours, baseline: Some(baseline), target: Some(1.1) }
}

/// Case: 2 threads on one hot counter, plain and sharded: 2-thread throughput
/// over 1-thread throughput, maxima over repetitions (the least disturbed
/// runs), each repetition timing all four in turn. A 2-thread batch whose
/// threads did not run at once (the other core busy) is run again.
fn bench_contention(reps: usize) -> [(&'static str, f64, f64, f64); 2] {
    fn plain(n: u64) {
        for _ in 0..n {
            Record::global().contended_total.inc();
        }
    }
    fn sharded(n: u64) {
        for _ in 0..n {
            Record::global().sharded_total.inc();
        }
    }
    let mut one_plain = batch(plain);
    let mut two_plain = |n| harness::two_threads(n, &|_, n| plain(black_box(n)));
    let mut one_sharded = batch(sharded);
    let mut two_sharded = |n| harness::two_threads(n, &|_, n| sharded(black_box(n)));
    // Increments per second of a batch, over both threads.
    let batches: [(&mut Batch<'_>, u64); 4] =
        [(&mut one_plain, 1), (&mut two_plain, 2), (&mut one_sharded, 1), (&mut two_sharded, 2)];
    let mut runs = batches.map(|(batch, threads)| {
        let units = harness::calibrate(&mut *batch);
        (batch, threads, units)
    });
    let (mut best, mut medians): ([f64; 4], [Vec<f64>; 4]) = ([0.0; 4], Default::default());
    for _ in 0..reps.max(3) {
        for (i, (batch, threads, units)) in runs.iter_mut().enumerate() {
            let took = if *threads == 2 { harness::parallel(&mut **batch, *units).0 } else { batch(*units) };
            let rate = (*threads * *units) as f64 / took.as_secs_f64();
            best[i] = best[i].max(rate);
            medians[i].push(rate);
        }
    }
    let median = |v: &mut Vec<f64>| harness::Samples(std::mem::take(v)).median();
    let [m0, m1, m2, m3] = medians.each_mut().map(median);
    [("one `Counter` (one atomic)", best[0], best[1], m1 / m0), ("one `ShardedCounter`", best[2], best[3], m3 / m2)]
}

/// The 20 label pairs of the labeled cases, declared and as the floor's.
type Requests = ([Request; 20], [(floor::Method, floor::Status); 20]);

/// The 20 label pairs of the labeled cases (`floor::SEQUENCE`), declared and
/// as the floor's indices: both labels change on every call. In a static,
/// as the cells they index are: where a table on the stack falls relative to
/// the cells changes from run to run, and so, at times, does a sub-ns case.
fn requests() -> &'static Requests {
    const METHODS: [Method; 4] = [Method::Get, Method::Post, Method::Put, Method::Delete];
    const STATUSES: [Status; 5] =
        [Status::Ok, Status::Redirect, Status::ClientError, Status::ServerError, Status::Timeout];
    static REQUESTS: LazyLock<Requests> = LazyLock::new(|| {
        (floor::SEQUENCE.map(|(m, s)| Request { method: METHODS[m], status: STATUSES[s] }), floor::sequence())
    });
    &REQUESTS
}

/// Case 2: the labeled counter, 20 series, both labels change on every call.
fn bench_labeled(reps: usize) -> TableRow {
    let (requests, raw_requests) = requests();
    let (ran, floor_ran) = (Cell::new(0), Cell::new(0));
    let (ours, baseline) = interleaved(
        reps,
        &mut counted(&ran, |n| labeled_ours(n, requests)),
        20,
        &mut counted(&floor_ran, |n| floor::labeled(n, raw_requests)),
        20,
    );
    // Each round adds 1 to every series.
    for (request, &(method, status)) in requests.iter().zip(raw_requests) {
        assert_eq!(Record::global().requests_total.with(*request).get(), ran.get());
        assert_eq!(floor::requests(method, status), floor_ran.get());
    }
    TableRow { case: "labeled counter `with(l).inc()`", ours, baseline: Some(baseline), target: Some(1.1) }
}

/// The gauge cases: 20 series, both labels changing on every call, every
/// series warm (calibration records to each): a quiet family against the
/// same family not quiet, and each gauge against a bare atomic that keeps no
/// touched state.
fn bench_gauges(reps: usize) -> [TableRow; 4] {
    // A value per call, so that no call's value is known before it; in a
    // static, as the requests are.
    static VALUES: LazyLock<[f64; 20]> = LazyLock::new(|| std::array::from_fn(|i| 0.05 * i as f64));
    let (requests, raw_requests) = requests();
    let values = &*VALUES;
    let (quiet, dense) = interleaved(
        reps,
        &mut batch(|n| gauge_quiet(n, requests, values)),
        20,
        &mut batch(|n| gauge_dense(n, requests, values)),
        20,
    );
    let (ours, raw) = interleaved(
        reps,
        &mut batch(|n| gauge_dense(n, requests, values)),
        20,
        &mut batch(|n| gauge_raw(n, raw_requests, values)),
        20,
    );
    let (quiet_adds, dense_adds, raw_adds) = (Cell::new(0), Cell::new(0), Cell::new(0));
    let (int_quiet, int_dense) = interleaved(
        reps,
        &mut counted(&quiet_adds, |n| int_gauge_quiet(n, requests)),
        20,
        &mut counted(&dense_adds, |n| int_gauge_dense(n, requests)),
        20,
    );
    let (int_ours, int_raw) = interleaved(
        reps,
        &mut counted(&dense_adds, |n| int_gauge_dense(n, requests)),
        20,
        &mut counted(&raw_adds, |n| int_gauge_raw(n, raw_requests)),
        20,
    );
    let gauges = Gauges::global();
    for (request, &(method, status)) in requests.iter().zip(raw_requests) {
        let index = floor::index(method, status);
        let last = f64::from_bits(RAW_LOAD[index].load(Ordering::Relaxed));
        assert!(last > 0.0 || index == 0);
        assert_eq!(gauges.quiet_load.with(*request).get(), last);
        assert_eq!(gauges.dense_load.with(*request).get(), last);
        assert!(gauges.quiet_load.with(*request).touched() && gauges.quiet_in_flight.with(*request).touched());
        // Each round adds 1 to every series; the dense family ran in two
        // comparisons.
        assert_eq!(gauges.quiet_in_flight.with(*request).get(), quiet_adds.get() as i64);
        assert_eq!(gauges.dense_in_flight.with(*request).get(), dense_adds.get() as i64);
        assert_eq!(RAW_IN_FLIGHT[index].load(Ordering::Relaxed), raw_adds.get() as i64);
    }
    [
        TableRow {
            case: "quiet gauge `with(l).set(v)` (baseline: not quiet)",
            ours: quiet,
            baseline: Some(dense),
            target: Some(1.1),
        },
        TableRow {
            case: "gauge `with(l).set(v)` (baseline: no touched state)",
            ours,
            baseline: Some(raw),
            target: Some(1.1),
        },
        TableRow {
            case: "quiet int gauge `with(l).add(1)` (baseline: not quiet)",
            ours: int_quiet,
            baseline: Some(int_dense),
            target: Some(1.1),
        },
        TableRow {
            case: "int gauge `with(l).add(1)` (baseline: no touched flag)",
            ours: int_ours,
            baseline: Some(int_raw),
            target: Some(1.1),
        },
    ]
}

/// Case 3: the histogram, 64 values from 1 ms to 20 s on a log scale, which
/// covers every bucket including `+Inf`.
fn bench_histogram(reps: usize) -> TableRow {
    let values = floor::histogram_values();
    let (ran, floor_ran) = (Cell::new(0), Cell::new(0));
    let (ours, baseline) = interleaved(
        reps,
        &mut counted(&ran, |n| histogram_ours(n, &values)),
        64,
        &mut counted(&floor_ran, |n| floor::histogram(n, &values)),
        64,
    );
    assert_eq!(Record::global().latency_seconds.count(), 64 * ran.get());
    assert_eq!(floor::histogram_count(), 64 * floor_ran.get());
    TableRow { case: "histogram `observe()`", ours, baseline: Some(baseline), target: Some(1.1) }
}

/// The summary case: `observe()` against a hand-written log-bucket
/// histogram of as many buckets.
fn bench_summary(reps: usize) -> TableRow {
    let values = floor::histogram_values();
    let (ours, baseline) =
        interleaved(reps, &mut batch(|n| summary_ours(n, &values)), 64, &mut batch(|n| summary_raw(n, &values)), 64);
    TableRow { case: "summary `observe()`", ours, baseline: Some(baseline), target: Some(1.1) }
}

/// The exemplar case: an increment carrying a trace id against the same
/// writes by hand.
fn bench_exemplar(reps: usize) -> TableRow {
    let (ran, floor_ran) = (Cell::new(0), Cell::new(0));
    let (ours, baseline) =
        interleaved(reps, &mut counted(&ran, traced_ours), 1, &mut counted(&floor_ran, traced_raw), 1);
    assert_eq!(Record::global().traced_total.get(), ran.get());
    assert_eq!(RAW_TRACED.load(Ordering::Relaxed), floor_ran.get());
    TableRow { case: "exemplar counter `inc_with_exemplar()`", ours, baseline: Some(baseline), target: None }
}

/// Case 4: encoding 10,000 series, Prometheus text and OpenMetrics, each
/// against the floor's writer of the same bytes. Also returns the two
/// encoded sizes.
///
/// Ours is [`Format::encode`], which builds a fresh encoder per call (a fixed
/// few small allocations, well under 1% of an encode here); a scrape that keeps
/// its encoder and buffer (`encode::encode` with a `PrometheusText` or an
/// `OpenMetrics`) allocates nothing once warm (`tests/tests/no_alloc_scrape.rs`).
fn bench_encode(reps: usize) -> (TableRow, TableRow, usize, usize) {
    let exposed = Exposed::new_unregistered();
    let raw = TextExposition::<SeriesNames>::new(Row::ALL.len(), Col::ALL.len());
    for (i, &a) in Row::ALL.iter().enumerate() {
        for (j, &b) in Col::ALL.iter().enumerate() {
            exposed.series_total.with(Grid { a, b }).inc_by(floor::series_value(i * Col::ALL.len() + j));
        }
    }
    let mut registry = Registry::new();
    registry.register_group(&exposed).expect("one family, no collision");
    let mut sizes = [0; 2];
    let mut rows = Vec::new();
    for (i, (format, raw_writer, case)) in [
        (
            Format::Prometheus,
            TextExposition::prometheus as fn(&TextExposition<SeriesNames>, &mut Vec<u8>),
            "encode 10k series, Prometheus text",
        ),
        (Format::OpenMetrics, TextExposition::openmetrics, "encode 10k series, OpenMetrics"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut ours_buf = Vec::new();
        let mut raw_buf = Vec::new();
        encode_ours(format, &registry, &mut ours_buf);
        raw_writer(&raw, &mut raw_buf);
        assert!(ours_buf == raw_buf, "the baseline writer must produce the same bytes as the {format:?} encoder");
        sizes[i] = ours_buf.len();
        let (ours, baseline) = interleaved(
            reps,
            &mut |n| {
                timed(n, &mut |n| {
                    for _ in 0..n {
                        encode_ours(format, &registry, &mut ours_buf);
                        black_box(&ours_buf);
                    }
                })
            },
            1,
            &mut |n| {
                timed(n, &mut |n| {
                    for _ in 0..n {
                        raw_writer(&raw, &mut raw_buf);
                        black_box(&raw_buf);
                    }
                })
            },
            1,
        );
        rows.push(TableRow { case, ours, baseline: Some(baseline), target: Some(1.2) });
    }
    let [text, openmetrics]: [TableRow; 2] = rows.try_into().unwrap_or_else(|_| unreachable!("two formats"));
    (text, openmetrics, sizes[0], sizes[1])
}

fn main() {
    let started = Instant::now();
    let reps: usize = std::env::var("BENCH_REPS").ok().and_then(|r| r.parse().ok()).filter(|&r| r > 0).unwrap_or(61);
    let mut rows = vec![bench_counter(reps), bench_labeled(reps), bench_histogram(reps)];
    rows.extend(bench_gauges(reps));
    rows.push(bench_summary(reps));
    rows.push(bench_exemplar(reps));
    let (text, openmetrics, text_len, openmetrics_len) = bench_encode(reps);
    let per_series = |row: &TableRow| (row.ours.min() / 10_000.0, row.baseline.as_ref().map(|b| b.min() / 10_000.0));
    let (text_per_series, raw_per_series) = per_series(&text);
    let (openmetrics_per_series, raw_openmetrics_per_series) = per_series(&openmetrics);
    rows.push(text);
    rows.push(openmetrics);

    print_table(&rows);
    println!();
    println!(
        "| 2 threads on one counter | 1 thread (M inc/s, best) | 2 threads (M inc/s, best) | scaling (best) | scaling (median) | target |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (case, one, two, median) in bench_contention(reps.min(21)) {
        let target = if case.contains("Sharded") { "≥ 1.8" } else { "—" };
        println!("| {case} | {:.1} | {:.1} | {:.2} | {median:.2} | {target} |", one / 1e6, two / 1e6, two / one);
    }
    println!();
    println!(
        "Encoded sizes (10,000 series): Prometheus text {text_len} bytes, OpenMetrics {openmetrics_len} bytes (each baseline identical)."
    );
    println!(
        "Encoding per series (min): Prometheus {text_per_series:.1} ns (baseline {:.1} ns), OpenMetrics {openmetrics_per_series:.1} ns (baseline {:.1} ns).",
        raw_per_series.unwrap_or(f64::NAN),
        raw_openmetrics_per_series.unwrap_or(f64::NAN),
    );
    println!(
        "{reps} repetitions; batches of about {} ms; ratios are ours / baseline; targets are judged on the ratio of mins.",
        harness::TARGET.as_millis(),
    );
    let slot = metricate::exemplar::SLOT_WORDS * 8;
    println!(
        "Memory per series: summary {} bytes ({} buckets, two shards); exemplar slot {slot} bytes: exemplar counter {} bytes (counter 8), exemplar histogram with the 11 default bounds {} bytes (histogram {}).",
        (1 + 2 * (1 + metricate::summary::BUCKETS)) * 8,
        metricate::summary::BUCKETS,
        8 + slot,
        (5 + 2 * 11) * 8 + 12 * slot,
        (5 + 2 * 11) * 8,
    );
    let elapsed: Duration = started.elapsed();
    println!("Total run time: {:.1} s.", elapsed.as_secs_f64());
}
