//! Owned copies of metric values, for tests, push sinks and anything that
//! reads the values rather than encoding them.
//!
//! Each series remembers whether it had been recorded to
//! ([`SeriesSnapshot::touched`]), so that a snapshot encodes as the registry
//! would, quiet encoders included. Of a quiet metric (`#[metric(quiet)]`),
//! only the series recorded to are copied.

use std::time::{Duration, Instant};

use metricate_spec::{Descriptor, MetricKind};

mod arith;

pub use arith::{HistogramValue, SnapshotView};

use crate::constant::ConstantLabels;
use crate::encode::Exposition;
use crate::metric::{Collect, SeriesVisitor, Value};

/// The value of one series, owned.
#[derive(Clone, Debug, PartialEq)]
pub enum OwnedValue {
    /// An integer counter.
    Unsigned(u64),
    /// An integer gauge.
    Signed(i64),
    /// A floating-point counter or gauge.
    Float(f64),
    /// A histogram: per-bucket counts (`+Inf` last), sum and count, all from
    /// the same observations.
    Histogram {
        /// The count in each bucket, not cumulative, `+Inf` last.
        buckets: Vec<u64>,
        /// The sum of the observations.
        sum: f64,
        /// The number of observations.
        count: u64,
    },
    /// A summary: the value at each quantile over its window, with the sum
    /// and count of every observation.
    Summary {
        /// The quantiles, increasing.
        quantiles: Vec<f64>,
        /// The value at each quantile (`NaN` for an empty window).
        values: Vec<f64>,
        /// The sum of the observations.
        sum: f64,
        /// The number of observations.
        count: u64,
    },
}

impl OwnedValue {
    fn from_value(value: &Value<'_>) -> OwnedValue {
        match *value {
            Value::Unsigned(v) => OwnedValue::Unsigned(v),
            Value::Signed(v) => OwnedValue::Signed(v),
            Value::Float(v) => OwnedValue::Float(v),
            Value::Histogram { buckets, sum, count, .. } => {
                OwnedValue::Histogram { buckets: buckets.to_vec(), sum, count }
            }
            Value::Summary { quantiles, values, sum, count } => {
                OwnedValue::Summary { quantiles: quantiles.to_vec(), values: values.to_vec(), sum, count }
            }
        }
    }

    /// Whether `other` is the same value, NaN equal to NaN (unlike `==`): a
    /// gauge left at NaN, or a histogram whose sum is NaN, has not changed.
    pub(crate) fn same(&self, other: &OwnedValue) -> bool {
        match (self, other) {
            (OwnedValue::Float(x), OwnedValue::Float(y)) => x.to_bits() == y.to_bits(),
            (
                OwnedValue::Histogram { buckets: b1, sum: s1, count: c1 },
                OwnedValue::Histogram { buckets: b2, sum: s2, count: c2 },
            ) => c1 == c2 && s1.to_bits() == s2.to_bits() && b1 == b2,
            (
                OwnedValue::Summary { quantiles: q1, values: v1, sum: s1, count: c1 },
                OwnedValue::Summary { quantiles: q2, values: v2, sum: s2, count: c2 },
            ) => {
                c1 == c2
                    && s1.to_bits() == s2.to_bits()
                    && q1 == q2
                    && v1.iter().map(|v| v.to_bits()).eq(v2.iter().map(|v| v.to_bits()))
            }
            _ => self == other,
        }
    }

    /// The sample lines the value takes in the text formats: one for a
    /// counter or gauge; for a histogram one per bucket, for a summary one
    /// per quantile, and `_sum` and `_count`.
    pub fn text_samples(&self) -> usize {
        match self {
            OwnedValue::Unsigned(_) | OwnedValue::Signed(_) | OwnedValue::Float(_) => 1,
            OwnedValue::Histogram { buckets, .. } => buckets.len() + 2,
            OwnedValue::Summary { quantiles, .. } => quantiles.len() + 2,
        }
    }

    /// The bytes the value holds besides itself: a histogram's buckets, a
    /// summary's quantiles and their values.
    pub fn heap_bytes(&self) -> usize {
        match self {
            OwnedValue::Unsigned(_) | OwnedValue::Signed(_) | OwnedValue::Float(_) => 0,
            OwnedValue::Histogram { buckets, .. } => size_of_val(buckets.as_slice()),
            OwnedValue::Summary { quantiles, values, .. } => {
                size_of_val(quantiles.as_slice()) + size_of_val(values.as_slice())
            }
        }
    }

