//! Differences between two catalogues, each classified by the semver bump it
//! needs, and checked against the versions the metrics declare.
//!
//! ```
//! use metricate_catalog::diff::{ChangeKind, diff};
//! use metricate_catalog::json::Catalog;
//! use metricate_catalog::version::Bump;
//!
//! let old = Catalog::from_json(include_str!("../tests/golden/diff-old.json")).unwrap();
//! let new = Catalog::from_json(include_str!("../tests/golden/diff-new.json")).unwrap();
//! let diff = diff(&old, &new);
//! assert!(diff.changes.iter().any(|c| c.kind == ChangeKind::RemovedLabelValue && c.bump == Bump::Major));
//! assert!(!diff.is_ok(), "a breaking change declared as a minor bump");
//! ```
//!
//! | change | bump |
//! |---|---|
//! | a metric removed (without a deprecation before), a type or unit changed, a label removed or renamed, a label value removed, `unknown` no longer possible, a bucket bound removed | major |
//! | a metric added, a label added, a label value added, `unknown` newly possible, a bucket bound added, a capped label's cap changed | minor |
//! | help text changed, a metric deprecated | patch |
//!
//! A metric's declared versions (old and new) must differ by at least the
//! largest bump its changes need. A metric removed after being deprecated is
//! reported but needs nothing more: its deprecation announced it; one removed
//! without a deprecation is a problem, since no version can declare it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::json::{Catalog, Metric, MetricLabel};
use crate::version::{Bump, Version};

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// A metric is gone.
    RemovedMetric,
    /// A metric is new.
    AddedMetric,
    /// The metric type changed.
    ChangedType,
    /// The unit changed.
    ChangedUnit,
    /// A label is gone.
    RemovedLabel,
    /// A label was renamed (one removed, one added, same values).
    RenamedLabel,
    /// A label is new.
    AddedLabel,
    /// A label value is gone.
    RemovedLabelValue,
    /// A label value is new.
    AddedLabelValue,
    /// A label may no longer be `unknown`.
    RemovedUnknown,
    /// A label may now be `unknown`.
    AddedUnknown,
    /// A capped label's cap changed.
    ChangedCap,
    /// A bucket bound is gone.
    RemovedBucket,
    /// A bucket bound is new.
    AddedBucket,
    /// The help text changed.
    ChangedHelp,
    /// The metric is newly deprecated.
    Deprecated,
}

impl ChangeKind {
    /// The bump this kind of change needs.
    pub const fn bump(self) -> Bump {
        match self {
            ChangeKind::RemovedMetric
            | ChangeKind::ChangedType
            | ChangeKind::ChangedUnit
            | ChangeKind::RemovedLabel
            | ChangeKind::RenamedLabel
            | ChangeKind::RemovedLabelValue
            | ChangeKind::RemovedUnknown
            | ChangeKind::RemovedBucket => Bump::Major,
            ChangeKind::AddedMetric
            | ChangeKind::AddedLabel
            | ChangeKind::AddedLabelValue
            | ChangeKind::AddedUnknown
            | ChangeKind::ChangedCap
            | ChangeKind::AddedBucket => Bump::Minor,
            ChangeKind::ChangedHelp | ChangeKind::Deprecated => Bump::Patch,
        }
    }

    /// A short name, e.g. `removed label value`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChangeKind::RemovedMetric => "removed metric",
            ChangeKind::AddedMetric => "added metric",
            ChangeKind::ChangedType => "changed type",
            ChangeKind::ChangedUnit => "changed unit",
            ChangeKind::RemovedLabel => "removed label",
            ChangeKind::RenamedLabel => "renamed label",
            ChangeKind::AddedLabel => "added label",
            ChangeKind::RemovedLabelValue => "removed label value",
            ChangeKind::AddedLabelValue => "added label value",
            ChangeKind::RemovedUnknown => "label no longer optional",
            ChangeKind::AddedUnknown => "label now optional",
            ChangeKind::ChangedCap => "changed cap",
            ChangeKind::RemovedBucket => "removed bucket",
            ChangeKind::AddedBucket => "added bucket",
            ChangeKind::ChangedHelp => "changed help",
            ChangeKind::Deprecated => "deprecated",
        }
    }
}

