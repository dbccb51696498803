//! Arithmetic over snapshots, for programs that read their own metrics:
//! filter, the difference of two snapshots, typed reads, rates and means,
//! and a view whose counters restart from zero. Everything works on copies:
//! the live metrics are never changed, so scrapes and sinks see the true
//! totals whatever a view does.

use std::time::{Duration, Instant};

use metricate_spec::{Descriptor, MetricKind};

use super::{FamilySnapshot, OwnedValue, SeriesSnapshot, Snapshot};
use crate::registry::Registry;

/// A histogram series' value, read from a snapshot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistogramValue<'s> {
    /// The finite upper bounds of the buckets (`+Inf` is implicit).
    pub bounds: &'static [f64],
    /// The count in each bucket, not cumulative, `+Inf` last.
    pub buckets: &'s [u64],
    /// The sum of the observations.
    pub sum: f64,
    /// The number of observations.
    pub count: u64,
}

impl HistogramValue<'_> {
    /// The mean observation; `None` without observations.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

impl Snapshot {
    /// When it was read; `None` for [`Snapshot::default`].
    pub fn taken_at(&self) -> Option<Instant> {
        self.taken
    }

    /// For a [`Snapshot::delta`], the time between its two snapshots.
    pub fn elapsed(&self) -> Option<Duration> {
        self.elapsed
    }

    /// The families `keep` selects.
    #[must_use]
    pub fn filter(&self, mut keep: impl FnMut(&Descriptor) -> bool) -> Snapshot {
        Snapshot {
            families: self.families.iter().filter(|f| keep(f.descriptor)).cloned().collect(),
            taken: self.taken,
            elapsed: self.elapsed,
            constants: self.constants.clone(),
            created: self.created,
        }
    }

