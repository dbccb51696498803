//! Lints a parsed exposition, from any exporter, with the same rule
//! functions the derive macros apply at compile time, plus what only a live
//! scrape shows (series counts, label values), and, given a catalogue, its
//! compliance: families missing or not declared, values outside the declared
//! sets, types that differ.
//!
//! ```
//! use metricate_catalog::check::{Options, check, check_text};
//! use metricate_catalog::exposition::{Format, parse};
//!
//! let text = "# HELP trc_jobs Jobs run.\n# TYPE trc_jobs counter\ntrc_jobs 3\n";
//! let exposition = parse(text, Format::Prometheus).unwrap();
//! let options = Options { namespaces: vec!["trc".into()], ..Options::default() };
//! let findings = check(&exposition, &options);
//! assert_eq!(findings[0].rule, "N3");
//! assert_eq!(findings[0].family, "trc_jobs");
//!
//! // The same, reading the text as it is parsed, without keeping its samples.
//! let report = check_text(text, Format::Prometheus, &options).unwrap();
//! assert_eq!((report.families, report.findings), (1, findings));
//! ```
//!
//! [`check_text`] is what `catalog check` runs: it keeps no sample, only one
//! record per family and, for the family being read, a fingerprint per
//! series, so its memory stays a small multiple of the text's size (plus the
//! findings), and it takes time linear in the text.
//!
//! Beside the rules N1–N7, L1–L7, H1 and D1, the catalogue checks are:
//!
//! | id | finding |
//! |---|---|
//! | C1 | a family the catalogue declares is not exposed |
//! | C2 | an exposed family is not in the catalogue |
//! | C3 | a label value is not among the values the catalogue declares |
//! | C4 | a family's type differs from the catalogue's |

mod family;

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::exposition::{self, Exposition, Family, Fingerprints, Format, Head, ParseError, RawSample, Sink, shorten};
use crate::json::{Catalog, Metric};
use crate::rules::{self, Violation};
use crate::{DEFAULT_MAX_SERIES, MetricKind, Policy, exposed_names};
use family::{FamilyCheck, Shape};

/// What to check against.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Namespace prefixes a name may start with (N2); none: N2 is not checked.
    /// The runtime's own families ([`RUNTIME_PREFIX`](crate::RUNTIME_PREFIX),
    /// `metrics_export_`) pass N2 whatever the namespaces.
    pub namespaces: Vec<String>,
    /// The catalogue the exposition must comply with.
    pub catalog: Option<Catalog>,
    /// The series limit per family (L6).
    pub max_series: usize,
    /// The policy's forbidden labels (L3) and label limit (L5). Its
    /// namespace and series limit are not read: N2 takes `namespaces`, L6
    /// `max_series`.
    pub policy: Policy,
}

impl Default for Options {
    fn default() -> Options {
        Options { namespaces: Vec::new(), catalog: None, max_series: DEFAULT_MAX_SERIES, policy: Policy::default() }
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
    /// What is wrong. Long names and values from the exposition are cut to
    /// an excerpt ([`shorten`]).
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

const CATALOGUE_NOTE: &str = "the catalogue is the contract of what a service exposes: dashboards, alerts and the \
                              platform's compliance checks rely on it";

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

    fn catalogue(id: &str, family: &str, line: usize, message: &str, help: String) -> Finding {
        Finding {
            rule: id.to_owned(),
            family: family.to_owned(),
            line,
            message: shorten(format!("{id}: {message}")),
            note: CATALOGUE_NOTE.to_owned(),
            help: shorten(help),
        }
    }
}

/// The metric kind of a `# TYPE` word, for the kinds the rules know.
fn kind_of(word: Option<&str>) -> Option<MetricKind> {
    MetricKind::from_type_word(word?)
}

/// Every finding, by family in exposition order, then the catalogue's.
pub fn check(exposition: &Exposition, options: &Options) -> Vec<Finding> {
    let mut checker = Checker::new(options).format(exposition.format);
    for family in &exposition.families {
        checker.family(family);
    }
    checker.finish()
}

/// What [`check_text`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// How many families the exposition has.
    pub families: usize,
    /// Every finding, in the order of [`check`].
    pub findings: Vec<Finding>,
}

/// Parses `text` and lints it as it goes: the findings of [`check`] on
/// [`exposition::parse`]'s result, without keeping the samples (not even
/// those of one family); or the first violation of the format.
pub fn check_text(text: &str, format: Format, options: &Options) -> Result<Report, ParseError> {
    let mut checker = Checker::new(options).format(format);
    let mut streaming = Streaming { checker: &mut checker, family: FamilyCheck::default() };
    let families = exposition::read(text, format, &mut streaming)?;
    Ok(Report { families, findings: checker.finish() })
}

/// Takes in each sample as the parser hands it over.
struct Streaming<'c, 'a, 'o> {
    checker: &'c mut Checker<'o>,
    family: FamilyCheck<'a, 'o>,
}

