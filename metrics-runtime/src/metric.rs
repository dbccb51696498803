//! Metric types and the traits that tie them to declarations and encoders.
//!
//! Every metric stores its state in atomic cells. A declared metric's cells
//! live in a `static` the derive initialises at compile time, so the record
//! path is an index into a fixed array and one atomic operation: no hashing,
//! no lock, no allocation, no lazy-initialisation check. Unregistered
//! instances (for tests) keep the same cells on the heap.

mod callback;
mod counter;
pub mod exemplar;
mod family;
mod gauge;
mod histogram;
mod info;
pub mod summary;

use std::ops::Deref;

use metricate_spec::{Descriptor, Label, MetricKind};

pub use callback::{AlreadyRegistered, CallbackCounter, CallbackGauge};
pub use counter::{COUNTER_SHARDS, Counter, FloatCounter, ShardedCounter};
#[cfg(loom)]
pub(crate) use counter::{sharded_add, sharded_sum};
pub use exemplar::{
    Exemplar, ExemplarCounter, ExemplarCounterRef, ExemplarHistogram, ExemplarHistogramRef, ExemplarLabels,
    ExemplarSource, ExemplarTimer, SourceAlreadySet, set_exemplar_source,
};
pub use family::Family;
pub use gauge::{Gauge, IntGauge};
pub use histogram::ReadScratch;
pub use histogram::{Histogram, HistogramRef, HistogramSnapshot, HistogramTimer};
#[cfg(loom)]
pub(crate) use histogram::{observe as histogram_observe, read as histogram_read};
pub use info::{BuildInfo, Info, StateSet};
#[doc(hidden)]
pub use info::{RUSTC_VERSION, TARGET, plain_label_value};
pub use summary::{Summary, SummaryRef, SummaryTimer};

/// The cells of a metric: a `static` array for declared metrics, a boxed
/// slice for unregistered instances.
pub(crate) enum Storage<T: 'static> {
    Static(&'static [T]),
    Heap(Box<[T]>),
}

impl<T: 'static> Storage<T> {
    pub(crate) fn heap(len: usize, init: impl Fn() -> T) -> Storage<T> {
        Storage::Heap((0..len).map(|_| init()).collect())
    }
}

impl<T: 'static> Deref for Storage<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            Storage::Static(cells) => cells,
            Storage::Heap(cells) => cells,
        }
    }
}

/// The value of one series, read for encoding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// An integer counter.
    Unsigned(u64),
    /// An integer gauge.
    Signed(i64),
    /// A floating-point counter or gauge.
    Float(f64),
    /// A histogram: per-bucket (not cumulative) counts, `+Inf` last, with the
    /// sum and count of the same observations.
    Histogram {
        /// The finite upper bounds.
        bounds: &'a [f64],
        /// The count in each bucket, one more than `bounds` (`+Inf` last).
        buckets: &'a [u64],
        /// The sum of the observations.
        sum: f64,
        /// The number of observations; equals the sum of `buckets`.
        count: u64,
    },
    /// A summary: its quantiles over its window, with the sum and count of
    /// every observation.
    Summary {
        /// The quantiles, increasing.
        quantiles: &'a [f64],
        /// The value at each quantile (`NaN` for an empty window).
        values: &'a [f64],
        /// The sum of the observations.
        sum: f64,
        /// The number of observations.
        count: u64,
    },
}

/// Receives the series of one metric, in index order.
pub trait SeriesVisitor {
    /// One series: its dense index (which decodes to its label values) and value.
    fn series(&mut self, index: usize, value: Value<'_>);

    /// One series that nothing has recorded to yet: a counter or histogram
    /// still at zero, a gauge never set, added to or subtracted from. Quiet
    /// expositions leave such series out (see [`Descriptor::quiet`]); by
    /// default it is [`series`](SeriesVisitor::series).
    fn untouched(&mut self, index: usize, value: Value<'_>) {
        self.series(index, value);
    }

    /// The latest exemplar of bucket `bucket` of series `index` (`0` for a
    /// counter), given before the series itself. Ignored by default.
    fn exemplar(&mut self, index: usize, bucket: usize, exemplar: Exemplar<'_>) {
        let _ = (index, bucket, exemplar);
    }
}

/// A metric whose series can be read for exposition. Reading never blocks
/// recorders; each series read is internally consistent.
pub trait Collect: Sync {
    /// Visits every series in index order, each through
    /// [`SeriesVisitor::series`], or [`SeriesVisitor::untouched`] when nothing
    /// has recorded to it yet.
    fn collect(&self, visitor: &mut dyn SeriesVisitor);

