//! The rules of one family: what is gathered from its samples as they go
//! by, and the findings made from it once the family has ended.
//!
//! Nothing here keeps a sample: label names are borrowed from the text, and
//! each series is a fingerprint.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{Context, Finding, kind_of};
use crate::MetricKind;
use crate::exposition::{Fingerprint, quote};
use crate::json::Metric;
use crate::rules::{self, Violation};

/// A family's name and metadata.
#[derive(Clone, Copy)]
pub(super) struct Shape<'n, 'h> {
    pub(super) name: &'n str,
    pub(super) kind: Option<&'h str>,
    pub(super) help: Option<&'h str>,
    pub(super) unit: Option<&'h str>,
    pub(super) line: usize,
}

impl Shape<'_, '_> {
    /// Labels the format adds to generated series, not declared by the
    /// metric.
    fn generated(&self, label: &str) -> bool {
        matches!((self.kind, label), (Some("histogram" | "gaugehistogram"), "le") | (Some("summary"), "quantile"))
    }
}

/// A label value the catalogue does not declare.
struct Undeclared {
    /// Whether it was found against the metric named with `_total`.
    total: bool,
    label: String,
    value: String,
    line: usize,
}

/// The catalogue's declarations a family may be checked against: the
/// metric of its name and, for a counter, the one with `_total`.
#[derive(Default)]
struct Declared<'c> {
    resolved: bool,
    plain: Option<&'c Metric>,
    total: Option<&'c Metric>,
}

/// What is gathered from the samples of one family.
#[derive(Default)]
pub(super) struct FamilyCheck<'a, 'c> {
    /// An OpenMetrics counter's `_total` sample name, once one is seen.
    total_name: Option<&'a str>,
    /// Each label name and the line where it first appears.
    label_names: BTreeMap<&'a str, usize>,
    /// Every series, without the labels the format generates.
    series: HashSet<Fingerprint>,
    most_labels: usize,
    empty_values: BTreeSet<&'a str>,
    /// Histograms: the `le` bounds of the first point of each series, in
    /// the order the series appear, and whether that point is complete.
    bounds: Vec<(Vec<f64>, bool)>,
    bounds_index: HashMap<Fingerprint, usize>,
    declared: Declared<'c>,
    undeclared: Vec<Undeclared>,
    reported: HashSet<(bool, Fingerprint)>,
}

