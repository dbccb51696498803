//! Histograms with fixed buckets whose snapshots are always consistent.
//!
//! # Layout and consistency
//!
//! One series is `2 * bounds + 5` atomic cells:
//!
//! ```text
//! [0]                 started observations (bits 0..63) | hot shard (bit 63)
//! [1]                 shard 0: sum (f64 bits)
//! [2 ..= bounds + 2]  shard 0: per-bucket counts, +Inf last
//! [bounds + 3]        shard 1: sum
//! [bounds + 4 ..]     shard 1: per-bucket counts
//! ```
//!
//! An observation takes the same three atomic operations as a plain lock-free
//! histogram: it increments the started count (learning which shard is hot),
//! adds to the hot shard's sum with a compare-and-swap, and finally increments
//! its bucket with `Release`. The bucket increment is the observation's
//! completion mark, so a shard's bucket counts add up to the number of
//! observations that have fully landed in it; no separate "completed" counter
//! is needed.
//!
//! A reader (serialised by a lock that recorders never touch) flips the hot
//! bit, which tells it exactly how many observations were started before the
//! flip; they all went to the now-cold shard. It waits until the cold shard's
//! buckets add up to that number (an in-flight observer is a few instructions
//! from done), reads buckets and sum, then folds the cold shard into the hot
//! one and zeroes it. Buckets, `_count` and `_sum` therefore always describe
//! the same set of observations. This is the hot/cold scheme of the Go
//! client, with the completion count folded into the buckets.

use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use metricate_spec::MetricKind;
use metricate_spec::rules::MAX_QUANTILES;

use super::counter::add_f64;
use super::{Collect, Metric, SeriesCells, SeriesVisitor, Storage, Value};
use crate::self_metrics::{InvalidSample, reject};
use crate::sync::Cell64;

const HOT_BIT: u64 = 1 << 63;
const COUNT_MASK: u64 = HOT_BIT - 1;

/// Serialises readers: two readers flipping the same series at once would
/// each wait for the other's observations.
static READ_LOCK: Mutex<()> = Mutex::new(());

/// Up to this many buckets are read into a stack buffer; more use the heap.
const INLINE_BUCKETS: usize = 64;

/// Scratch space for reading one histogram series. Not public API.
#[doc(hidden)]
pub struct ReadScratch {
    inline: [u64; INLINE_BUCKETS],
    heap: Vec<u64>,
    quantiles: [f64; MAX_QUANTILES],
}

impl ReadScratch {
    pub(crate) fn new() -> ReadScratch {
        ReadScratch { inline: [0; INLINE_BUCKETS], heap: Vec::new(), quantiles: [0.0; MAX_QUANTILES] }
    }

    /// Room for the values of `len` quantiles (at most [`MAX_QUANTILES`],
    /// which the declaration checks).
    pub(crate) fn quantiles(&mut self, len: usize) -> &mut [f64] {
        &mut self.quantiles[..len.min(MAX_QUANTILES)]
    }

    fn buckets(&mut self, len: usize) -> &mut [u64] {
        if len <= INLINE_BUCKETS {
            &mut self.inline[..len]
        } else {
            self.heap.resize(len, 0);
            &mut self.heap[..]
        }
    }
}

/// A histogram with fixed buckets (the Prometheus defaults unless the
/// declaration gives its own).
///
/// ```
/// use metricate::encode::Format;
/// use metricate::{Histogram, Metrics, Registry};
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_histogram")]
/// struct Queries {
///     /// Time to answer a query.
///     #[metric(buckets = [0.01, 0.1, 1.0])]
///     duration_seconds: Histogram,
/// }
///
/// let queries = Queries::new_unregistered();
/// queries.duration_seconds.observe(0.05);
/// let timer = queries.duration_seconds.start_timer(); // observes when it drops or `observe()`s
/// drop(timer);
///
/// let mut registry = Registry::new();
/// registry.register_group(&queries).unwrap();
/// let mut out = Vec::new();
/// Format::Prometheus.encode(&registry, &mut out);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains("metrics_doc_histogram_duration_seconds_bucket{le=\"0.1\"} 2\n"));
/// assert!(text.contains("metrics_doc_histogram_duration_seconds_count 2\n"));
/// ```
pub struct Histogram {
    cells: Storage<AtomicU64>,
    bounds: &'static [f64],
}

impl Histogram {
    /// Records one observation. NaN is rejected and counted in
    /// `metrics_export_invalid_samples_total{reason="nan"}`.
    #[inline]
    pub fn observe(&self, v: f64) {
        observe(&self.cells, self.bounds, v);
    }