/// One change of one metric.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The metric's name.
    pub metric: String,
    /// What changed.
    pub kind: ChangeKind,
    /// The bump it needs ([`ChangeKind::bump`], except for the removal of a
    /// deprecated metric, which needs none).
    pub bump: Bump,
    /// The specifics, e.g. ``value `patch` of label `method` ``.
    pub detail: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<5} {} {}: {}", self.bump, self.kind.as_str(), self.metric, self.detail)
    }
}

/// A metric whose declared versions do not cover its changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionProblem {
    /// The metric's name.
    pub metric: String,
    /// The version in the old catalogue.
    pub old: String,
    /// The version in the new catalogue (empty for a removed metric).
    pub new: String,
    /// The bump the changes need.
    pub needed: Bump,
    /// The bump declared (`None` when the version went down or does not
    /// parse).
    pub declared: Option<Bump>,
}

impl fmt::Display for VersionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.new.is_empty() {
            return write!(
                f,
                "{}: removed without being deprecated first; deprecate it (naming its replacement) in a release \
                 before removing it",
                self.metric
            );
        }
        match self.declared {
            Some(declared) => write!(
                f,
                "{}: its changes need a {} bump, but its version went from {} to {} ({})",
                self.metric, self.needed, self.old, self.new, declared
            ),
            None => write!(
                f,
                "{}: its changes need a {} bump, but its version went from {} to {}, which is not a bump",
                self.metric, self.needed, self.old, self.new
            ),
        }
    }
}

/// The differences between two catalogues.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Every change, by metric name, then kind.
    pub changes: Vec<Change>,
    /// Metrics whose versions do not cover their changes.
    pub problems: Vec<VersionProblem>,
}

impl Diff {
    /// Whether every change is covered by its metric's declared versions.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The largest bump any change needs.
    pub fn bump(&self) -> Bump {
        self.changes.iter().map(|c| c.bump).max().unwrap_or(Bump::None)
    }
}

/// The changes from `old` to `new`.
pub fn diff(old: &Catalog, new: &Catalog) -> Diff {
    let old_metrics: BTreeMap<&str, &Metric> = old.metrics.iter().map(|m| (m.name.as_str(), m)).collect();
    let new_metrics: BTreeMap<&str, &Metric> = new.metrics.iter().map(|m| (m.name.as_str(), m)).collect();
    let mut result = Diff::default();
    let names: BTreeSet<&str> = old_metrics.keys().chain(new_metrics.keys()).copied().collect();
    for name in names {
        let mut changes = Vec::new();
        match (old_metrics.get(name), new_metrics.get(name)) {
            (Some(before), None) => {
                let bump = if before.deprecated.is_some() { Bump::None } else { Bump::Major };
                if before.deprecated.is_none() {
                    result.problems.push(VersionProblem {
                        metric: name.to_owned(),
                        old: before.version.clone(),
                        new: String::new(),
                        needed: Bump::Major,
                        declared: None,
                    });
                }
                let detail = match &before.deprecated {
                    Some(d) => format!(
                        "was deprecated ({}){}",
                        d.reason,
                        d.replacement.as_ref().map(|r| format!("; replaced by `{r}`")).unwrap_or_default()
                    ),
                    None => "removed without being deprecated first".to_owned(),
                };
                changes.push(Change { metric: name.to_owned(), kind: ChangeKind::RemovedMetric, bump, detail });
            }
            (None, Some(after)) => changes.push(change(name, ChangeKind::AddedMetric, format!("a {}", after.kind))),
            (Some(before), Some(after)) => metric_changes(before, after, &mut changes),
            (None, None) => {}
        }
        if let (Some(before), Some(after)) = (old_metrics.get(name), new_metrics.get(name)) {
            let needed = changes.iter().map(|c| c.bump).max().unwrap_or(Bump::None);
            if needed > Bump::None {
                let declared = match (Version::parse(&before.version), Version::parse(&after.version)) {
                    (Some(old), Some(new)) => old.bump_to(&new),
                    _ => None,
                };
                if declared.is_none_or(|declared| declared < needed) {
                    result.problems.push(VersionProblem {
                        metric: name.to_owned(),
                        old: before.version.clone(),
                        new: after.version.clone(),
                        needed,
                        declared,
                    });
                }
            }
        }
        // By kind within the metric (stable: values stay in label order).
        changes.sort_by_key(|change| change.kind);
        result.changes.extend(changes);
    }
    result
}