    /// Writes every series, in index order, to the built-in encoders' writer
    /// in this one call (see [the encoder's
    /// docs](crate::encode#a-straight-write)): each through
    /// [`SeriesWriter::write`](crate::encode::SeriesWriter::write), with
    /// whether anything has recorded to it, after its exemplars. By default,
    /// [`collect`](Collect::collect) with the writer as the visitor. Not
    /// public API.
    #[doc(hidden)]
    fn write_series(&self, writer: &mut crate::encode::SeriesWriter<'_>) {
        self.collect(writer);
    }

    /// The index of the series whose cells start at `address`, if they are
    /// this metric's: how an assertion names the metric a handle points
    /// into. Not public API.
    #[doc(hidden)]
    fn __series_at(&self, address: usize) -> Option<usize> {
        let _ = address;
        None
    }
}

/// A type usable as `M` in [`Family<L, M>`]: how one series is stored and read.
///
/// Implemented by [`Counter`], [`FloatCounter`], [`ShardedCounter`],
/// [`Gauge`], [`IntGauge`], [`Histogram`], [`Summary`], [`ExemplarCounter`]
/// and [`ExemplarHistogram`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the metric of a `Family`",
    label = "not a family's metric",
    note = "a `Family<L, M>` holds `Counter`, `FloatCounter`, `ShardedCounter`, `Gauge`, `IntGauge`, `Histogram`, `Summary`, `ExemplarCounter` or `ExemplarHistogram` series"
)]
pub trait Metric: Sized + Sync + 'static {
    /// The metric type.
    const KIND: MetricKind;
    /// Whether its series carry exemplars.
    const EXEMPLARS: bool = false;
    /// The atomic cell type.
    #[doc(hidden)]
    type Cell: StaticCell;
    /// The cells of one series.
    #[doc(hidden)]
    const CELLS: SeriesCells;
    /// The handle [`Family::with`] returns for one series.
    type Handle<'a>;
    /// What readers keep between reads of a family's series (a summary's
    /// window); `()` for the others.
    #[doc(hidden)]
    type Reader: Sync + 'static;
    /// The reader state of a fresh family.
    #[doc(hidden)]
    const READER: Self::Reader;

    /// The handle over series `series` of a family's cells.
    #[doc(hidden)]
    fn handle<'a>(cells: &'a [Self::Cell], series: usize, bounds: &'static [f64]) -> Self::Handle<'a>;

    /// Reads the cells of series `series`.
    #[doc(hidden)]
    fn read<'s>(
        cells: &[Self::Cell],
        bounds: &'s [f64],
        scratch: &'s mut ReadScratch,
        reader: &Self::Reader,
        series: usize,
    ) -> Value<'s>;

    /// Whether anything has recorded to one series' cells.
    #[doc(hidden)]
    fn touched(cells: &[Self::Cell]) -> bool;

    /// Hands the exemplars of series `index`'s cells to the visitor.
    #[doc(hidden)]
    fn exemplars(cells: &[Self::Cell], bounds: &[f64], index: usize, visitor: &mut dyn SeriesVisitor) {
        let _ = (cells, bounds, index, visitor);
    }
}