    /// The value as a number: counters and gauges as they are, histograms and
    /// summaries as their count.
    pub fn as_f64(&self) -> f64 {
        match *self {
            OwnedValue::Unsigned(v) => v as f64,
            OwnedValue::Signed(v) => v as f64,
            OwnedValue::Float(v) => v,
            OwnedValue::Histogram { count, .. } | OwnedValue::Summary { count, .. } => count as f64,
        }
    }
}

/// One series of a [`FamilySnapshot`].
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesSnapshot {
    descriptor: &'static Descriptor,
    index: usize,
    value: OwnedValue,
    touched: bool,
}

impl SeriesSnapshot {
    /// The dense series index.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The value.
    pub fn value(&self) -> &OwnedValue {
        &self.value
    }

    /// Whether anything had recorded to the series: a counter or histogram
    /// above zero, a gauge ever set or added to (even if back at zero).
    pub fn touched(&self) -> bool {
        self.touched
    }

    /// The label values, in label order.
    pub fn labels(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        label_values(self.descriptor, self.index)
    }

    /// The value of the label `name`.
    pub fn label(&self, name: &str) -> Option<&'static str> {
        self.labels().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// The constant labels, then the series' own.
pub(crate) fn with_constants<'s>(
    constants: &'s ConstantLabels,
    series: &'s SeriesSnapshot,
) -> impl Iterator<Item = (&'s str, &'s str)> + 's {
    let own = series.labels().map(|(name, value)| -> (&'s str, &'s str) { (name, value) });
    constants.iter().chain(own)
}

/// The label names and values of series `index` of a metric.
pub(crate) fn label_values(
    descriptor: &'static Descriptor,
    index: usize,
) -> impl Iterator<Item = (&'static str, &'static str)> {
    let labels = descriptor.labels;
    labels
        .iter()
        .enumerate()
        .map(move |(position, label)| (label.name, label.value(metricate_spec::value_index(labels, index, position))))
}

/// One metric's series, copied.
#[derive(Clone, Debug, PartialEq)]
pub struct FamilySnapshot {
    descriptor: &'static Descriptor,
    series: Vec<SeriesSnapshot>,
}

impl FamilySnapshot {
    /// What the metric is.
    pub fn descriptor(&self) -> &'static Descriptor {
        self.descriptor
    }

    /// The series, in index order.
    pub fn series(&self) -> &[SeriesSnapshot] {
        &self.series
    }

    /// The series whose labels include every `(name, value)` pair given.
    pub fn find(&self, labels: &[(&str, &str)]) -> Option<&SeriesSnapshot> {
        self.series.iter().find(|s| labels.iter().all(|(n, v)| s.label(n) == Some(*v)))
    }
}

impl FamilySnapshot {
    /// Calls `f` with each series: its index, value, and whether anything
    /// had recorded to it.
    #[inline]
    fn each_series(&self, mut f: impl FnMut(usize, Value<'_>, bool)) {
        for series in &self.series {
            let value = match &series.value {
                OwnedValue::Unsigned(v) => Value::Unsigned(*v),
                OwnedValue::Signed(v) => Value::Signed(*v),
                OwnedValue::Float(v) => Value::Float(*v),
                OwnedValue::Histogram { buckets, sum, count } => {
                    Value::Histogram { bounds: self.descriptor.buckets, buckets, sum: *sum, count: *count }
                }
                OwnedValue::Summary { quantiles, values, sum, count } => {
                    Value::Summary { quantiles, values, sum: *sum, count: *count }
                }
            };
            f(series.index, value, series.touched);
        }
    }
}

impl Collect for FamilySnapshot {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        self.each_series(|index, value, touched| {
            if touched {
                visitor.series(index, value);
            } else {
                visitor.untouched(index, value);
            }
        });
    }

    fn write_series(&self, writer: &mut crate::encode::SeriesWriter<'_>) {
        self.each_series(|index, value, touched| writer.write(index, value, touched));
    }
}

