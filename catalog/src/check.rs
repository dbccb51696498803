//! Lints a parsed exposition, from any exporter, with the same rule
//! functions the derive macros apply at compile time, plus what only a live
//! scrape shows (series counts, label values), and, given a catalogue, its
//! compliance: families missing or not declared, values outside the declared
//! sets, types that differ.
//!
//! ```
//! use catalog::check::{Options, check};
//! use catalog::exposition::{Format, parse};
//!
//! let text = "# HELP trc_jobs Jobs run.\n# TYPE trc_jobs counter\ntrc_jobs 3\n";
//! let exposition = parse(text, Format::Prometheus).unwrap();
//! let options = Options { namespaces: vec!["trc".into()], ..Options::default() };
//! let findings = check(&exposition, &options);
//! assert_eq!(findings[0].rule, "N3");
//! assert_eq!(findings[0].family, "trc_jobs");
//! ```
//!
//! A [`Checker`] takes the families one at a time, as
//! [`exposition::parse_each`](crate::exposition::parse_each) hands them over,
//! so that checking an exposition of any size keeps only a few dozen bytes per
//! family besides the text.
//!
//! Beside the rules N1–N7, L1–L7, H1 and D1, the catalogue checks are:
//!
//! | id | finding |
//! |---|---|
//! | C1 | a family the catalogue declares is not exposed |
//! | C2 | an exposed family is not in the catalogue |
//! | C3 | a label value is not among the values the catalogue declares |
//! | C4 | a family's type differs from the catalogue's |

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::hash::{BuildHasher, RandomState};

use crate::exposition::{Exposition, Family, shorten};
use crate::json::{Catalog, Metric};
use crate::rules::{self, Rule, Violation};
use crate::{DEFAULT_MAX_SERIES, MetricKind, Policy, exposed_names};

/// What to check against.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Namespace prefixes a name may start with (N2); none: N2 is not checked.
    pub namespaces: Vec<String>,
    /// The catalogue the exposition must comply with.
    pub catalog: Option<Catalog>,
    /// The series limit per family (L6).
    pub max_series: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { namespaces: Vec::new(), catalog: None, max_series: DEFAULT_MAX_SERIES }
    }
}

/// One broken rule in an exposition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule id: `N1`..`N7`, `L1`..`L7`, `H1`, `D1` or `C1`..`C4`.
    pub rule: String,
    /// The family it concerns.
    pub family: String,
    /// The line of the exposition where the family starts, or of the first
    /// sample concerned (0 for a family the exposition lacks).
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// Why the rule exists.
    pub note: String,
    /// How to fix it.
    pub help: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}\n  = note: {}\n  = help: {}", self.line, self.message, self.note, self.help)
    }
}

impl Finding {
    fn from_violation(family: &str, line: usize, violation: Violation) -> Finding {
        Finding {
            rule: violation.rule.id().to_owned(),
            family: family.to_owned(),
            line,
            message: shorten(violation.message),
            note: shorten(violation.note),
            help: shorten(violation.help),
        }
    }

    fn catalogue(id: &str, family: &str, line: usize, message: &str, note: &str, help: String) -> Finding {
        Finding {
            rule: id.to_owned(),
            family: family.to_owned(),
            line,
            message: shorten(format!("{id}: {message}")),
            note: note.to_owned(),
            help: shorten(help),
        }
    }
}

/// The metric kind of a `# TYPE` word, for the kinds the rules know.
fn kind_of(word: Option<&str>) -> Option<MetricKind> {
    match word? {
        "counter" => Some(MetricKind::Counter),
        "gauge" => Some(MetricKind::Gauge),
        "histogram" => Some(MetricKind::Histogram),
        _ => None,
    }
}

/// The name a family's metric has in a declaration: an OpenMetrics counter's
/// with the `_total` its samples carry (its family name drops it).
fn metric_name(family: &Family) -> String {
    let total = format!("{}_total", family.name);
    match family.kind.as_deref() {
        Some("counter") if family.samples.iter().any(|s| s.name == total) => total,
        _ => family.name.clone(),
    }
}