impl<'a, 'c> FamilyCheck<'a, 'c> {
    /// Takes in one sample of the family.
    pub(super) fn sample<'s>(
        &mut self,
        context: &Context<'c>,
        family: &Shape<'_, '_>,
        name: &'a str,
        labels: impl Iterator<Item = (&'a str, &'s str)> + Clone,
        line: usize,
    ) {
        let fingerprints = &context.fingerprints;
        if family.kind == Some("counter") && name.strip_prefix(family.name) == Some("_total") {
            self.total_name = Some(name);
        }
        let own = labels.clone().filter(|(label, _)| !family.generated(label));
        let mut count = 0;
        for (label, value) in own.clone() {
            count += 1;
            self.label_names.entry(label).or_insert(line);
            if value.is_empty() {
                self.empty_values.insert(label);
            }
        }
        self.most_labels = self.most_labels.max(count);
        self.series.insert(fingerprints.labels(own.clone()));
        if kind_of(family.kind) == Some(MetricKind::Histogram) && name.ends_with("_bucket") {
            self.bucket(context, labels.clone());
        }
        if !context.catalog.is_empty() {
            self.compare(context, family, labels, line);
        }
    }

    /// H1: the bound of a bucket, kept until its point's `+Inf` bucket.
    fn bucket<'s>(&mut self, context: &Context<'c>, labels: impl Iterator<Item = (&'a str, &'s str)> + Clone) {
        let Some((_, le)) = labels.clone().find(|(label, _)| *label == "le") else { return };
        let key = context.fingerprints.labels(labels.filter(|(label, _)| *label != "le"));
        let index = *self.bounds_index.entry(key).or_insert_with(|| {
            self.bounds.push((Vec::new(), false));
            self.bounds.len() - 1
        });
        let (bounds, complete) = &mut self.bounds[index];
        if *complete {
            // A later point of the same series (OpenMetrics timestamps).
            return;
        }
        match le.parse::<f64>() {
            Ok(f64::INFINITY) => *complete = true,
            Ok(bound) => bounds.push(bound),
            Err(_) => bounds.push(f64::NAN),
        }
    }

    /// C3: label values against the catalogue's declared values.
    fn compare<'s>(
        &mut self,
        context: &Context<'c>,
        family: &Shape<'_, '_>,
        labels: impl Iterator<Item = (&'a str, &'s str)>,
        line: usize,
    ) {
        if !self.declared.resolved {
            self.declared = Declared {
                resolved: true,
                plain: context.catalog.get(family.name).copied(),
                total: if family.kind == Some("counter") {
                    context.catalog.get(format!("{}_total", family.name).as_str()).copied()
                } else {
                    None
                },
            };
        }
        for (label, value) in labels {
            for (total, metric) in [(false, self.declared.plain), (true, self.declared.total)] {
                let Some(metric) = metric else { continue };
                let Some(declared) = metric.labels.iter().find(|l| l.name == label) else { continue };
                if declared.cap.is_some() || declared.values.is_empty() {
                    continue;
                }
                let allowed =
                    declared.values.iter().any(|v| v == value) || (declared.unknown && value == crate::Label::UNKNOWN);
                if !allowed && self.reported.insert((total, context.fingerprints.label(label, value))) {
                    self.undeclared.push(Undeclared { total, label: label.to_owned(), value: value.to_owned(), line });
                }
            }
        }
    }

    /// The name a family's metric has in a declaration: an OpenMetrics
    /// counter's with the `_total` its samples carry (its family name drops
    /// it), also when it has no sample to carry it (a quiet family nothing
    /// has recorded to).
    pub(super) fn metric_name<'n>(&self, context: &Context<'_>, family: &Shape<'n, '_>) -> Cow<'n, str>
    where
        'a: 'n,
    {
        match self.total_name {
            Some(name) => Cow::Borrowed(name),
            None if context.openmetrics && family.kind == Some("counter") => {
                Cow::Owned(format!("{}_total", family.name))
            }
            None if context.openmetrics && family.kind == Some("info") => Cow::Owned(format!("{}_info", family.name)),
            None => Cow::Borrowed(family.name),
        }
    }

    /// The findings of the family's rules, in order.
    pub(super) fn findings(&self, context: &Context<'c>, family: &Shape<'_, '_>, findings: &mut Vec<Finding>) {
        let name = &*self.metric_name(context, family);
        let line = family.line;
        let mut push = |violation: Option<Violation>| {
            if let Some(violation) = violation {
                findings.push(Finding::from_violation(name, line, violation));
            }
        };
        let kind = match kind_of(family.kind) {
            // The Prometheus text format writes an info metric as a gauge
            // named `<name>_info`, as every client library does.
            Some(MetricKind::Gauge) if !context.openmetrics && name.ends_with("_info") => Some(MetricKind::Info),
            kind => kind,
        };
        match kind {
            Some(kind) => {
                for violation in rules::check_metric_name(name, kind, family.unit, &context.policy) {
                    push(Some(violation));
                }
            }
            None => {
                push(rules::check_n1(name));
                push(rules::check_n4(name));
                push(rules::check_n6(name, family.kind == Some("info")));
            }
        }
        // The runtime's own metrics keep their fixed prefix in every program
        // (its policy is its own, as for any dependency that states one): a
        // program cannot rename them, and they are no other exporter's.
        if !name.starts_with(crate::RUNTIME_PREFIX) && !crate::PROCESS_METRICS.contains(&name) {
            push(rules::check_n2_any(name, &context.namespaces));
        }
        push(rules::check_n7(name, family.help.unwrap_or("")));
        push(rules::check_l5(name, self.most_labels, &context.policy));
        push(rules::check_l6(name, self.series.len(), context.max_series));
        for (label, first) in &self.label_names {
            for violation in rules::check_label_name(label, &context.policy) {
                findings.push(Finding::from_violation(name, *first, violation));
            }
        }
        for label in &self.empty_values {
            if let Some(violation) = rules::check_l7_exposed(name, label, "") {
                findings.push(Finding::from_violation(name, line, violation));
            }
        }
        if kind == Some(MetricKind::Histogram) {
            let mut reported = BTreeSet::new();
            for (bounds, _) in &self.bounds {
                for violation in rules::check_h1(name, bounds) {
                    if reported.insert(violation.message.clone()) {
                        findings.push(Finding::from_violation(name, line, violation));
                    }
                }
            }
        }
    }

    /// C2, C4 and C3: the family against its declaration, if the catalogue
    /// has one.
    pub(super) fn compliance(&self, context: &Context<'c>, family: &Shape<'_, '_>, findings: &mut Vec<Finding>) {
        let name = &*self.metric_name(context, family);
        let Some(metric) = context.catalog.get(name) else {
            findings.push(Finding::catalogue(
                "C2",
                name,
                family.line,
                &format!("metric {} is exposed but not declared in the catalogue", quote(name)),
                format!("declare {}, or stop exposing it", quote(name)),
            ));
            return;
        };
        // The Prometheus text format writes info metrics and state sets as
        // gauges: it has no such types.
        let as_gauge = !context.openmetrics && matches!(metric.kind.as_str(), "info" | "stateset");
        if let Some(kind) = family.kind
            && kind != metric.kind.as_str()
            && !(kind == "untyped" || kind == "unknown")
            && !(kind == "gauge" && as_gauge)
        {
            findings.push(Finding::catalogue(
                "C4",
                name,
                family.line,
                &format!("metric {} is exposed as a {kind} but declared as a {}", quote(name), metric.kind),
                "expose the declared type, or change the declaration (a major version)".to_owned(),
            ));
        }
        let total = self.total_name.is_some();
        for undeclared in self.undeclared.iter().filter(|u| u.total == total) {
            findings.push(Finding::catalogue(
                "C3",
                name,
                undeclared.line,
                &format!(
                    "label {} of metric {} has the value {}, which is not declared",
                    quote(&undeclared.label),
                    quote(name),
                    quote(&undeclared.value)
                ),
                format!(
                    "declared values: {}",
                    metric
                        .labels
                        .iter()
                        .find(|l| l.name == undeclared.label)
                        .map(|l| l.values.join(", "))
                        .unwrap_or_default()
                ),
            ));
        }
    }
}