impl<'a> Sink<'a> for Streaming<'_, 'a, '_> {
    fn sample(&mut self, family: &Head<'a>, sample: RawSample<'a>, line: usize) {
        let shape = shape(family);
        let labels = sample.labels.iter().map(|label| (label.name, &*label.value));
        self.family.sample(&self.checker.context, &shape, sample.name, labels, line);
    }

    fn family(&mut self, family: Head<'a>) {
        let check = std::mem::take(&mut self.family);
        self.checker.end(&check, &shape(&family));
    }
}

fn shape<'a, 'h>(head: &'h Head<'a>) -> Shape<'a, 'h> {
    Shape {
        name: head.name,
        kind: head.kind.as_deref(),
        help: head.help.as_deref(),
        unit: head.unit.as_deref(),
        line: head.line,
    }
}

/// What every family is checked with.
struct Context<'c> {
    policy: Policy,
    /// Whether the exposition is OpenMetrics, whose counter families are
    /// named without the `_total` of their metric.
    openmetrics: bool,
    /// One policy per namespace given, for N2.
    namespaces: Vec<Policy>,
    max_series: usize,
    /// The catalogue's metrics by name (empty without a catalogue).
    catalog: HashMap<&'c str, &'c Metric>,
    fingerprints: Fingerprints,
}

/// A typed metric as D1 sees it. The names it exposes ([`exposed_names`])
/// are its root (its name, without `_total` for a counter) and the root with
/// the suffixes of its kind ([`MetricKind::sample_suffixes`]). Two metrics
/// with the same root collide, so only the first of each root is kept: roots
/// are equal when their root names are.
#[derive(Debug)]
struct Root {
    metric: Box<str>,
    /// Whether the root is `metric` without its `_total`.
    total: bool,
    kind: MetricKind,
    /// Which family it is, in order.
    family: u32,
}

impl Root {
    fn of(metric: &str, kind: MetricKind, family: u32) -> Root {
        let total = kind == MetricKind::Counter && metric.ends_with("_total");
        Root { metric: metric.into(), total, kind, family }
    }

    fn root(&self) -> &str {
        if self.total { &self.metric[..self.metric.len() - "_total".len()] } else { &self.metric }
    }

    /// Whether `name` is one of the names the metric exposes: its root, or
    /// its root with a sample suffix of its kind.
    fn exposes(&self, name: &str) -> bool {
        name.strip_prefix(self.root())
            .is_some_and(|rest| rest.is_empty() || self.kind.sample_suffixes().contains(&rest))
    }
}

impl PartialEq for Root {
    fn eq(&self, other: &Self) -> bool {
        self.root() == other.root()
    }
}

impl Eq for Root {}

impl Hash for Root {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `str` hashes, for `Borrow<str>`.
        self.root().hash(state);
    }
}

impl Borrow<str> for Root {
    fn borrow(&self) -> &str {
        self.root()
    }
}

/// Checks an exposition family by family, keeping of each family only what
/// D1 and C1 need to see across families; [`Checker::finish`] gives what
/// [`check`] gives for the same families.
///
/// ```
/// use metricate_catalog::check::{Checker, Options};
/// use metricate_catalog::exposition::{Format, parse_each};
///
/// let text = "# TYPE trc_jobs_total counter\ntrc_jobs_total 3\n# TYPE trc_jobs gauge\ntrc_jobs 1\n";
/// let options = Options::default();
/// let mut checker = Checker::new(&options).format(Format::Prometheus);
/// let families = parse_each(text, Format::Prometheus, |family| checker.family(&family)).unwrap();
/// let findings = checker.finish();
/// assert_eq!(families, 2);
/// assert!(findings.iter().any(|f| f.rule == "D1" && f.family == "trc_jobs"));
/// ```
pub struct Checker<'o> {
    context: Context<'o>,
    catalog: Option<&'o Catalog>,
    families: usize,
    findings: Vec<Finding>,
    /// D1, reported after the findings of every family.
    collisions: Vec<Finding>,
    /// The first typed metric of each root.
    roots: HashSet<Root>,
    /// C2, C3 and C4, by metric name, reported after C1.
    compliance: Vec<(String, Finding)>,
    /// The catalogue's metrics found exposed.
    exposed: HashSet<&'o str>,
}

impl fmt::Debug for Checker<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checker").field("families", &self.families).finish_non_exhaustive()
    }
}

impl<'o> Checker<'o> {
    /// A checker with these options.
    pub fn new(options: &'o Options) -> Checker<'o> {
        let namespaces =
            options.namespaces.iter().map(|ns| Policy { namespace: ns.clone(), ..Policy::default() }).collect();
        let catalog: HashMap<&str, &Metric> = options
            .catalog
            .iter()
            .flat_map(|catalog| &catalog.metrics)
            .map(|metric| (metric.name.as_str(), metric))
            .collect();
        Checker {
            context: Context {
                policy: Policy { namespace: String::new(), ..options.policy.clone() },
                openmetrics: false,
                namespaces,
                max_series: options.max_series,
                catalog,
                fingerprints: Fingerprints::new(),
            },
            catalog: options.catalog.as_ref(),
            families: 0,
            findings: Vec::new(),
            collisions: Vec::new(),
            roots: HashSet::new(),
            compliance: Vec::new(),
            exposed: HashSet::new(),
        }
    }

    /// The format of the exposition (Prometheus text unless told): in
    /// OpenMetrics, a counter family is named without its metric's `_total`,
    /// even when it has no sample that carries it.
    #[must_use]
    pub fn format(mut self, format: Format) -> Checker<'o> {
        self.context.openmetrics = format == Format::OpenMetrics;
        self
    }

