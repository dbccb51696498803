//! Properties of `metricate_catalog::diff` over generated catalogues: what its module
//! documentation promises for every catalogue, not only the hand-picked
//! ones of `tests/diff.rs`.

use metricate_catalog::MetricKind;
use metricate_catalog::diff::{Change, ChangeKind, Diff, diff};
use metricate_catalog::json::{Catalog, Deprecated, Metric, MetricLabel, MetricSource};
use metricate_catalog::version::Bump;
use proptest::prelude::*;
use proptest::sample::{Index, subsequence};

const NAMES: [&str; 5] = ["trc_a_total", "trc_b_seconds", "trc_c", "trc_d_bytes", "trc_e"];
const LABELS: [&str; 4] = ["method", "status", "route", "zone"];
const VALUES: [&str; 5] = ["get", "post", "put", "delete", "patch"];
const BOUNDS: [f64; 4] = [0.1, 0.5, 1.0, 5.0];

fn label(name: &'static str) -> impl Strategy<Value = MetricLabel> {
    (subsequence(VALUES.to_vec(), 1..=VALUES.len()), any::<bool>(), prop::option::weighted(0.2, 1u64..100)).prop_map(
        move |(values, unknown, cap)| MetricLabel {
            name: name.to_owned(),
            // A capped label lists no values.
            values: if cap.is_some() { Vec::new() } else { values.into_iter().map(str::to_owned).collect() },
            unknown,
            cap,
            build: false,
            errors: Vec::new(),
        },
    )
}

fn metric(name: &'static str) -> impl Strategy<Value = Metric> {
    let labels =
        subsequence(LABELS.to_vec(), 0..=3).prop_flat_map(|names| names.into_iter().map(label).collect::<Vec<_>>());
    (
        prop::sample::select(vec![MetricKind::Counter, MetricKind::Gauge, MetricKind::Histogram]),
        prop::sample::select(vec![None, Some("seconds"), Some("bytes")]),
        prop::sample::select(vec!["Help.", "Other help."]),
        labels,
        subsequence(BOUNDS.to_vec(), 0..=BOUNDS.len()),
    )
        .prop_map(move |(kind, unit, help, labels, buckets)| Metric {
            name: name.to_owned(),
            kind,
            unit: unit.map(str::to_owned),
            help: help.to_owned(),
            subsystem: String::new(),
            labels,
            buckets,
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: false,
            created: false,
            alerts: vec![],
            series: 1,
            version: "1.0.0".to_owned(),
            deprecated: None,
            quiet: false,
            source: MetricSource {
                file: "src/lib.rs".to_owned(),
                line: 1,
                column: 1,
                module: "app".to_owned(),
                function: None,
            },
        })
}

/// A catalogue of some of [`NAMES`], sorted by name as catalogues are.
fn catalogue() -> impl Strategy<Value = Catalog> {
    subsequence(NAMES.to_vec(), 1..=NAMES.len())
        .prop_flat_map(|names| names.into_iter().map(metric).collect::<Vec<_>>())
        .prop_map(|metrics| Catalog { schema: "metrics-catalog".to_owned(), schema_version: 1, metrics })
}

/// One edit of one metric, with the change it makes.
#[derive(Clone, Copy, Debug)]
enum Edit {
    RemoveMetric,
    ChangeType,
    ChangeUnit,
    ChangeHelp,
    AddLabel,
    RemoveLabel,
    AddValue,
    RemoveValue,
    Deprecate,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop::sample::select(vec![
        Edit::RemoveMetric,
        Edit::ChangeType,
        Edit::ChangeUnit,
        Edit::ChangeHelp,
        Edit::AddLabel,
        Edit::RemoveLabel,
        Edit::AddValue,
        Edit::RemoveValue,
        Edit::Deprecate,
    ])
}