    /// Records a duration, in seconds.
    #[inline]
    pub fn observe_duration(&self, d: Duration) {
        self.observe(d.as_secs_f64());
    }

    /// Starts a timer that records the elapsed seconds (monotonic clock) when
    /// dropped.
    pub fn start_timer(&self) -> HistogramTimer<'_> {
        HistogramRef { cells: &self.cells, bounds: self.bounds }.start_timer()
    }

    /// The finite bucket bounds.
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    /// Reads the histogram as a scrape does: buckets, sum and count of the
    /// same observations (see [`HistogramSnapshot`]).
    pub fn snapshot(&self) -> HistogramSnapshot {
        HistogramSnapshot::read(&self.cells, self.bounds)
    }

    /// The number of observations: the `_count` a scrape would show now.
    pub fn count(&self) -> u64 {
        read_count_sum(&self.cells, self.bounds).0
    }

    /// The sum of the observations: the `_sum` a scrape would show now.
    pub fn sum(&self) -> f64 {
        read_count_sum(&self.cells, self.bounds).1
    }

    #[doc(hidden)]
    pub const fn __from_static(cells: &'static [AtomicU64], bounds: &'static [f64]) -> Histogram {
        Histogram { cells: Storage::Static(cells), bounds }
    }
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histogram").field("bounds", &self.bounds).finish_non_exhaustive()
    }
}

/// One series of a histogram [`Family`](super::Family).
#[derive(Clone, Copy)]
pub struct HistogramRef<'a> {
    cells: &'a [AtomicU64],
    bounds: &'static [f64],
}

impl<'a> HistogramRef<'a> {
    /// Records one observation. NaN is rejected and counted.
    #[inline]
    pub fn observe(self, v: f64) {
        observe(self.cells, self.bounds, v);
    }

    /// Records a duration, in seconds.
    #[inline]
    pub fn observe_duration(self, d: Duration) {
        self.observe(d.as_secs_f64());
    }

    /// Starts a timer that records the elapsed seconds when dropped.
    pub fn start_timer(self) -> HistogramTimer<'a> {
        HistogramTimer { histogram: self, start: Instant::now() }
    }

    /// The finite bucket bounds.
    pub fn bounds(self) -> &'static [f64] {
        self.bounds
    }

    /// Reads the series as a scrape does: buckets, sum and count of the
    /// same observations (see [`HistogramSnapshot`]).
    pub fn snapshot(self) -> HistogramSnapshot {
        HistogramSnapshot::read(self.cells, self.bounds)
    }

    /// The number of observations: the `_count` a scrape would show now.
    pub fn count(self) -> u64 {
        read_count_sum(self.cells, self.bounds).0
    }

    /// The sum of the observations: the `_sum` a scrape would show now.
    pub fn sum(self) -> f64 {
        read_count_sum(self.cells, self.bounds).1
    }
}

impl std::fmt::Debug for HistogramRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistogramRef").field("bounds", &self.bounds).finish_non_exhaustive()
    }
}

