//! Labeled metrics, stored densely: one slot per combination of label values.

use std::marker::PhantomData;

use metricate_spec::{Label, MetricKind};

use super::{Collect, Metric, MetricField, ReadScratch, SeriesCells, SeriesVisitor, StaticCell, Storage};
use crate::encode::SeriesWriter;
use crate::label::LabelSet;

/// A metric with labels: one series per combination of the values of the
/// label set `L`, stored densely in index order.
///
/// `with(labels)` computes the series index from the label values'
/// discriminants and returns the series; there is no hashing, no lock and no
/// allocation. A declared family's cells are a `static` array sized by
/// `L::CARDINALITY` at compile time.
///
/// ```
/// use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Queue { Email, Billing }
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Outcome { Done, Failed }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct Job { queue: Queue, outcome: Outcome }
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_family")]
/// struct Worker {
///     /// Jobs finished, by queue and outcome.
///     jobs_total: Family<Job, Counter>,
/// }
///
/// let worker = Worker::global();
/// let done = Job { queue: Queue::Email, outcome: Outcome::Done };
/// worker.jobs_total.with(done).inc();
/// assert_eq!(worker.jobs_total.with(done).get(), 1);
/// assert_eq!(worker.jobs_total.len(), 4); // 2 queues x 2 outcomes, all exposed
/// assert_eq!(Queue::VALUES, ["email", "billing"]);
/// ```
pub struct Family<L, M: Metric> {
    cells: Storage<M::Cell>,
    bounds: &'static [f64],
    labels: PhantomData<fn(&L)>,
    reader: M::Reader,
}

impl<L: LabelSet, M: Metric> Family<L, M> {
    /// The series for `labels`.
    // Label sets are small `Copy` structs: by value reads best at call sites.
    #[allow(clippy::needless_pass_by_value)]
    #[inline]
    pub fn with(&self, labels: L) -> M::Handle<'_> {
        M::handle(&self.cells, labels.index(), self.bounds)
    }

    /// The number of series, `L::CARDINALITY`.
    pub const fn len(&self) -> usize {
        L::CARDINALITY
    }

    /// Whether the family has no series (a label with no values).
    pub const fn is_empty(&self) -> bool {
        L::CARDINALITY == 0
    }

    fn stride(&self) -> usize {
        M::CELLS.len(self.bounds.len())
    }

    #[doc(hidden)]
    pub const fn __from_static(cells: &'static [M::Cell], bounds: &'static [f64]) -> Self {
        Family { cells: Storage::Static(cells), bounds, labels: PhantomData, reader: M::READER }
    }
}

impl<L: LabelSet + 'static, M: Metric> MetricField for Family<L, M> {
    const KIND: MetricKind = M::KIND;
    const EXEMPLARS: bool = M::EXEMPLARS;
    const LABELS: &'static [Label] = L::LABELS;
    const CARDINALITY: usize = L::CARDINALITY;
    const QUIET: bool = L::QUIET;
    type Cell = M::Cell;
    const CELLS: SeriesCells = M::CELLS;

    fn new_heap(bounds: &'static [f64]) -> Self {
        let len = M::CELLS.of(L::CARDINALITY, bounds.len());
        Family { cells: heap_cells::<M>(len), bounds, labels: PhantomData, reader: M::READER }
    }
}

impl<L: LabelSet, M: Metric> Collect for Family<L, M> {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        collect_cells::<M>(&self.cells, self.stride(), self.bounds, &self.reader, visitor);
    }

    fn write_series(&self, writer: &mut SeriesWriter<'_>) {
        write_cells::<M>(&self.cells, self.stride(), self.bounds, &self.reader, writer);
    }

    fn __series_at(&self, address: usize) -> Option<usize> {
        series_at(self.cells.as_ptr().addr(), size_of::<M::Cell>() * self.stride(), L::CARDINALITY, address)
    }
}

/// The series of a family whose cells start at `base`, `size` bytes each,
/// that starts at `address`.
fn series_at(base: usize, size: usize, series: usize, address: usize) -> Option<usize> {
    let offset = address.checked_sub(base)?;
    if size == 0 || offset % size != 0 {
        return None;
    }
    Some(offset / size).filter(|index| *index < series)
}

/// `len` fresh cells on the heap. Generic over the metric type only, so it is
/// compiled once per metric type, not once per label set.
fn heap_cells<M: Metric>(len: usize) -> Storage<M::Cell> {
    Storage::heap(len, || <M::Cell as StaticCell>::INIT)
}

/// Visits every series of a family's cells. Generic over the metric type
/// only, for the same reason.
fn collect_cells<M: Metric>(
    cells: &[M::Cell],
    stride: usize,
    bounds: &'static [f64],
    reader: &M::Reader,
    visitor: &mut dyn SeriesVisitor,
) {
    if stride == 0 {
        return;
    }
    let mut scratch = ReadScratch::new();
    for (index, series) in cells.chunks_exact(stride).enumerate() {
        // Read first: a value read non-zero was recorded by the time
        // `touched` looks.
        if M::EXEMPLARS {
            M::exemplars(series, bounds, index, visitor);
        }
        let value = M::read(series, bounds, &mut scratch, reader, index);
        if M::touched(series) {
            visitor.series(index, value);
        } else {
            visitor.untouched(index, value);
        }
    }
}

/// Writes every series of a family's cells to the encoders' writer: the
/// loop of [`collect_cells`], compiled per metric type, with the writer
/// called directly. Generic over the metric type only, for the same reason.
fn write_cells<M: Metric>(
    cells: &[M::Cell],
    stride: usize,
    bounds: &'static [f64],
    reader: &M::Reader,
    writer: &mut SeriesWriter<'_>,
) {
    if stride == 0 {
        return;
    }
    let mut scratch = ReadScratch::new();
    for (index, series) in cells.chunks_exact(stride).enumerate() {
        if M::EXEMPLARS {
            M::exemplars(series, bounds, index, writer);
        }
        // Read first: a value read non-zero was recorded by the time
        // `touched` looks.
        let value = M::read(series, bounds, &mut scratch, reader, index);
        writer.write(index, value, M::touched(series));
    }
}

impl<L, M: Metric> std::fmt::Debug for Family<L, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Family").field("kind", &M::KIND).finish_non_exhaustive()
    }
}