/// Applies `edit` to the metric `name` of `catalog`, choosing what it
/// touches with `pick`; returns the kind of change it makes, or `None` when
/// the metric offers nothing to edit that way (no label, no missing value).
fn apply(catalog: &mut Catalog, name: &str, edit: Edit, pick: Index) -> Option<ChangeKind> {
    let position = catalog.metrics.iter().position(|m| m.name == name)?;
    let metric = &mut catalog.metrics[position];
    let listed =
        |labels: &[MetricLabel]| -> Vec<usize> { (0..labels.len()).filter(|&i| labels[i].cap.is_none()).collect() };
    match edit {
        Edit::RemoveMetric => {
            catalog.metrics.remove(position);
            Some(ChangeKind::RemovedMetric)
        }
        Edit::ChangeType => {
            metric.kind = if metric.kind == MetricKind::Gauge { MetricKind::Counter } else { MetricKind::Gauge };
            Some(ChangeKind::ChangedType)
        }
        Edit::ChangeUnit => {
            metric.unit = if metric.unit.as_deref() == Some("ratio") { None } else { Some("ratio".to_owned()) };
            Some(ChangeKind::ChangedUnit)
        }
        Edit::ChangeHelp => {
            metric.help.push_str(" More.");
            Some(ChangeKind::ChangedHelp)
        }
        Edit::AddLabel => {
            let new = LABELS.iter().find(|l| metric.labels.iter().all(|m| m.name != **l))?;
            metric.labels.push(MetricLabel {
                name: (*new).to_owned(),
                values: vec!["x".to_owned()],
                unknown: false,
                cap: None,
                build: false,
                errors: Vec::new(),
            });
            Some(ChangeKind::AddedLabel)
        }
        Edit::RemoveLabel => {
            if metric.labels.is_empty() {
                return None;
            }
            metric.labels.remove(pick.index(metric.labels.len()));
            Some(ChangeKind::RemovedLabel)
        }
        Edit::AddValue => {
            let labels = listed(&metric.labels);
            let label = &mut metric.labels[*labels.get(pick.index(labels.len().max(1)))?];
            let new = VALUES.iter().find(|v| !label.values.iter().any(|w| w == *v))?;
            label.values.push((*new).to_owned());
            Some(ChangeKind::AddedLabelValue)
        }
        Edit::RemoveValue => {
            let labels = listed(&metric.labels);
            let label = &mut metric.labels[*labels.get(pick.index(labels.len().max(1)))?];
            if label.values.is_empty() {
                return None;
            }
            label.values.remove(pick.index(label.values.len()));
            Some(ChangeKind::RemovedLabelValue)
        }
        Edit::Deprecate => {
            metric.deprecated = Some(Deprecated { reason: "replaced".to_owned(), replacement: None });
            Some(ChangeKind::Deprecated)
        }
    }
}

/// The version `1.0.0` bumped by `bump`.
fn bumped(bump: Bump) -> &'static str {
    match bump {
        Bump::None => "1.0.0",
        Bump::Patch => "1.0.1",
        Bump::Minor => "1.1.0",
        Bump::Major => "2.0.0",
    }
}

fn kinds(diff: &Diff) -> Vec<(String, ChangeKind)> {
    diff.changes.iter().map(|c| (c.metric.clone(), c.kind)).collect()
}

/// The change the other way round.
fn reverse(kind: ChangeKind) -> Option<ChangeKind> {
    use ChangeKind::{
        AddedBucket, AddedLabel, AddedLabelValue, AddedMetric, AddedUnknown, ChangedCap, ChangedHelp, ChangedType,
        ChangedUnit, RemovedBucket, RemovedLabel, RemovedLabelValue, RemovedMetric, RemovedUnknown, RenamedLabel,
    };
    Some(match kind {
        AddedMetric => RemovedMetric,
        RemovedMetric => AddedMetric,
        AddedLabel => RemovedLabel,
        RemovedLabel => AddedLabel,
        AddedLabelValue => RemovedLabelValue,
        RemovedLabelValue => AddedLabelValue,
        AddedUnknown => RemovedUnknown,
        RemovedUnknown => AddedUnknown,
        AddedBucket => RemovedBucket,
        RemovedBucket => AddedBucket,
        ChangedType | ChangedUnit | ChangedHelp | ChangedCap | RenamedLabel => kind,
        // Undeprecating is no change the diff reports.
        ChangeKind::Deprecated => return None,
    })
}

