//! Counters: an integer counter and a floating-point counter for quantities
//! such as `_seconds_total`.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::sync::Cell64;

use metricate_spec::{Label, MetricKind};

use super::{Collect, Metric, MetricField, ReadScratch, SeriesVisitor, Value};
use crate::self_metrics::{InvalidSample, reject};

/// A monotonically increasing integer: one `AtomicU64`, eight bytes per series.
///
/// ```
/// use metricate::{Counter, Metrics};
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_counter")]
/// struct Jobs {
///     /// Jobs run.
///     runs_total: Counter,
/// }
///
/// let jobs = Jobs::global();
/// jobs.runs_total.inc();
/// jobs.runs_total.inc_by(2);
/// assert_eq!(jobs.runs_total.get(), 3);
/// ```
#[derive(Debug, Default)]
pub struct Counter {
    value: AtomicU64,
}

impl Counter {
    /// A counter at zero.
    pub const fn new() -> Counter {
        Counter { value: AtomicU64::new(0) }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.value.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        self.value.fetch_add(n, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [Counter], _bounds: &'static [f64]) -> Counter {
        Counter::new()
    }
}

/// A monotonically increasing floating-point value, for counted quantities
/// such as seconds or bytes in `_total` counters.
///
/// Increments that are negative, NaN or infinite are rejected: the counter
/// keeps its value and the runtime counts the reject in
/// `metrics_export_invalid_samples_total{reason}`.
#[derive(Debug, Default)]
pub struct FloatCounter {
    bits: AtomicU64,
}

impl FloatCounter {
    /// A counter at zero.
    pub const fn new() -> FloatCounter {
        FloatCounter { bits: AtomicU64::new(0) }
    }

    /// Adds `v`; rejects (and counts) negative, NaN and infinite increments.
    #[inline]
    pub fn inc_by(&self, v: f64) {
        if v.is_nan() {
            return reject(InvalidSample::Nan);
        }
        if v < 0.0 {
            return reject(InvalidSample::Negative);
        }
        if v.is_infinite() {
            return reject(InvalidSample::Infinite);
        }
        add_f64(&self.bits, v);
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [FloatCounter], _bounds: &'static [f64]) -> FloatCounter {
        FloatCounter::new()
    }
}

/// Adds `v` to the `f64` stored as bits in `cell`, with a CAS loop.
#[inline]
pub(crate) fn add_f64<C: Cell64>(cell: &C, v: f64) {
    let mut current = cell.load(Ordering::Relaxed);
    loop {
        let next = (f64::from_bits(current) + v).to_bits();
        match cell.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(actual) => current = actual,
        }
    }
}

/// Implements [`MetricField`] for a field of one series that is its own
/// cell (built by a `const fn new()`): the derive's `static` holds none.
macro_rules! inline_field {
    ($ty:ident, $kind:expr) => {
        #[allow(clippy::declare_interior_mutable_const)]
        impl $crate::metric::StaticCell for $ty {
            const INIT: $ty = $ty::new();
        }

        impl MetricField for $ty {
            const KIND: MetricKind = $kind;
            const LABELS: &'static [Label] = &[];
            const CARDINALITY: usize = 1;
            type Cell = $ty;
            // The one cell is the field itself: the `static` holds none.
            const CELLS: $crate::metric::SeriesCells = $crate::metric::SeriesCells::fixed(0);

            fn new_heap(_bounds: &'static [f64]) -> $ty {
                $ty::new()
            }
        }
    };
}
pub(super) use inline_field;