/// Copies of selected metrics, sorted by name; encodable like the registry.
/// Each metric is read as a whole, as a scrape reads it.
///
/// ```
/// use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, Registry};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Kind { Read, Write }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct Op { kind: Kind }
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_snapshot")]
/// struct Disk {
///     /// Operations done.
///     ops_total: Family<Op, Counter>,
/// }
///
/// let disk = Disk::new_unregistered();
/// disk.ops_total.with(Op { kind: Kind::Write }).inc_by(3);
/// let mut registry = Registry::new();
/// registry.register_group(&disk).unwrap();
///
/// let snapshot = registry.snapshot(|descriptor| descriptor.subsystem == "doc_snapshot");
/// let ops = snapshot.family("metrics_doc_snapshot_ops_total").unwrap();
/// assert_eq!(ops.find(&[("kind", "write")]).unwrap().value().as_f64(), 3.0);
/// assert_eq!(ops.find(&[("kind", "read")]).unwrap().value().as_f64(), 0.0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    families: Vec<FamilySnapshot>,
    /// When it was read (none for an empty default).
    taken: Option<Instant>,
    /// For a [`Snapshot::delta`]: the time between the two snapshots.
    elapsed: Option<Duration>,
    /// The constant labels of the registry it was read from.
    constants: ConstantLabels,
    /// Whether the registry writes every series' `_created`.
    created: bool,
}

/// Snapshots are equal when they hold the same values, whenever read.
impl PartialEq for Snapshot {
    fn eq(&self, other: &Snapshot) -> bool {
        self.families == other.families
    }
}

impl Snapshot {
    pub(crate) fn collect<'a>(metrics: impl Iterator<Item = (&'static Descriptor, &'a dyn Collect)>) -> Snapshot {
        struct Copier<'v> {
            descriptor: &'static Descriptor,
            series: &'v mut Vec<SeriesSnapshot>,
            capped: bool,
            /// Whether the series nothing has recorded to are left out.
            quiet: bool,
        }
        impl Copier<'_> {
            fn copy(&mut self, index: usize, value: &Value<'_>, touched: bool) {
                if self.capped && !self.descriptor.series_exists(index) {
                    return;
                }
                self.series.push(SeriesSnapshot {
                    descriptor: self.descriptor,
                    index,
                    value: OwnedValue::from_value(value),
                    touched,
                });
            }
        }
        impl SeriesVisitor for Copier<'_> {
            fn series(&mut self, index: usize, value: Value<'_>) {
                self.copy(index, &value, true);
            }

            fn untouched(&mut self, index: usize, value: Value<'_>) {
                if !self.quiet {
                    self.copy(index, &value, false);
                }
            }
        }
        let families = metrics
            .map(|(descriptor, metric)| {
                let mut series = Vec::new();
                let capped = descriptor.has_capped_labels();
                let quiet = descriptor.hides_untouched(false);
                metric.collect(&mut Copier { descriptor, series: &mut series, capped, quiet });
                FamilySnapshot { descriptor, series }
            })
            .collect();
        Snapshot {
            families,
            taken: Some(Instant::now()),
            elapsed: None,
            constants: ConstantLabels::new(),
            created: false,
        }
    }

    pub(crate) fn with_created(mut self, created: bool) -> Snapshot {
        self.created = created;
        self
    }

    pub(crate) fn with_constant_labels(mut self, constants: ConstantLabels) -> Snapshot {
        self.constants = constants;
        self
    }

    /// The constant labels of the registry it was read from: every series
    /// carries them.
    pub fn constant_labels(&self) -> &ConstantLabels {
        &self.constants
    }

    /// The labels of one of its series as every encoder and sink writes
    /// them: the constant labels, then the series' own.
    pub fn labels_of<'s>(&'s self, series: &'s SeriesSnapshot) -> impl Iterator<Item = (&'s str, &'s str)> + 's {
        with_constants(&self.constants, series)
    }

    /// The families, sorted by name.
    pub fn families(&self) -> &[FamilySnapshot] {
        &self.families
    }

    /// The family with this full name.
    pub fn family(&self, name: &str) -> Option<&FamilySnapshot> {
        self.families.iter().find(|f| f.descriptor.name == name)
    }

    /// The kind of the family `name`, if present.
    pub fn kind(&self, name: &str) -> Option<MetricKind> {
        self.family(name).map(|f| f.descriptor.kind)
    }
}

impl Exposition for Snapshot {
    fn for_each_family<'s>(&'s self, f: &mut dyn FnMut(&'static Descriptor, &'s dyn Collect)) {
        for family in &self.families {
            f(family.descriptor, family);
        }
    }

    fn constant_labels(&self) -> &ConstantLabels {
        &self.constants
    }

    fn created_samples(&self) -> bool {
        self.created
    }
}