    /// Checks one family, in exposition order.
    pub fn family(&mut self, family: &Family) {
        let shape = Shape {
            name: &family.name,
            kind: family.kind.as_deref(),
            help: family.help.as_deref(),
            unit: family.unit.as_deref(),
            line: family.line,
        };
        let mut check = FamilyCheck::default();
        for sample in &family.samples {
            let labels = sample.labels.iter().map(|(name, value)| (name.as_str(), value.as_str()));
            check.sample(&self.context, &shape, &sample.name, labels, sample.line);
        }
        self.end(&check, &shape);
    }

    /// The family whose samples `check` took in has ended.
    fn end(&mut self, check: &FamilyCheck<'_, 'o>, family: &Shape<'_, '_>) {
        check.findings(&self.context, family, &mut self.findings);
        let metric = check.metric_name(&self.context, family);
        let metric = &*metric;
        self.collisions(metric, family);
        if self.catalog.is_some() {
            if let Some((name, _)) = self.context.catalog.get_key_value(metric) {
                self.exposed.insert(name);
            }
            let mut found = Vec::new();
            check.compliance(&self.context, family, &mut found);
            self.compliance.extend(found.into_iter().map(|finding| (metric.to_owned(), finding)));
        }
        self.families += 1;
    }

    /// The first typed metric before that exposes `name`.
    fn owner(&self, name: &str) -> Option<&Root> {
        std::iter::once("")
            .chain(MetricKind::ALL.iter().flat_map(|kind| kind.sample_suffixes().iter().copied()))
            .filter_map(|suffix| self.roots.get(name.strip_suffix(suffix)?))
            .filter(|root| root.exposes(name))
            .min_by_key(|root| root.family)
    }

    /// D1 against the families before: two families exposing the same name.
    fn collisions(&mut self, metric: &str, family: &Shape<'_, '_>) {
        let Some(kind) = kind_of(family.kind) else { return };
        for exposed in exposed_names(metric, kind) {
            if let Some(first) = self.owner(&exposed) {
                if let Some(violation) = rules::check_d1_names((&first.metric, first.kind), (metric, kind)) {
                    self.collisions.push(Finding::from_violation(metric, family.line, violation));
                }
                break;
            }
        }
        let index = u32::try_from(self.families).unwrap_or(u32::MAX);
        let root = Root::of(metric, kind, index);
        // Keeps the first of each root.
        self.roots.insert(root);
    }

    /// Every finding: by family in exposition order, then the collisions
    /// between families (D1), then the catalogue's (C1 in its order, then the
    /// others by metric name).
    pub fn finish(mut self) -> Vec<Finding> {
        let mut findings = std::mem::take(&mut self.findings);
        findings.append(&mut self.collisions);
        if let Some(catalog) = self.catalog {
            for metric in catalog.metrics.iter().filter(|m| !self.exposed.contains(m.name.as_str())) {
                findings.push(Finding::catalogue(
                    "C1",
                    &metric.name,
                    0,
                    &format!("metric `{}` is declared in the catalogue but not exposed", metric.name),
                    format!("expose `{}` (declared at {}:{})", metric.name, metric.source.file, metric.source.line),
                ));
            }
            self.compliance.sort_by(|(a, _), (b, _)| a.cmp(b));
            findings.extend(self.compliance.into_iter().map(|(_, finding)| finding));
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::{Checker, Options};
    use crate::exposition::{Format, parse_each};

    /// The D1 findings of an exposition, by family.
    fn collisions(text: &str) -> Vec<String> {
        let options = Options::default();
        let mut checker = Checker::new(&options).format(Format::Prometheus);
        parse_each(text, Format::Prometheus, |family| checker.family(&family)).unwrap();
        checker.finish().into_iter().filter(|f| f.rule == "D1").map(|f| f.family).collect()
    }

    #[test]
    fn a_counter_named_after_a_sample_of_an_earlier_family_collides() {
        let histogram = "# TYPE trc_wait_seconds histogram\ntrc_wait_seconds_bucket{le=\"+Inf\"} 1\n\
                         trc_wait_seconds_sum 1\ntrc_wait_seconds_count 1\n";
        let summary = "# TYPE trc_wait_seconds summary\ntrc_wait_seconds_sum 1\ntrc_wait_seconds_count 1\n";
        // Its OpenMetrics family is `trc_wait_seconds_count`.
        let counter = "# TYPE trc_wait_seconds_count_total counter\ntrc_wait_seconds_count_total 2\n";
        assert_eq!(collisions(&format!("{histogram}{counter}")), ["trc_wait_seconds_count_total"]);
        // A summary's `_count` is as much its own (this was not seen).
        assert_eq!(collisions(&format!("{summary}{counter}")), ["trc_wait_seconds_count_total"]);
        assert!(collisions(summary).is_empty());
    }
}