/// Implements [`Metric`] and [`MetricField`] for a metric whose one cell is
/// the metric itself, read into `Value::$variant`; `$touched` says whether
/// anything has recorded to it.
macro_rules! single_cell_metric {
    ($ty:ident, $kind:expr, $variant:ident, $read:expr, $touched:expr) => {
        impl Metric for $ty {
            const KIND: MetricKind = $kind;
            type Cell = $ty;
            const CELLS: $crate::metric::SeriesCells = $crate::metric::SeriesCells::fixed(1);
            type Handle<'a> = &'a $ty;
            type Reader = ();
            const READER: () = ();

            #[inline]
            fn handle<'a>(cells: &'a [$ty], series: usize, _bounds: &'static [f64]) -> &'a $ty {
                &cells[series]
            }

            fn read<'s>(cells: &[$ty], _: &'s [f64], _: &'s mut ReadScratch, &(): &(), _: usize) -> Value<'s> {
                let read: fn(&$ty) -> _ = $read;
                Value::$variant(read(&cells[0]))
            }

            fn touched(cells: &[$ty]) -> bool {
                let touched: fn(&$ty) -> bool = $touched;
                touched(&cells[0])
            }
        }

        super::counter::inline_field!($ty, $kind);

        impl Collect for $ty {
            fn collect(&self, visitor: &mut dyn SeriesVisitor) {
                let read: fn(&$ty) -> _ = $read;
                let touched: fn(&$ty) -> bool = $touched;
                // Read first: a value read non-zero was recorded by the time
                // `touched` looks.
                let value = Value::$variant(read(self));
                if touched(self) { visitor.series(0, value) } else { visitor.untouched(0, value) }
            }

            fn write_series(&self, writer: &mut crate::encode::SeriesWriter<'_>) {
                let read: fn(&$ty) -> _ = $read;
                let touched: fn(&$ty) -> bool = $touched;
                let value = Value::$variant(read(self));
                writer.write(0, value, touched(self));
            }

            fn __series_at(&self, address: usize) -> Option<usize> {
                (std::ptr::from_ref(self).addr() == address).then_some(0)
            }
        }
    };
}
pub(super) use single_cell_metric;

// A counter is recorded to once it is above zero (an increment by zero
// leaves it untouched).
single_cell_metric!(Counter, MetricKind::Counter, Unsigned, Counter::get, |c| c.get() != 0);
single_cell_metric!(FloatCounter, MetricKind::Counter, Float, FloatCounter::get, |c| c.get() != 0.0);

/// How many shards a [`ShardedCounter`] spreads its increments over.
pub const COUNTER_SHARDS: usize = 8;

/// One shard, alone on its cache line.
#[derive(Debug, Default)]
#[repr(align(64))]
struct Shard(AtomicU64);

/// A counter for series that many threads increment at once: each thread
/// adds to a shard of its own (on its own cache line), so that threads do not
/// fight over one line, and a read sums the shards.
///
/// It costs `COUNTER_SHARDS` × 64 bytes per series (512 bytes, where a
/// [`Counter`] takes 8) and a thread-local read per increment; choose it by
/// declaring the field as `ShardedCounter` (or `Family<L, ShardedCounter>`)
/// where profiles show contention on a hot counter. Its exposition is an
/// ordinary counter.
#[derive(Debug, Default)]
pub struct ShardedCounter {
    shards: [Shard; COUNTER_SHARDS],
}

std::thread_local! {
    /// This thread's shard; `usize::MAX` until its first increment.
    static SHARD: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

/// Hands out shards round robin, so that the first `COUNTER_SHARDS` threads
/// each get one of their own.
static NEXT_SHARD: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[inline]
fn shard() -> usize {
    SHARD.with(|shard| {
        let index = shard.get();
        if index < COUNTER_SHARDS {
            return index;
        }
        let index = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % COUNTER_SHARDS;
        shard.set(index);
        index
    })
}

impl ShardedCounter {
    /// A counter at zero.
    pub const fn new() -> ShardedCounter {
        ShardedCounter { shards: [const { Shard(AtomicU64::new(0)) }; COUNTER_SHARDS] }
    }

    /// Adds one, to this thread's shard.
    #[inline]
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// Adds `n`, to this thread's shard.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        sharded_add(&self.shards[shard()].0, n);
    }

    /// The current value: the sum of the shards.
    pub fn get(&self) -> u64 {
        sharded_sum(self.shards.iter().map(|s| &s.0))
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [ShardedCounter], _bounds: &'static [f64]) -> ShardedCounter {
        ShardedCounter::new()
    }
}

single_cell_metric!(ShardedCounter, MetricKind::Counter, Unsigned, ShardedCounter::get, |c| c.get() != 0);

/// A sharded counter's increment: one relaxed add to the thread's shard.
#[inline]
pub(crate) fn sharded_add<C: Cell64>(shard: &C, n: u64) {
    shard.fetch_add(n, Ordering::Relaxed);
}

/// A sharded counter's value: the sum of its shards, each read once.
pub(crate) fn sharded_sum<'c, C: Cell64 + 'c>(shards: impl Iterator<Item = &'c C>) -> u64 {
    shards.fold(0u64, |sum, shard| sum.wrapping_add(shard.load(Ordering::Relaxed)))
}
