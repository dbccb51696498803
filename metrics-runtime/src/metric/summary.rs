//! Summaries: quantiles over a sliding time window, with the sum and count
//! of every observation.
//!
//! # Recording
//!
//! An observation lands in one of [`BUCKETS`] fixed, log-spaced buckets
//! (16 per power of two, for magnitudes from 2⁻³⁰ ≈ 9.3e-10 up to 2³⁴ ≈
//! 1.7e10, mirrored for negative values, with one bucket for the values
//! nearer to zero and one each for those beyond), through the same three
//! atomic operations as a [`Histogram`](super::Histogram) observation and
//! the same hot/cold shards, so `_sum`, `_count` and the buckets always
//! describe one set of observations. Recording takes no lock and reads no
//! clock; the bucket of a value is a few bit operations on its `f64`
//! representation.
//!
//! # The window
//!
//! The buckets count every observation since the start. A reader keeps, per
//! series, the counts at the start of each age bucket (a step of `max_age /
//! age_buckets`) and reports the quantiles of the counts since the start of
//! the oldest step still in the window: as the Prometheus client libraries
//! do, the window covers between `max_age - max_age / age_buckets` and
//! `max_age` of observations. The reader learns the counts only when it
//! reads, so a step starts at the latest read before it: an observation
//! stays in the window at least `max_age - max_age / age_buckets`, and at
//! most that plus the time between two reads longer than `max_age` (one
//! scrape interval when scraped). The copies are the reader's, under a lock
//! recorders never take. A summary not read for a whole window reports the
//! observations since its previous read; a summary never read before
//! reports everything since its start.
//!
//! # Error bound
//!
//! A reported quantile `q` of `n` observations in the window is the middle
//! of the bucket that holds the observation of rank `⌈q·n⌉` (the
//! nearest-rank quantile): the rank is exact, the value within
//! [`RELATIVE_ERROR`] (1/32, 3.125 %) of that observation for magnitudes in
//! the range above. Values nearer to zero than 2⁻³⁰ are reported as 0;
//! beyond ±2³⁴, as ±infinity. An empty window reports `NaN`.

use std::sync::atomic::AtomicU64;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use metricate_spec::MetricKind;

use super::histogram::{observe_in, read_into, touched};
use super::{Collect, Metric, ReadScratch, SeriesCells, SeriesVisitor, Storage, Value};
use crate::self_metrics::{InvalidSample, reject};

/// Buckets per power of two (a power of two itself: the top mantissa bits).
const SUB_BITS: u32 = 4;
const SUB: usize = 1 << SUB_BITS;
/// The smallest exponent with buckets of its own: 2⁻³⁰.
const MIN_EXP: i32 = -30;
/// One past the largest: values from 2³⁴ up go to the overflow bucket.
const MAX_EXP: i32 = 34;
/// Buckets for one sign.
const HALF: usize = (MAX_EXP - MIN_EXP) as usize * SUB;
/// The bucket of the values nearer to zero than 2⁻³⁰ (zero included).
const ZERO: usize = HALF + 1;

/// The number of buckets of a series: both signs, zero, and the two
/// overflow buckets.
pub const BUCKETS: usize = 2 * HALF + 3;

/// The largest relative error of a reported quantile, for magnitudes from
/// 2⁻³⁰ to 2³⁴: half a bucket's width over its lower bound.
pub const RELATIVE_ERROR: f64 = 1.0 / (2.0 * SUB as f64);

/// Cells per series: the started count, then two shards of a sum and
/// [`BUCKETS`] counts (the histogram layout for `BUCKETS - 1` bounds).
const CELLS: usize = 1 + 2 * (1 + BUCKETS);

/// The bucket of `v` (not NaN).
#[inline]
fn bucket_of(v: f64) -> usize {
    let bits = v.abs().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let magnitude = if exp < MIN_EXP {
        return ZERO;
    } else if exp >= MAX_EXP {
        HALF
    } else {
        (exp - MIN_EXP) as usize * SUB + ((bits >> (52 - SUB_BITS)) as usize & (SUB - 1))
    };
    if v.is_sign_negative() { HALF - magnitude } else { ZERO + 1 + magnitude }
}