    /// What happened between `before` and this snapshot: a counter's or a
    /// histogram's increase (a series that went down was reset, by a
    /// restart for instance, and counts from zero: its whole value), a
    /// gauge's value now. A series `before` lacks counts from zero. The
    /// result's [`elapsed`](Snapshot::elapsed) is the time between the two.
    ///
    /// ```
    /// use metricate::{Counter, Metrics, Registry};
    ///
    /// #[derive(Metrics)]
    /// #[metrics(subsystem = "doc_delta")]
    /// struct Jobs {
    ///     /// Jobs done.
    ///     done_total: Counter,
    /// }
    ///
    /// let jobs = Jobs::new_unregistered();
    /// let mut registry = Registry::new();
    /// registry.register_group(&jobs).unwrap();
    /// jobs.done_total.inc_by(10);
    /// let before = registry.snapshot(|_| true);
    /// jobs.done_total.inc_by(5);
    /// let delta = registry.snapshot(|_| true).delta(&before);
    /// assert_eq!(delta.counter("metrics_doc_delta_done_total", &[]), Some(5.0));
    /// assert!(delta.rate("metrics_doc_delta_done_total", &[]).unwrap() > 0.0);
    /// ```
    #[must_use]
    pub fn delta(&self, before: &Snapshot) -> Snapshot {
        let families = self
            .families
            .iter()
            .map(|family| {
                let old = before.families.iter().find(|f| std::ptr::eq(f.descriptor, family.descriptor));
                FamilySnapshot {
                    descriptor: family.descriptor,
                    series: family
                        .series
                        .iter()
                        .map(|series| {
                            let earlier = old.and_then(|f| find_index(f, series.index));
                            SeriesSnapshot {
                                value: difference(family.descriptor.kind, &series.value, earlier.map(|s| &s.value)),
                                ..series.clone()
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let elapsed = match (self.taken, before.taken) {
            (Some(now), Some(then)) => Some(now.saturating_duration_since(then)),
            _ => None,
        };
        Snapshot { families, taken: self.taken, elapsed, constants: self.constants.clone(), created: self.created }
    }

    /// The value of the counter `name`'s series with these labels.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.typed(name, labels, MetricKind::Counter).map(|s| s.value.as_f64())
    }

    /// The value of the gauge `name`'s series with these labels.
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.typed(name, labels, MetricKind::Gauge).map(|s| s.value.as_f64())
    }

    /// The value of the histogram `name`'s series with these labels.
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Option<HistogramValue<'_>> {
        let series = self.typed(name, labels, MetricKind::Histogram)?;
        match &series.value {
            OwnedValue::Histogram { buckets, sum, count } => {
                Some(HistogramValue { bounds: series.descriptor.buckets, buckets, sum: *sum, count: *count })
            }
            _ => None,
        }
    }

    /// For a [`Snapshot::delta`], the counter's increase per second; `None`
    /// for another snapshot, a series it lacks, or no time elapsed.
    pub fn rate(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let seconds = self.elapsed?.as_secs_f64();
        (seconds > 0.0).then_some(())?;
        Some(self.counter(name, labels)? / seconds)
    }

    /// The series of the family `name` of `kind` whose labels are exactly
    /// `labels` (in any order).
    fn typed(&self, name: &str, labels: &[(&str, &str)], kind: MetricKind) -> Option<&SeriesSnapshot> {
        let family = self.family(name).filter(|f| f.descriptor.kind == kind)?;
        family
            .series
            .iter()
            .find(|s| s.descriptor.labels.len() == labels.len() && labels.iter().all(|(n, v)| s.label(n) == Some(*v)))
    }
}

/// The series of index `index`: the series are in index order.
fn find_index(family: &FamilySnapshot, index: usize) -> Option<&SeriesSnapshot> {
    family.series.binary_search_by_key(&index, |s| s.index).ok().map(|i| &family.series[i])
}

/// `now` less `before` for counters and histograms (all of `now` when it
/// went down or `before` is absent); a gauge's `now`.
fn difference(kind: MetricKind, now: &OwnedValue, before: Option<&OwnedValue>) -> OwnedValue {
    if kind == MetricKind::Gauge {
        return now.clone();
    }
    match (now, before) {
        (OwnedValue::Unsigned(a), Some(OwnedValue::Unsigned(b))) if a >= b => OwnedValue::Unsigned(a - b),
        (OwnedValue::Float(a), Some(OwnedValue::Float(b))) if a >= b => OwnedValue::Float(a - b),
        (
            OwnedValue::Histogram { buckets, sum, count },
            Some(OwnedValue::Histogram { buckets: old, sum: old_sum, count: old_count }),
        ) if count >= old_count && buckets.len() == old.len() && buckets.iter().zip(old).all(|(a, b)| a >= b) => {
            OwnedValue::Histogram {
                buckets: buckets.iter().zip(old).map(|(a, b)| a - b).collect(),
                sum: sum - old_sum,
                count: count - old_count,
            }
        }
        _ => now.clone(),
    }
}

/// A view of a registry whose counters and histograms count from a point of
/// its choosing, the way an in-process aggregator is reset, without touching
/// the live metrics (scrapes and sinks keep the true totals).
///
/// ```
/// use metricate::{Counter, Gauge, Metrics, Registry, SnapshotView};
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_view")]
/// struct Work {
///     /// Items done.
///     items_total: Counter,
///     /// Items waiting.
///     waiting: Gauge,
/// }
///
/// let work = Work::new_unregistered();
/// let mut registry = Registry::new();
/// registry.register_group(&work).unwrap();
/// work.items_total.inc_by(100);
/// work.waiting.set(7.0);
///
/// let mut view = SnapshotView::new(&registry); // counts from now
/// work.items_total.inc_by(3);
/// assert_eq!(view.snapshot().counter("metrics_doc_view_items_total", &[]), Some(3.0));
/// view.reset(); // counters and histograms from zero again; gauges stay
/// assert_eq!(view.snapshot().counter("metrics_doc_view_items_total", &[]), Some(0.0));
/// assert_eq!(view.snapshot().gauge("metrics_doc_view_waiting", &[]), Some(7.0));
/// view.reset_all(); // gauges too: left out until they change
/// assert_eq!(view.snapshot().gauge("metrics_doc_view_waiting", &[]), None);
/// work.waiting.set(2.0);
/// assert_eq!(view.snapshot().gauge("metrics_doc_view_waiting", &[]), Some(2.0));
/// assert_eq!(work.items_total.get(), 103); // the live counter never moved back
/// ```
pub struct SnapshotView<'r, 'a> {
    registry: &'r Registry<'a>,
    base: Snapshot,
    /// After [`SnapshotView::reset_all`]: the gauges' values then.
    gauges_base: Option<Snapshot>,
}

impl std::fmt::Debug for SnapshotView<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotView")
            .field("since", &self.base.taken)
            .field("gauges_cleared", &self.gauges_base.is_some())
            .finish_non_exhaustive()
    }
}

impl<'r, 'a> SnapshotView<'r, 'a> {
    /// A view of `registry` whose counters and histograms count from now.
    pub fn new(registry: &'r Registry<'a>) -> SnapshotView<'r, 'a> {
        SnapshotView { registry, base: registry.snapshot(|_| true), gauges_base: None }
    }