/// A type that can be a field of a `#[derive(Metrics)]` struct: a metric, or
/// a [`Family`] of them. The derive sizes the field's `static` cells from
/// these constants.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric type",
    label = "not a metric",
    note = "fields of a `#[derive(Metrics)]` struct are `Counter`, `FloatCounter`, `Gauge`, `IntGauge`, `Histogram`, `Summary`, `Family<L, M>` of one of them, `Info<L>`, `BuildInfo`, `StateSet<E>`, `CallbackCounter` or `CallbackGauge`"
)]
pub trait MetricField: Collect + Sized + 'static {
    /// The metric type.
    const KIND: MetricKind;
    /// Whether its series carry exemplars.
    const EXEMPLARS: bool = false;
    /// The labels of the field's series.
    const LABELS: &'static [Label];
    /// The number of series.
    const CARDINALITY: usize;
    /// Whether the field is quiet when its declaration does not say: its
    /// label set's [`LabelSet::QUIET`](crate::LabelSet::QUIET); `false`
    /// without labels.
    const QUIET: bool = false;
    /// The type of the cells in the field's `static`.
    #[doc(hidden)]
    type Cell: StaticCell;
    /// The cells of each series in the field's `static` (none for metrics
    /// that hold their one cell inline).
    #[doc(hidden)]
    const CELLS: SeriesCells;

    /// Builds an unregistered instance whose cells are on the heap.
    #[doc(hidden)]
    fn new_heap(bounds: &'static [f64]) -> Self;
}

/// Implements [`MetricField`] for an unlabeled field of one series of the
/// [`Metric`] `$ty`, its cells laid out as those of a family's series: its
/// kind, exemplars and cells are `$ty`'s as a [`Metric`]. `$new_heap`
/// builds an unregistered instance for the finite bucket bounds `$bounds`.
macro_rules! series_field {
    ($ty:ident, |$bounds:ident| $new_heap:expr) => {
        impl $crate::MetricField for $ty {
            const KIND: $crate::MetricKind = <$ty as $crate::Metric>::KIND;
            const EXEMPLARS: bool = <$ty as $crate::Metric>::EXEMPLARS;
            const LABELS: &'static [$crate::Label] = &[];
            const CARDINALITY: usize = 1;
            type Cell = <$ty as $crate::Metric>::Cell;
            const CELLS: $crate::metric::SeriesCells = <$ty as $crate::Metric>::CELLS;

            fn new_heap($bounds: &'static [f64]) -> $ty {
                $new_heap
            }
        }
    };
}
pub(crate) use series_field;

/// A type of the cells a `static` array of a metric's state is made of: an
/// atomic, or a metric that is its own one cell. Not public API.
#[doc(hidden)]
pub trait StaticCell: Sync + Sized + 'static {
    /// A cell's initial value. An atomic: as the initial value of each cell
    /// of a `static` array, every use is a fresh one, which is the point.
    const INIT: Self;
}

#[allow(clippy::declare_interior_mutable_const)]
impl StaticCell for std::sync::atomic::AtomicU64 {
    const INIT: Self = std::sync::atomic::AtomicU64::new(0);
}

/// How many cells one series of a metric takes: `base`, and `per_bound`
/// more for each finite bucket bound. The one place a series' size is
/// computed (its `static`, its heap cells, its handle's slice). Not public
/// API.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesCells {
    base: usize,
    per_bound: usize,
}

impl SeriesCells {
    /// `n` cells, whatever the bounds.
    pub const fn fixed(n: usize) -> SeriesCells {
        SeriesCells { base: n, per_bound: 0 }
    }

    /// `base` cells and `per_bound` more for each bound.
    pub const fn per_bound(base: usize, per_bound: usize) -> SeriesCells {
        SeriesCells { base, per_bound }
    }

    /// The cells of one series with `bounds` finite bucket bounds.
    #[inline]
    pub const fn len(self, bounds: usize) -> usize {
        self.base + self.per_bound * bounds
    }

    /// The cells of `series` series with `bounds` finite bucket bounds: a
    /// `const fn`, so that the derive can use it as an array length.
    pub const fn of(self, series: usize, bounds: usize) -> usize {
        series * self.len(bounds)
    }
}

/// A group of metrics, as `#[derive(Metrics)]` generates for a struct: used
/// to encode or register an instance explicitly.
pub trait MetricGroup: Sync {
    /// Calls `f` with each metric's descriptor and state, in field order.
    fn for_each_metric<'a>(&'a self, f: &mut dyn FnMut(&'static Descriptor, &'a dyn Collect));
}