/// The value reported for bucket `index`: the middle of its range.
fn representative(index: usize) -> f64 {
    let (negative, magnitude) = match index {
        ZERO => return 0.0,
        i if i < ZERO => (true, HALF - i),
        i => (false, i - ZERO - 1),
    };
    let value = if magnitude >= HALF {
        f64::INFINITY
    } else {
        let exp = (magnitude / SUB) as i32 + MIN_EXP;
        let sub = (magnitude % SUB) as f64;
        2f64.powi(exp) * (1.0 + (sub + 0.5) / SUB as f64)
    };
    if negative { -value } else { value }
}

/// How a declared summary reports: the derive writes it into the metric's
/// `bounds` array as `[max_age_seconds, age_buckets, quantiles..]`.
#[derive(Clone, Copy)]
struct Config<'a> {
    step: Duration,
    age_buckets: usize,
    quantiles: &'a [f64],
}

impl<'a> Config<'a> {
    fn of(bounds: &'a [f64]) -> Config<'a> {
        match bounds {
            [max_age, age_buckets, quantiles @ ..] if *age_buckets >= 1.0 => {
                let age_buckets = *age_buckets as usize;
                let step = Duration::try_from_secs_f64(max_age / age_buckets as f64).unwrap_or(Duration::MAX);
                Config { step: step.max(Duration::from_millis(1)), age_buckets, quantiles }
            }
            _ => Config { step: Duration::from_secs(120), age_buckets: 5, quantiles: &[] },
        }
    }
}

/// The clock the windows step by.
static ORIGIN: LazyLock<Instant> = LazyLock::new(Instant::now);

/// One copy of a series' counts, from the first read in its step.
#[derive(Default)]
struct Copy {
    step: u64,
    /// The counts of buckets `from..from + counts.len()`; zero elsewhere.
    from: usize,
    counts: Vec<u64>,
}

impl Copy {
    fn take(&mut self, step: u64, counts: &[u64]) {
        self.step = step;
        let from = counts.iter().position(|c| *c != 0).unwrap_or(0);
        let to = counts.iter().rposition(|c| *c != 0).map_or(from, |i| i + 1);
        self.from = from;
        self.counts.clear();
        self.counts.extend_from_slice(&counts[from..to]);
    }

    fn get(&self, index: usize) -> u64 {
        index.checked_sub(self.from).and_then(|i| self.counts.get(i)).copied().unwrap_or(0)
    }
}

/// The reader's copies of one series, one slot per age bucket, and the
/// counts of its latest read.
#[derive(Default)]
struct Ring {
    copies: Vec<Option<Copy>>,
    /// The counts at the latest read (none before the first).
    last: Option<Copy>,
}

/// What readers keep between reads: a buffer for the counts and the copies
/// of each series read so far.
#[doc(hidden)]
#[derive(Default)]
pub struct Windows {
    counts: Vec<u64>,
    rings: Vec<Ring>,
}

impl Windows {
    /// Reads a series' buckets into `counts`; returns its sum and count.
    fn read_counts(&mut self, cells: &[AtomicU64]) -> (f64, u64) {
        self.counts.resize(BUCKETS, 0);
        read_into(cells, BUCKETS - 1, &mut self.counts)
    }
}

/// The reader state of a summary (or a family of them), behind the lock
/// only readers take.
#[doc(hidden)]
pub type Reader = Mutex<Windows>;

/// A fresh reader state.
pub(crate) const fn reader() -> Reader {
    Mutex::new(Windows { counts: Vec::new(), rings: Vec::new() })
}

impl Ring {
    /// The copy the window of a read in `step` starts from: the oldest copy
    /// within the window; failing that (not read for a whole window), the
    /// counts of the previous read; `None` (everything since the start)
    /// before the first read.
    fn base(&self, step: u64, age_buckets: usize) -> Option<&Copy> {
        let oldest = step.saturating_sub(age_buckets as u64 - 1);
        let within = self.copies.iter().flatten().filter(|c| c.step >= oldest && c.step < step).min_by_key(|c| c.step);
        within.or(self.last.as_ref().filter(|last| last.step < step))
    }