    /// The metrics as this view sees them: counters and histograms since
    /// the view's start or last reset (with [`Snapshot::elapsed`] since
    /// then), gauges as they are (after [`SnapshotView::reset_all`], only
    /// those that changed since).
    pub fn snapshot(&self) -> Snapshot {
        let mut now = self.registry.snapshot(|_| true).delta(&self.base);
        if let Some(gauges) = &self.gauges_base {
            for family in now.families.iter_mut().filter(|f| f.descriptor.kind == MetricKind::Gauge) {
                let old = gauges.families.iter().find(|f| std::ptr::eq(f.descriptor, family.descriptor));
                family
                    .series
                    .retain(|s| old.and_then(|f| find_index(f, s.index)).is_none_or(|o| !o.value.same(&s.value)));
            }
        }
        now
    }

    /// Counters and histograms count from zero again; gauges keep showing.
    pub fn reset(&mut self) {
        self.base = self.registry.snapshot(|_| true);
    }

    /// Everything from zero: counters and histograms count from now, and
    /// gauges are left out until their value changes.
    pub fn reset_all(&mut self) {
        self.reset();
        self.gauges_base = Some(self.base.clone());
    }

    /// The counter's increase per second since the view's start or reset.
    pub fn counter_rate(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.snapshot().rate(name, labels)
    }

    /// The histogram's mean observation since the view's start or reset.
    pub fn mean(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.snapshot().histogram(name, labels)?.mean()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Counter, Family, FloatCounter, Gauge, Histogram, LabelSet, LabelValue, Metrics};

    #[derive(Clone, Copy, Debug, LabelValue)]
    enum Kind {
        Read,
        Write,
    }

    #[derive(Clone, Copy, Debug, LabelSet)]
    struct ByKind {
        kind: Kind,
    }

    #[derive(Metrics)]
    #[metrics(subsystem = "arith_unit")]
    struct Unit {
        /// Operations.
        ops_total: Family<ByKind, Counter>,
        /// Bytes.
        bytes_total: FloatCounter,
        /// Level.
        level: Gauge,
        /// Latency.
        #[metric(buckets = [0.1, 1.0])]
        latency_seconds: Histogram,
    }

    fn registry(unit: &Unit) -> Registry<'_> {
        let mut registry = Registry::new();
        registry.register_group(unit).unwrap();
        registry
    }