fn config() -> ProptestConfig {
    // Few cases, so that the suite stays fast in a debug build; nothing
    // written next to the sources when one fails.
    ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    /// A catalogue compared with itself has no change and needs no bump.
    #[test]
    fn a_catalogue_has_no_change_from_itself(catalog in catalogue()) {
        let same = diff(&catalog, &catalog);
        prop_assert!(same.changes.is_empty(), "{:?}", same.changes);
        prop_assert!(same.is_ok());
        prop_assert_eq!(same.bump(), Bump::None);
    }

    /// Each kind of edit is one change of its kind, with the bump the
    /// module's table gives it.
    #[test]
    fn one_edit_is_one_change_of_its_kind(catalog in catalogue(), edit in edit(), which in any::<Index>(), pick in any::<Index>()) {
        let name = catalog.metrics[which.index(catalog.metrics.len())].name.clone();
        let mut after = catalog.clone();
        let Some(expected) = apply(&mut after, &name, edit, pick) else { return Ok(()) };
        let result = diff(&catalog, &after);
        prop_assert_eq!(kinds(&result), vec![(name.clone(), expected)]);
        let bump = result.changes[0].bump;
        let table = match expected {
            ChangeKind::RemovedMetric | ChangeKind::ChangedType | ChangeKind::ChangedUnit
            | ChangeKind::RemovedLabel | ChangeKind::RemovedLabelValue => Bump::Major,
            ChangeKind::AddedLabel | ChangeKind::AddedLabelValue => Bump::Minor,
            ChangeKind::ChangedHelp | ChangeKind::Deprecated => Bump::Patch,
            other => unreachable!("no edit makes {other:?}"),
        };
        prop_assert_eq!(bump, table);
        prop_assert_eq!(result.bump(), table);
    }

    /// Adding a metric is a minor change that no version has to cover.
    #[test]
    fn adding_a_metric_is_minor(catalog in catalogue(), new in metric("trc_new_total")) {
        let mut after = catalog.clone();
        after.metrics.push(new);
        let result = diff(&catalog, &after);
        prop_assert_eq!(kinds(&result), vec![("trc_new_total".to_owned(), ChangeKind::AddedMetric)]);
        prop_assert_eq!(result.bump(), Bump::Minor);
        prop_assert!(result.is_ok());
    }

    /// A metric removed after a deprecation needs nothing more; one removed
    /// without is a major change and a problem no version can fix.
    #[test]
    fn removing_a_metric_needs_a_deprecation_first(catalog in catalogue(), which in any::<Index>(), deprecated in any::<bool>()) {
        let mut before = catalog.clone();
        let index = which.index(before.metrics.len());
        if deprecated {
            before.metrics[index].deprecated = Some(Deprecated { reason: "gone".to_owned(), replacement: None });
        }
        let mut after = before.clone();
        let name = after.metrics.remove(index).name;
        let result = diff(&before, &after);
        prop_assert_eq!(kinds(&result), vec![(name.clone(), ChangeKind::RemovedMetric)]);
        let (bump, ok) = if deprecated { (Bump::None, true) } else { (Bump::Major, false) };
        prop_assert_eq!(result.changes[0].bump, bump);
        prop_assert_eq!(result.is_ok(), ok);
    }

    /// Edits of different metrics make the union of their changes, and the
    /// bump of the whole is the largest of the parts.
    #[test]
    fn the_bump_of_changes_is_the_largest_of_its_parts(
        catalog in catalogue(),
        edits in prop::collection::vec((edit(), any::<Index>()), NAMES.len()),
    ) {
        let mut all = catalog.clone();
        let mut parts = Vec::new();
        for (metric, (edit, pick)) in catalog.metrics.iter().zip(edits) {
            let mut one = catalog.clone();
            if apply(&mut one, &metric.name, edit, pick).is_some() {
                apply(&mut all, &metric.name, edit, pick);
                parts.push(diff(&catalog, &one));
            }
        }
        let whole = diff(&catalog, &all);
        let mut union: Vec<Change> = parts.iter().flat_map(|part| part.changes.clone()).collect();
        union.sort_by(|a, b| a.metric.cmp(&b.metric));
        prop_assert_eq!(&whole.changes, &union);
        let largest = parts.iter().map(Diff::bump).max().unwrap_or(Bump::None);
        prop_assert_eq!(whole.bump(), largest);
    }

    /// A metric's declared versions must differ by at least the largest bump
    /// its changes need.
    #[test]
    fn versions_must_cover_the_changes(
        catalog in catalogue(),
        which in any::<Index>(),
        edits in prop::collection::vec((edit(), any::<Index>()), 1..4),
        declared in prop::sample::select(vec![Bump::None, Bump::Patch, Bump::Minor, Bump::Major]),
    ) {
        let name = catalog.metrics[which.index(catalog.metrics.len())].name.clone();
        let mut after = catalog.clone();
        for (edit, pick) in edits {
            if !matches!(edit, Edit::RemoveMetric) {
                apply(&mut after, &name, edit, pick);
            }
        }
        let Some(metric) = after.metrics.iter_mut().find(|m| m.name == name) else { return Ok(()) };
        metric.version = bumped(declared).to_owned();
        let result = diff(&catalog, &after);
        let needed = result.changes.iter().map(|c| c.bump).max().unwrap_or(Bump::None);
        prop_assert_eq!(result.is_ok(), needed == Bump::None || declared >= needed, "{:?}", result);
        if let Some(problem) = result.problems.first() {
            prop_assert_eq!((problem.needed, problem.declared), (needed, Some(declared)));
        }
    }

    /// Every change the other way round is its opposite: an addition from
    /// `a` to `b` is a removal from `b` to `a`.
    #[test]
    fn a_diff_reversed_reverses_each_change(a in catalogue(), b in catalogue()) {
        let forward = diff(&a, &b);
        let mut expected: Vec<(String, ChangeKind)> =
            forward.changes.iter().filter_map(|c| Some((c.metric.clone(), reverse(c.kind)?))).collect();
        let mut backward: Vec<(String, ChangeKind)> =
            kinds(&diff(&b, &a)).into_iter().filter(|(_, kind)| *kind != ChangeKind::Deprecated).collect();
        expected.sort();
        backward.sort();
        prop_assert_eq!(backward, expected);
    }

    /// The changes are listed by metric name, then kind.
    #[test]
    fn changes_are_sorted_by_metric_then_kind(a in catalogue(), b in catalogue()) {
        let result = diff(&a, &b);
        let order: Vec<(&str, ChangeKind)> = result.changes.iter().map(|c| (c.metric.as_str(), c.kind)).collect();
        let mut sorted = order.clone();
        sorted.sort();
        prop_assert_eq!(order, sorted);
    }
}