    /// Keeps the start of `step`, unless the step has one: the counts of
    /// the latest read before it (zero before the first read), so that what
    /// was observed between that read and this one counts as this step's,
    /// never as an older step's. Then keeps `counts` as the latest read's.
    fn record(&mut self, step: u64, age_buckets: usize, counts: &[u64]) {
        if self.copies.len() != age_buckets {
            self.copies = (0..age_buckets).map(|_| None).collect();
        }
        let slot = &mut self.copies[(step % age_buckets as u64) as usize];
        if slot.as_ref().is_none_or(|copy| copy.step != step) {
            let start = slot.get_or_insert_with(Copy::default);
            match &self.last {
                Some(last) => {
                    start.from = last.from;
                    start.counts.clear();
                    start.counts.extend_from_slice(&last.counts);
                }
                None => {
                    start.from = 0;
                    start.counts.clear();
                }
            }
            start.step = step;
        }
        self.last.get_or_insert_with(Copy::default).take(step, counts);
    }
}

/// Writes the quantiles of the counts since `base` into `values`.
fn quantiles(counts: &[u64], base: Option<&Copy>, quantiles: &[f64], values: &mut [f64]) {
    let window = |i: usize| counts[i].saturating_sub(base.map_or(0, |b| b.get(i)));
    let total: u64 = (0..counts.len()).map(window).sum();
    let mut bucket = 0;
    let mut below = 0u64;
    for (q, value) in quantiles.iter().zip(values.iter_mut()) {
        if total == 0 {
            *value = f64::NAN;
            continue;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        // Quantiles increase, so the walk goes on from the last one.
        while below + window(bucket) < rank {
            below += window(bucket);
            bucket += 1;
        }
        *value = representative(bucket);
    }
}

/// A summary: quantiles of the observations over a sliding time window
/// (ten minutes in five steps unless declared otherwise), with the `_sum`
/// and `_count` of every observation. See [the module docs](self) for how
/// it records and its error bound.
///
/// ```
/// use metricate::encode::Format;
/// use metricate::{Metrics, Registry, Summary};
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_summary")]
/// struct Steps {
///     /// Time a workload step took.
///     #[metric(quantiles = [0.5, 0.99], max_age = "5m", age_buckets = 5)]
///     step_seconds: Summary,
/// }
///
/// let steps = Steps::new_unregistered();
/// for ms in 1..=100 {
///     steps.step_seconds.observe(f64::from(ms) / 1000.0);
/// }
/// let mut registry = Registry::new();
/// registry.register_group(&steps).unwrap();
/// let mut out = Vec::new();
/// Format::Prometheus.encode(&registry, &mut out);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains("metrics_doc_summary_step_seconds_count 100\n"));
/// let median = steps.step_seconds.quantile(0.5).unwrap();
/// assert!((median - 0.050).abs() <= 0.050 * metricate::summary::RELATIVE_ERROR);
/// ```
pub struct Summary {
    cells: Storage<AtomicU64>,
    bounds: &'static [f64],
    reader: Reader,
}

impl Summary {
    /// Records one observation. NaN is rejected and counted in
    /// `metrics_export_invalid_samples_total{reason="nan"}`.
    #[inline]
    pub fn observe(&self, v: f64) {
        observe(&self.cells, v);
    }

    /// Records a duration, in seconds.
    #[inline]
    pub fn observe_duration(&self, d: Duration) {
        self.observe(d.as_secs_f64());
    }

    /// Starts a timer that records the elapsed seconds when dropped.
    pub fn start_timer(&self) -> SummaryTimer<'_> {
        SummaryRef { cells: &self.cells }.start_timer()
    }

    /// The declared quantiles.
    pub fn quantiles(&self) -> &'static [f64] {
        Config::of(self.bounds).quantiles
    }

    /// Reads the summary as a scrape does and returns quantile `q` of the
    /// window, if `q` is one of the declared quantiles (`NaN` for an empty
    /// window).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let mut scratch = ReadScratch::new();
        match <Summary as Metric>::read(&self.cells, self.bounds, &mut scratch, &self.reader, 0) {
            Value::Summary { quantiles, values, .. } => {
                quantiles.iter().position(|declared| *declared == q).map(|i| values[i])
            }
            _ => None,
        }
    }

    /// The number of observations: the `_count` a scrape would show now.
    pub fn count(&self) -> u64 {
        self.count_sum().0
    }

    /// The sum of the observations: the `_sum` a scrape would show now.
    pub fn sum(&self) -> f64 {
        self.count_sum().1
    }

    fn count_sum(&self) -> (u64, f64) {
        let (sum, count) = self.reader.lock().unwrap_or_else(PoisonError::into_inner).read_counts(&self.cells);
        (count, sum)
    }

    #[doc(hidden)]
    pub const fn __from_static(cells: &'static [AtomicU64], bounds: &'static [f64]) -> Summary {
        Summary { cells: Storage::Static(cells), bounds, reader: reader() }
    }
}