    #[test]
    fn deltas_subtract_counters_and_histograms_and_keep_gauges() {
        let unit = Unit::new_unregistered();
        let registry = registry(&unit);
        unit.ops_total.with(ByKind { kind: Kind::Read }).inc_by(4);
        unit.bytes_total.inc_by(1.5);
        unit.level.set(3.0);
        unit.latency_seconds.observe(0.05);
        let before = registry.snapshot(|_| true);
        unit.ops_total.with(ByKind { kind: Kind::Read }).inc_by(2);
        unit.ops_total.with(ByKind { kind: Kind::Write }).inc();
        unit.bytes_total.inc_by(2.0);
        unit.level.set(1.0);
        unit.latency_seconds.observe(0.5);
        unit.latency_seconds.observe(5.0);
        std::thread::sleep(Duration::from_millis(5));
        let delta = registry.snapshot(|_| true).delta(&before);
        assert_eq!(delta.counter("metrics_arith_unit_ops_total", &[("kind", "read")]), Some(2.0));
        assert_eq!(delta.counter("metrics_arith_unit_ops_total", &[("kind", "write")]), Some(1.0));
        assert_eq!(delta.counter("metrics_arith_unit_ops_total", &[]), None, "labels are matched exactly");
        assert_eq!(delta.counter("metrics_arith_unit_bytes_total", &[]), Some(2.0));
        assert_eq!(delta.gauge("metrics_arith_unit_level", &[]), Some(1.0));
        assert_eq!(delta.gauge("metrics_arith_unit_ops_total", &[("kind", "read")]), None, "typed");
        let latency = delta.histogram("metrics_arith_unit_latency_seconds", &[]).unwrap();
        assert_eq!((latency.buckets, latency.count, latency.sum), (&[0, 1, 1][..], 2, 5.5));
        assert_eq!(latency.mean(), Some(2.75));
        assert_eq!(latency.bounds, &[0.1, 1.0]);
        assert!(delta.elapsed().unwrap() >= Duration::from_millis(5));
        let rate = delta.rate("metrics_arith_unit_ops_total", &[("kind", "read")]).unwrap();
        assert!(rate > 0.0 && rate <= 2.0 / 0.005, "{rate}");
        assert_eq!(before.rate("metrics_arith_unit_ops_total", &[("kind", "read")]), None, "not a delta");

        // Against an older snapshot with higher values (a restart): counts
        // from zero.
        let backwards = before.delta(&registry.snapshot(|_| true));
        assert_eq!(backwards.counter("metrics_arith_unit_ops_total", &[("kind", "read")]), Some(4.0));
        assert_eq!(backwards.histogram("metrics_arith_unit_latency_seconds", &[]).unwrap().count, 1);
        // Filtered.
        let only = delta.filter(|d| d.kind == MetricKind::Gauge);
        assert_eq!(only.families().len(), 1);
        assert_eq!(only.elapsed(), delta.elapsed());
    }

    #[test]
    fn a_view_resets_without_touching_the_live_metrics() {
        let unit = Unit::new_unregistered();
        let registry = registry(&unit);
        unit.ops_total.with(ByKind { kind: Kind::Read }).inc_by(10);
        let mut view = SnapshotView::new(&registry);
        unit.ops_total.with(ByKind { kind: Kind::Read }).inc_by(3);
        unit.latency_seconds.observe(0.2);
        unit.latency_seconds.observe(0.4);
        unit.level.set(5.0);
        assert_eq!(view.snapshot().counter("metrics_arith_unit_ops_total", &[("kind", "read")]), Some(3.0));
        assert!((view.mean("metrics_arith_unit_latency_seconds", &[]).unwrap() - 0.3).abs() < 1e-12);
        std::thread::sleep(Duration::from_millis(2));
        assert!(view.counter_rate("metrics_arith_unit_ops_total", &[("kind", "read")]).unwrap() > 0.0);
        view.reset();
        assert_eq!(view.snapshot().counter("metrics_arith_unit_ops_total", &[("kind", "read")]), Some(0.0));
        assert_eq!(view.mean("metrics_arith_unit_latency_seconds", &[]), None, "no observations since");
        assert_eq!(view.snapshot().gauge("metrics_arith_unit_level", &[]), Some(5.0), "gauges persist");
        view.reset_all();
        assert_eq!(view.snapshot().gauge("metrics_arith_unit_level", &[]), None, "cleared");
        unit.level.set(6.0);
        assert_eq!(view.snapshot().gauge("metrics_arith_unit_level", &[]), Some(6.0));
        assert_eq!(unit.ops_total.with(ByKind { kind: Kind::Read }).get(), 13, "the live counter");
        assert_eq!(unit.latency_seconds.count(), 2);
    }
}