/// One read of a histogram series, as a scrape makes it: the buckets, the
/// sum and the count describe the same observations, even while other
/// threads record (the read flips the hot and cold shards like an encoder's,
/// see the module docs). Each call of [`Histogram::count`] or
/// [`Histogram::sum`] is such a read on its own; compare them with each
/// other through one snapshot.
///
/// ```
/// use metricate::{Histogram, Metrics};
///
/// /// The queue.
/// #[derive(Metrics)]
/// #[metrics(subsystem = "queue")]
/// struct Queue {
///     /// Time a job waited.
///     #[metric(buckets = [0.1, 1.0])]
///     wait_seconds: Histogram,
/// }
///
/// let queue = Queue::new_unregistered();
/// for wait in [0.05, 0.5, 0.7, 3.0] {
///     queue.wait_seconds.observe(wait);
/// }
/// let read = queue.wait_seconds.snapshot();
/// assert_eq!((read.count(), read.sum()), (4, 4.25));
/// // Cumulative, as the `_bucket{le}` series: 1 at or below 0.1, 3 at or below 1.0.
/// assert_eq!(read.buckets().collect::<Vec<_>>(), [(0.1, 1), (1.0, 3), (f64::INFINITY, 4)]);
/// assert_eq!(read.bucket(1.0), Some(3));
/// assert_eq!(read.bucket(0.5), None); // not a bound
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramSnapshot {
    bounds: &'static [f64],
    /// Per-bucket (not cumulative) counts, `+Inf` last.
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

impl HistogramSnapshot {
    pub(crate) fn read<C: Cell64>(cells: &[C], bounds: &'static [f64]) -> HistogramSnapshot {
        let mut scratch = ReadScratch::new();
        let (buckets, sum, count) = read_parts(cells, bounds, &mut scratch);
        HistogramSnapshot { bounds, buckets: buckets.to_vec(), sum, count }
    }

    /// The number of observations (`_count`).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sum of the observations (`_sum`).
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// The finite bucket bounds.
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    /// Each upper bound with the number of observations at or below it
    /// (cumulative, as the `_bucket{le}` series), `+Inf` last as
    /// `f64::INFINITY` with the count of every observation.
    pub fn buckets(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let bounds = self.bounds.iter().copied().chain(std::iter::once(f64::INFINITY));
        bounds.zip(self.buckets.iter().scan(0u64, |total, n| {
            *total = total.wrapping_add(*n);
            Some(*total)
        }))
    }

    /// The cumulative count of the bucket whose upper bound is `le` (one of
    /// the bounds, or `f64::INFINITY`); `None` when `le` is not a bound.
    pub fn bucket(&self, le: f64) -> Option<u64> {
        self.buckets().find(|(bound, _)| *bound == le).map(|(_, count)| count)
    }
}

/// One consistent read's count and sum, without allocating.
fn read_count_sum<C: Cell64>(cells: &[C], bounds: &[f64]) -> (u64, f64) {
    let mut scratch = ReadScratch::new();
    let (_, sum, count) = read_parts(cells, bounds, &mut scratch);
    (count, sum)
}

/// Records the time since it was started into a histogram when dropped.
#[must_use = "the timer records when dropped; dropping it at once records ~0s"]
pub struct HistogramTimer<'a> {
    histogram: HistogramRef<'a>,
    start: Instant,
}

impl HistogramTimer<'_> {
    /// Records now and returns the elapsed time.
    pub fn observe(self) -> Duration {
        let elapsed = self.start.elapsed();
        // Drop records it.
        drop(self);
        elapsed
    }
}

impl Drop for HistogramTimer<'_> {
    fn drop(&mut self) {
        self.histogram.observe_duration(self.start.elapsed());
    }
}

/// The index of the bucket `v` falls in: the first bound `>= v`, or the
/// `+Inf` bucket.
#[inline]
pub(crate) fn bucket_index(bounds: &[f64], v: f64) -> usize {
    // A linear scan beats binary search for the usual dozen bounds: its branch
    // is predictable and it touches one cache line.
    if bounds.len() <= 32 {
        bounds.iter().position(|&b| v <= b).unwrap_or(bounds.len())
    } else {
        bounds.partition_point(|&b| b < v)
    }
}

#[inline]
pub(crate) fn observe<C: Cell64>(cells: &[C], bounds: &[f64], v: f64) {
    if v.is_nan() {
        return reject(InvalidSample::Nan);
    }
    observe_in(cells, bounds.len(), bucket_index(bounds, v), v);
}

/// Records `v` into bucket `bucket` of a series laid out for `bounds`
/// finite bounds (the summary's log-spaced buckets use it too).
#[inline]
pub(crate) fn observe_in<C: Cell64>(cells: &[C], bounds: usize, bucket: usize, v: f64) {
    // Acquire: this observation then happens after the flip that made its
    // shard hot, and so after the previous reader cleared that shard (the
    // readers' lock orders the clearing before the flip). With Relaxed, the
    // memory model would allow this increment to be ordered before the
    // clearing and erased by it. Same instruction on x86; `ldadda` on ARM64.
    let started = cells[0].fetch_add(1, Ordering::Acquire);
    let shard = 1 + (started >> 63) as usize * (bounds + 2);
    let shard = &cells[shard..shard + bounds + 2];
    add_f64(&shard[0], v);
    // Completion mark: publishes the sum above to a reader's Acquire loads.
    shard[1 + bucket].fetch_add(1, Ordering::Release);
}

/// Reads one series consistently (see the module docs).
pub(crate) fn read<'s, C: Cell64>(cells: &[C], bounds: &'s [f64], scratch: &'s mut ReadScratch) -> Value<'s> {
    let (buckets, sum, count) = read_parts(cells, bounds, scratch);
    Value::Histogram { bounds, buckets, sum, count }
}

/// [`read`]: the per-bucket counts, the sum and the count.
fn read_parts<'s, C: Cell64>(cells: &[C], bounds: &[f64], scratch: &'s mut ReadScratch) -> (&'s [u64], f64, u64) {
    let buckets = scratch.buckets(bounds.len() + 1);
    let (sum, count) = read_into(cells, bounds.len(), buckets);
    (buckets, sum, count)
}