/// Labels the format adds to generated series, not declared by the metric.
fn generated_label(family: &Family, label: &str) -> bool {
    matches!(
        (family.kind.as_deref(), label),
        (Some("histogram" | "gaugehistogram"), "le") | (Some("summary"), "quantile")
    )
}

/// Every finding, by family in exposition order, then the catalogue's.
pub fn check(exposition: &Exposition, options: &Options) -> Vec<Finding> {
    let mut checker = Checker::new(options);
    for family in &exposition.families {
        checker.family(family);
    }
    checker.finish()
}

/// Checks an exposition family by family; [`Checker::finish`] gives what
/// [`check`] gives for the same families.
///
/// ```
/// use catalog::check::{Checker, Options};
/// use catalog::exposition::{Format, parse_each};
///
/// let text = "# TYPE trc_jobs_total counter\ntrc_jobs_total 3\n# TYPE trc_jobs gauge\ntrc_jobs 1\n";
/// let options = Options::default();
/// let mut checker = Checker::new(&options);
/// let families = parse_each(text, Format::Prometheus, |family| checker.family(&family)).unwrap();
/// let findings = checker.finish();
/// assert_eq!(families, 2);
/// assert!(findings.iter().any(|f| f.rule == "D1" && f.family == "trc_jobs"));
/// ```
pub struct Checker<'o> {
    options: &'o Options,
    policy: Policy,
    findings: Vec<Finding>,
    /// Each typed family's metric name, type and line, for D1 across
    /// families.
    typed: Vec<(Box<str>, MetricKind, usize)>,
    /// Every exposed name of those families, by hash, with the index of the
    /// family that exposed it first: a hash keeps this at a few bytes per
    /// name; a hit is confirmed against the family's own names.
    owners: HashMap<u64, u32>,
    hasher: RandomState,
    collisions: Vec<Finding>,
    /// The catalogue's metrics by name, and which of them were exposed.
    declared: HashMap<&'o str, usize>,
    exposed: Vec<bool>,
    /// The catalogue findings (C2 to C4) of each exposed family, by name.
    compliance: BTreeMap<String, Vec<Finding>>,
}

impl fmt::Debug for Checker<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checker").field("families", &self.typed.len()).finish_non_exhaustive()
    }
}