impl std::fmt::Debug for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Summary").field("quantiles", &self.quantiles()).finish_non_exhaustive()
    }
}

/// One series of a summary [`Family`](super::Family).
#[derive(Clone, Copy)]
pub struct SummaryRef<'a> {
    cells: &'a [AtomicU64],
}

impl<'a> SummaryRef<'a> {
    /// Records one observation. NaN is rejected and counted.
    #[inline]
    pub fn observe(self, v: f64) {
        observe(self.cells, v);
    }

    /// Records a duration, in seconds.
    #[inline]
    pub fn observe_duration(self, d: Duration) {
        self.observe(d.as_secs_f64());
    }

    /// Starts a timer that records the elapsed seconds when dropped.
    pub fn start_timer(self) -> SummaryTimer<'a> {
        SummaryTimer { summary: self, start: Instant::now() }
    }
}

impl std::fmt::Debug for SummaryRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryRef").finish_non_exhaustive()
    }
}

/// Records the time since it was started into a summary when dropped.
#[must_use = "the timer records when dropped; dropping it at once records ~0s"]
pub struct SummaryTimer<'a> {
    summary: SummaryRef<'a>,
    start: Instant,
}

impl Drop for SummaryTimer<'_> {
    fn drop(&mut self) {
        self.summary.observe_duration(self.start.elapsed());
    }
}

#[inline]
fn observe(cells: &[AtomicU64], v: f64) {
    if v.is_nan() {
        return reject(InvalidSample::Nan);
    }
    observe_in(cells, BUCKETS - 1, bucket_of(v), v);
}

impl Metric for Summary {
    const KIND: MetricKind = MetricKind::Summary;
    type Cell = AtomicU64;
    const CELLS: SeriesCells = SeriesCells::fixed(CELLS);
    type Handle<'a> = SummaryRef<'a>;
    type Reader = Reader;
    const READER: Reader = reader();

    #[inline]
    fn handle<'a>(cells: &'a [AtomicU64], series: usize, _bounds: &'static [f64]) -> SummaryRef<'a> {
        SummaryRef { cells: &cells[series * CELLS..(series + 1) * CELLS] }
    }

    /// Reads series `series` into `scratch`: the quantiles of its window,
    /// which the read moves on.
    fn read<'s>(
        cells: &[AtomicU64],
        bounds: &'s [f64],
        scratch: &'s mut ReadScratch,
        reader: &Reader,
        series: usize,
    ) -> Value<'s> {
        let config = Config::of(bounds);
        let mut windows = reader.lock().unwrap_or_else(PoisonError::into_inner);
        let (sum, count) = windows.read_counts(cells);
        let Windows { counts, rings } = &mut *windows;
        if rings.len() <= series {
            rings.resize_with(series + 1, Ring::default);
        }
        let step = (ORIGIN.elapsed().as_nanos() / config.step.as_nanos().max(1)) as u64;
        let ring = &mut rings[series];
        let values = scratch.quantiles(config.quantiles.len());
        quantiles(counts, ring.base(step, config.age_buckets), config.quantiles, values);
        ring.record(step, config.age_buckets, counts);
        Value::Summary { quantiles: config.quantiles, values, sum, count }
    }

    fn touched(cells: &[AtomicU64]) -> bool {
        touched(cells)
    }
}

super::series_field!(Summary, |bounds| Summary {
    cells: Storage::heap(CELLS, || AtomicU64::new(0)),
    bounds,
    reader: reader()
});