/// Reads one series laid out for `bounds` finite bounds consistently (see
/// the module docs) into `buckets` (`bounds + 1` long): per-bucket counts;
/// returns the sum and the count.
pub(crate) fn read_into<C: Cell64>(cells: &[C], bounds: usize, buckets: &mut [u64]) -> (f64, u64) {
    let _guard = READ_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    let width = bounds + 2;
    let flipped = cells[0].fetch_add(HOT_BIT, Ordering::AcqRel);
    let started = flipped & COUNT_MASK;
    let cold_index = (flipped >> 63) as usize;
    let shard = |index: usize| &cells[1 + index * width..][..width];
    let cold = shard(cold_index);
    let hot = shard(cold_index ^ 1);

    let mut spins = 0u32;
    loop {
        let mut landed = 0u64;
        for (slot, cell) in buckets.iter_mut().zip(&cold[1..]) {
            *slot = cell.load(Ordering::Acquire);
            landed = landed.wrapping_add(*slot);
        }
        if landed == started {
            break;
        }
        // An observer between its start and its bucket increment: it is a few
        // instructions from done unless it was preempted.
        spins += 1;
        C::wait(spins);
    }
    let sum = f64::from_bits(cold[0].load(Ordering::Relaxed));

    // Fold the cold shard into the hot one so that it carries the totals
    // forward, then clear it for its next turn as the hot shard.
    for ((count, hot_cell), cold_cell) in buckets.iter().zip(&hot[1..]).zip(&cold[1..]) {
        if *count != 0 {
            hot_cell.fetch_add(*count, Ordering::Relaxed);
            cold_cell.store(0, Ordering::Relaxed);
        }
    }
    if sum.to_bits() != 0 {
        add_f64(&hot[0], sum);
        cold[0].store(0, Ordering::Relaxed);
    }
    (sum, started)
}

/// Whether an observation was ever started in a series: its count is above
/// zero (a rejected NaN starts none).
pub(crate) fn touched(cells: &[AtomicU64]) -> bool {
    cells[0].load(Ordering::Relaxed) & COUNT_MASK != 0
}

/// Cells per histogram series before buckets: the started count and two sums.
pub(crate) const CELLS_BASE: usize = 3 + 2;

impl Metric for Histogram {
    const KIND: MetricKind = MetricKind::Histogram;
    type Cell = AtomicU64;
    /// The fixed cells, and a bucket count in each of the two shards for
    /// each finite bound.
    const CELLS: SeriesCells = SeriesCells::per_bound(CELLS_BASE, 2);
    type Handle<'a> = HistogramRef<'a>;
    type Reader = ();
    const READER: () = ();

    #[inline]
    fn handle<'a>(cells: &'a [AtomicU64], series: usize, bounds: &'static [f64]) -> HistogramRef<'a> {
        let stride = <Self as Metric>::CELLS.len(bounds.len());
        HistogramRef { cells: &cells[series * stride..(series + 1) * stride], bounds }
    }

    fn read<'s>(cells: &[AtomicU64], bounds: &'s [f64], scratch: &'s mut ReadScratch, &(): &(), _: usize) -> Value<'s> {
        read(cells, bounds, scratch)
    }

    fn touched(cells: &[AtomicU64]) -> bool {
        touched(cells)
    }
}

super::series_field!(Histogram, |bounds| {
    let len = <Histogram as Metric>::CELLS.len(bounds.len());
    Histogram { cells: Storage::heap(len, || AtomicU64::new(0)), bounds }
});

impl Collect for Histogram {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        let mut scratch = ReadScratch::new();
        let value = read(&self.cells, self.bounds, &mut scratch);
        if touched(&self.cells) { visitor.series(0, value) } else { visitor.untouched(0, value) }
    }

    fn write_series(&self, writer: &mut crate::encode::SeriesWriter<'_>) {
        let mut scratch = ReadScratch::new();
        let value = read(&self.cells, self.bounds, &mut scratch);
        writer.write(0, value, touched(&self.cells));
    }

    fn __series_at(&self, address: usize) -> Option<usize> {
        (self.cells.as_ptr().addr() == address).then_some(0)
    }
}

impl Histogram {
    /// Where its cells start, which names it for [`Collect::__series_at`].
    pub(crate) fn address(&self) -> usize {
        self.cells.as_ptr().addr()
    }
}

impl HistogramRef<'_> {
    /// Where its cells start, which names it for [`Collect::__series_at`].
    pub(crate) fn address(self) -> usize {
        self.cells.as_ptr().addr()
    }
}