impl<'o> Checker<'o> {
    /// A checker with these options.
    pub fn new(options: &'o Options) -> Checker<'o> {
        let declared = options
            .catalog
            .iter()
            .flat_map(|catalog| catalog.metrics.iter().enumerate())
            .map(|(i, metric)| (metric.name.as_str(), i))
            .collect();
        let exposed = vec![false; options.catalog.as_ref().map_or(0, |c| c.metrics.len())];
        Checker {
            options,
            policy: Policy { namespace: String::new(), ..Policy::default() },
            findings: Vec::new(),
            typed: Vec::new(),
            owners: HashMap::new(),
            hasher: RandomState::new(),
            collisions: Vec::new(),
            declared,
            exposed,
            compliance: BTreeMap::new(),
        }
    }

    /// Checks one family, in exposition order.
    pub fn family(&mut self, family: &Family) {
        check_family(family, self.options, &self.policy, &mut self.findings);
        self.collisions_of(family);
        if let Some(catalog) = &self.options.catalog {
            let name = metric_name(family);
            let metric = self.declared.get(name.as_str()).map(|&i| {
                self.exposed[i] = true;
                &catalog.metrics[i]
            });
            let found = comply(family, &name, metric);
            self.compliance.insert(name, found);
        }
    }

    /// Every finding: by family in exposition order, then the collisions
    /// between families, then the catalogue's.
    pub fn finish(mut self) -> Vec<Finding> {
        self.findings.append(&mut self.collisions);
        if let Some(catalog) = &self.options.catalog {
            for (metric, exposed) in catalog.metrics.iter().zip(&self.exposed) {
                if !exposed {
                    self.findings.push(Finding::catalogue(
                        "C1",
                        &metric.name,
                        0,
                        &format!("metric `{}` is declared in the catalogue but not exposed", metric.name),
                        CATALOGUE_NOTE,
                        format!("expose `{}` (declared at {}:{})", metric.name, metric.source.file, metric.source.line),
                    ));
                }
            }
            self.findings.extend(self.compliance.into_values().flatten());
        }
        self.findings
    }

    /// D1 across families: a name this family exposes that an earlier one
    /// exposes too.
    fn collisions_of(&mut self, family: &Family) {
        let Some(kind) = kind_of(family.kind.as_deref()) else { return };
        let name = metric_name(family);
        let index = u32::try_from(self.typed.len()).unwrap_or(u32::MAX);
        for exposed in exposed_names(&name, kind) {
            let hash = self.hasher.hash_one(&exposed);
            match self.owners.get(&hash) {
                Some(&first) if first != index => {
                    let (first_name, first_kind, _) = &self.typed[first as usize];
                    // Two different names with one hash: too rare to matter,
                    // and then not reported rather than reported wrongly.
                    if !exposed_names(first_name, *first_kind).contains(&exposed) {
                        continue;
                    }
                    if let Some(violation) = rules::check_d1_names((first_name, *first_kind), (&name, kind)) {
                        self.collisions.push(Finding::from_violation(&name, family.line, violation));
                    }
                    break;
                }
                Some(_) => {}
                None => {
                    self.owners.insert(hash, index);
                }
            }
        }
        self.typed.push((name.into_boxed_str(), kind, family.line));
    }
}

fn check_family(family: &Family, options: &Options, policy: &Policy, findings: &mut Vec<Finding>) {
    let name = metric_name(family);
    let line = family.line;
    let mut push = |violation: Option<Violation>| {
        if let Some(violation) = violation {
            findings.push(Finding::from_violation(&name, line, violation));
        }
    };
    let kind = kind_of(family.kind.as_deref());
    match kind {
        Some(kind) => {
            for violation in rules::check_metric_name(&name, kind, family.unit.as_deref(), policy) {
                push(Some(violation));
            }
        }
        None => {
            push(rules::check_n1(&name));
            push(rules::check_n4(&name));
            push(rules::check_n6(&name, family.kind.as_deref() == Some("info")));
        }
    }
    if !options.namespaces.is_empty() {
        let violations: Vec<Violation> = options
            .namespaces
            .iter()
            .filter_map(|ns| rules::check_n2(&name, &Policy { namespace: ns.clone(), ..Policy::default() }))
            .collect();
        if violations.len() == options.namespaces.len() {
            let mut first = violations.into_iter().next();
            if let Some(v) = first.as_mut()
                && options.namespaces.len() > 1
            {
                let list: Vec<String> = options.namespaces.iter().map(|n| format!("`{n}_`")).collect();
                v.message =
                    format!("N2: metric `{name}` starts with none of the namespace prefixes {}", list.join(", "));
            }
            push(first);
        }
    }
    push(rules::check_n7(&name, family.help.as_deref().unwrap_or("")));

    // Labels: names once per family, counts and values per series.
    let mut label_names: BTreeMap<&str, usize> = BTreeMap::new();
    let mut series: BTreeSet<Vec<(&str, &str)>> = BTreeSet::new();
    let mut most_labels = 0;
    let mut empty_values: BTreeSet<&str> = BTreeSet::new();
    for sample in &family.samples {
        let own: Vec<(&str, &str)> = sample
            .labels
            .iter()
            .filter(|(label, _)| !generated_label(family, label))
            .map(|(l, v)| (l.as_str(), v.as_str()))
            .collect();
        most_labels = most_labels.max(own.len());
        for (label, value) in &own {
            label_names.entry(label).or_insert(sample.line);
            if value.is_empty() {
                empty_values.insert(label);
            }
        }
        series.insert(own);
    }
    push(rules::check_l5(&name, most_labels, policy));
    push(rules::check_l6(&name, series.len(), options.max_series));
    for (label, first) in &label_names {
        for violation in rules::check_label_name(label, policy) {
            findings.push(Finding::from_violation(&name, *first, violation));
        }
    }
    for label in empty_values {
        findings.push(Finding::from_violation(
            &name,
            line,
            Violation {
                rule: Rule::L7,
                message: format!("L7: label `{label}` of metric `{name}` has an empty value"),
                note: "an empty label value is the same as a missing label in Prometheus, so the series loses it"
                    .to_owned(),
                help: "give the value a name, or `unknown` for a missing one".to_owned(),
                index: None,
            },
        ));
    }
    if kind == Some(MetricKind::Histogram) {
        check_buckets(family, &name, findings);
    }
}

/// H1 on the `le` bounds of each series of a histogram.
fn check_buckets(family: &Family, name: &str, findings: &mut Vec<Finding>) {
    let mut bounds: BTreeMap<Vec<(&str, &str)>, Vec<f64>> = BTreeMap::new();
    for sample in family.samples.iter().filter(|s| s.name.ends_with("_bucket")) {
        let key: Vec<(&str, &str)> =
            sample.labels.iter().filter(|(l, _)| l != "le").map(|(l, v)| (l.as_str(), v.as_str())).collect();
        let Some((_, le)) = sample.labels.iter().find(|(l, _)| l == "le") else { continue };
        let series = bounds.entry(key).or_default();
        match le.as_str() {
            "+Inf" | "Inf" => {}
            other => series.push(other.parse::<f64>().unwrap_or(f64::NAN)),
        }
    }
    let mut reported = BTreeSet::new();
    for violations in bounds.values().map(|b| rules::check_h1(name, b)) {
        for violation in violations {
            if reported.insert(violation.message.clone()) {
                findings.push(Finding::from_violation(name, family.line, violation));
            }
        }
    }
}

const CATALOGUE_NOTE: &str = "the catalogue is the contract of what a service exposes: dashboards, alerts and the \
                              platform's compliance checks rely on it";

/// C2 to C4 for one exposed family: not declared, another type, undeclared
/// label values.
fn comply(family: &Family, name: &str, metric: Option<&Metric>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(metric) = metric else {
        findings.push(Finding::catalogue(
            "C2",
            name,
            family.line,
            &format!("metric `{name}` is exposed but not declared in the catalogue"),
            CATALOGUE_NOTE,
            format!("declare `{name}`, or stop exposing it"),
        ));
        return findings;
    };
    if let Some(kind) = family.kind.as_deref()
        && kind != metric.kind
        && !(kind == "untyped" || kind == "unknown")
    {
        findings.push(Finding::catalogue(
            "C4",
            name,
            family.line,
            &format!("metric `{name}` is exposed as a {kind} but declared as a {}", metric.kind),
            CATALOGUE_NOTE,
            "expose the declared type, or change the declaration (a major version)".to_owned(),
        ));
    }
    let mut reported = BTreeSet::new();
    for sample in &family.samples {
        for (label, value) in &sample.labels {
            let Some(declared) = metric.labels.iter().find(|l| &l.name == label) else { continue };
            if declared.cap.is_some() || declared.values.is_empty() {
                continue;
            }
            let allowed = declared.values.contains(value) || (declared.unknown && value == crate::Label::UNKNOWN);
            if !allowed && reported.insert((label, value)) {
                findings.push(Finding::catalogue(
                    "C3",
                    name,
                    sample.line,
                    &format!("label `{label}` of metric `{name}` has the value `{value}`, which is not declared"),
                    CATALOGUE_NOTE,
                    format!("declared values: {}", declared.values.join(", ")),
                ));
            }
        }
    }
    findings
}