fn change(metric: &str, kind: ChangeKind, detail: String) -> Change {
    Change { metric: metric.to_owned(), kind, bump: kind.bump(), detail }
}

fn metric_changes(before: &Metric, after: &Metric, changes: &mut Vec<Change>) {
    let name = before.name.as_str();
    if before.kind != after.kind {
        changes.push(change(name, ChangeKind::ChangedType, format!("{} -> {}", before.kind, after.kind)));
    }
    if before.unit != after.unit {
        let unit = |u: &Option<String>| u.as_deref().map_or("none".to_owned(), |u| format!("`{u}`"));
        changes.push(change(name, ChangeKind::ChangedUnit, format!("{} -> {}", unit(&before.unit), unit(&after.unit))));
    }
    label_changes(name, &before.labels, &after.labels, changes);
    for bound in &before.buckets {
        if !after.buckets.contains(bound) {
            changes.push(change(name, ChangeKind::RemovedBucket, format!("le=\"{bound:?}\"")));
        }
    }
    for bound in &after.buckets {
        if !before.buckets.contains(bound) {
            changes.push(change(name, ChangeKind::AddedBucket, format!("le=\"{bound:?}\"")));
        }
    }
    if before.help != after.help {
        changes.push(change(name, ChangeKind::ChangedHelp, format!("{:?} -> {:?}", before.help, after.help)));
    }
    if before.deprecated.is_none()
        && let Some(deprecated) = &after.deprecated
    {
        changes.push(change(name, ChangeKind::Deprecated, deprecated.reason.clone()));
    }
}

fn label_changes(metric: &str, before: &[MetricLabel], after: &[MetricLabel], changes: &mut Vec<Change>) {
    let find = |labels: &'_ [MetricLabel], name: &str| labels.iter().position(|l| l.name == name);
    let removed: Vec<&MetricLabel> = before.iter().filter(|l| find(after, &l.name).is_none()).collect();
    let added: Vec<&MetricLabel> = after.iter().filter(|l| find(before, &l.name).is_none()).collect();
    // One label out and one in with the same values: a rename.
    if let ([gone], [new]) = (removed.as_slice(), added.as_slice())
        && gone.values == new.values
        && gone.cap == new.cap
    {
        changes.push(change(metric, ChangeKind::RenamedLabel, format!("`{}` -> `{}`", gone.name, new.name)));
    } else {
        for label in removed {
            changes.push(change(metric, ChangeKind::RemovedLabel, format!("`{}`", label.name)));
        }
        for label in added {
            changes.push(change(metric, ChangeKind::AddedLabel, format!("`{}`", label.name)));
        }
    }
    for old in before {
        let Some(new) = after.iter().find(|l| l.name == old.name) else { continue };
        for value in &old.values {
            if !new.values.contains(value) {
                changes.push(change(
                    metric,
                    ChangeKind::RemovedLabelValue,
                    format!("`{value}` of label `{}`", old.name),
                ));
            }
        }
        for value in &new.values {
            if !old.values.contains(value) {
                changes.push(change(metric, ChangeKind::AddedLabelValue, format!("`{value}` of label `{}`", old.name)));
            }
        }
        match (old.unknown, new.unknown) {
            (true, false) => changes.push(change(metric, ChangeKind::RemovedUnknown, format!("label `{}`", old.name))),
            (false, true) => changes.push(change(metric, ChangeKind::AddedUnknown, format!("label `{}`", old.name))),
            _ => {}
        }
        if old.cap != new.cap {
            let cap = |c: Option<u64>| c.map_or("none".to_owned(), |c| c.to_string());
            changes.push(change(
                metric,
                ChangeKind::ChangedCap,
                format!("label `{}`: {} -> {}", old.name, cap(old.cap), cap(new.cap)),
            ));
        }
    }
}