impl Collect for Summary {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        let mut scratch = ReadScratch::new();
        let value = <Summary as Metric>::read(&self.cells, self.bounds, &mut scratch, &self.reader, 0);
        if touched(&self.cells) { visitor.series(0, value) } else { visitor.untouched(0, value) }
    }

    fn write_series(&self, writer: &mut crate::encode::SeriesWriter<'_>) {
        let mut scratch = ReadScratch::new();
        let value = <Summary as Metric>::read(&self.cells, self.bounds, &mut scratch, &self.reader, 0);
        writer.write(0, value, touched(&self.cells));
    }

    fn __series_at(&self, address: usize) -> Option<usize> {
        (self.cells.as_ptr().addr() == address).then_some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_in_value_order() {
        let values = [
            f64::NEG_INFINITY,
            -1e12,
            -3.0,
            -1.0,
            -1e-9,
            -1e-12,
            0.0,
            1e-12,
            1e-9,
            1.0,
            1.06,
            3.0,
            1e9,
            1e12,
            f64::INFINITY,
        ];
        let buckets: Vec<usize> = values.iter().map(|v| bucket_of(*v)).collect();
        assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
        assert_eq!(bucket_of(0.0), ZERO);
        assert_eq!(bucket_of(-0.0), ZERO);
        assert_eq!(bucket_of(f64::INFINITY), BUCKETS - 1);
        assert_eq!(bucket_of(f64::NEG_INFINITY), 0);
    }

    #[test]
    fn every_value_is_within_the_bound_of_its_bucket() {
        let mut v = 2f64.powi(MIN_EXP);
        while v < 2f64.powi(MAX_EXP) {
            for x in [v, -v] {
                let got = representative(bucket_of(x));
                assert!((got - x).abs() <= x.abs() * RELATIVE_ERROR, "{x} reported as {got}");
            }
            v *= 1.0137;
        }
        assert_eq!(representative(bucket_of(1e-12)), 0.0);
        assert_eq!(representative(bucket_of(1e12)), f64::INFINITY);
        assert_eq!(representative(bucket_of(-1e12)), f64::NEG_INFINITY);
    }

    #[test]
    fn quantiles_walk_the_window() {
        let mut counts = vec![0; BUCKETS];
        for v in [1.0, 2.0, 3.0, 4.0] {
            counts[bucket_of(v)] += 1;
        }
        let mut values = [0.0; 3];
        quantiles(&counts, None, &[0.25, 0.5, 0.99], &mut values);
        let expected = [1.0, 2.0, 4.0];
        for (got, want) in values.iter().zip(expected) {
            assert!((got - want).abs() <= want * RELATIVE_ERROR, "{values:?}");
        }
        // A copy taken after the first two: the window holds 3 and 4.
        let mut base = Copy::default();
        let mut before = vec![0; BUCKETS];
        before[bucket_of(1.0)] = 1;
        before[bucket_of(2.0)] = 1;
        base.take(7, &before);
        quantiles(&counts, Some(&base), &[0.25, 0.5, 0.99], &mut values);
        let expected = [3.0, 3.0, 4.0];
        for (got, want) in values.iter().zip(expected) {
            assert!((got - want).abs() <= want * RELATIVE_ERROR, "{values:?}");
        }
        quantiles(&before, Some(&base), &[0.5], &mut values[..1]);
        assert!(values[0].is_nan());
    }

    #[test]
    fn the_window_moves_by_steps() {
        let mut ring = Ring::default();
        let mut counts = vec![0; BUCKETS];
        let at = |ring: &Ring, step| ring.base(step, 3).map(|c| (c.step, c.get(bucket_of(1.0)), c.get(bucket_of(2.0))));
        // The first read (step 10): everything since the start.
        counts[bucket_of(1.0)] = 5;
        assert_eq!(at(&ring, 10), None);
        ring.record(10, 3, &counts);
        assert_eq!(at(&ring, 10), None, "a second read in the same step");
        // Observed in step 10 after its read, then read in step 11: step 11
        // starts at that read, so those stay (four) with the first five.
        counts[bucket_of(2.0)] = 4;
        assert_eq!(at(&ring, 11), Some((10, 0, 0)));
        ring.record(11, 3, &counts);
        assert_eq!(at(&ring, 12), Some((10, 0, 0)));
        // Step 13: the window is steps 11..=13, from the read before step
        // 11 (step 10's): the four of step 10 after its read are still in.
        counts[bucket_of(3.0)] = 2;
        assert_eq!(at(&ring, 13), Some((11, 5, 0)));
        ring.record(13, 3, &counts);
        // Not read for a long while: from the previous read (step 13's).
        counts[bucket_of(3.0)] = 3;
        ring.record(13, 3, &counts);
        assert_eq!(at(&ring, 40).map(|(step, ..)| step), Some(13));
        assert_eq!(ring.base(40, 3).unwrap().get(bucket_of(3.0)), 3);
        ring.record(40, 3, &counts);
        assert_eq!(at(&ring, 41), Some((40, 5, 4)));
    }
}
