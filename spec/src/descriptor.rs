//! The descriptor of a declared metric: everything the encoders, the registry
//! and the catalogue need to know about it, as `'static` data the derive
//! macros emit.

/// The type of a metric family, as the exposition formats name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricKind {
    /// A monotonically increasing value; its name ends in `_total`.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Observations counted into fixed buckets, with their sum and count.
    Histogram,
    /// Quantiles of the observations over a sliding time window, with the
    /// sum and count of every observation.
    Summary,
    /// A constant 1 whose labels carry the information (build version,
    /// configuration); its name ends in `_info`.
    Info,
    /// A set of named states, each 1 or 0: one label, named after the
    /// metric, over the states.
    StateSet,
}

/// The `# TYPE` word ([`MetricKind::as_str`]).
impl std::fmt::Display for MetricKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind is written as its `# TYPE` word ([`MetricKind::as_str`]).
#[cfg(feature = "serde")]
impl serde::Serialize for MetricKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A kind is read from its `# TYPE` word; any other word is an error that
/// lists the words there are.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for MetricKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Word;
        impl serde::de::Visitor<'_> for Word {
            type Value = MetricKind;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a metric type")
            }
            fn visit_str<E: serde::de::Error>(self, word: &str) -> Result<MetricKind, E> {
                MetricKind::from_type_word(word).ok_or_else(|| {
                    let known: Vec<&str> = MetricKind::ALL.iter().map(|kind| kind.as_str()).collect();
                    E::custom(format_args!("unknown metric type `{word}`: expected one of `{}`", known.join("`, `")))
                })
            }
        }
        deserializer.deserialize_str(Word)
    }
}

impl MetricKind {
    /// The word used in `# TYPE` lines.
    pub const fn as_str(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
            MetricKind::Summary => "summary",
            MetricKind::Info => "info",
            MetricKind::StateSet => "stateset",
        }
    }

    /// The word of the `# TYPE` line in the Prometheus text format, which
    /// knows no info metrics or state sets: both are gauges there.
    pub const fn prometheus_type(self) -> &'static str {
        match self {
            MetricKind::Info | MetricKind::StateSet => "gauge",
            kind => kind.as_str(),
        }
    }

    /// The kind of a `# TYPE` word (either format's spelling), if it is one
    /// this crate declares.
    pub fn from_type_word(word: &str) -> Option<MetricKind> {
        MetricKind::ALL.into_iter().find(|kind| kind.as_str() == word)
    }

    /// Every kind, in the order the catalogues list them.
    pub const ALL: [MetricKind; 6] = [
        MetricKind::Counter,
        MetricKind::Gauge,
        MetricKind::Histogram,
        MetricKind::Summary,
        MetricKind::Info,
        MetricKind::StateSet,
    ];

    /// The words for the kind in a sentence: with its article, one, several.
    const fn words(self) -> [&'static str; 3] {
        match self {
            MetricKind::Counter => ["a counter", "counter", "counters"],
            MetricKind::Gauge => ["a gauge", "gauge", "gauges"],
            MetricKind::Histogram => ["a histogram", "histogram", "histograms"],
            MetricKind::Summary => ["a summary", "summary", "summaries"],
            MetricKind::Info => ["an info metric", "info metric", "info metrics"],
            MetricKind::StateSet => ["a state set", "state set", "state sets"],
        }
    }

    /// The kind in a sentence, with its article: "a counter", "an info
    /// metric", "a state set".
    pub const fn with_article(self) -> &'static str {
        self.words()[0]
    }

    /// The words that count the kind: one, several ("summary",
    /// "summaries").
    pub const fn nouns(self) -> (&'static str, &'static str) {
        let [_, one, several] = self.words();
        (one, several)
    }

    /// The suffixes of the samples each series of the kind writes besides
    /// those named as its family (a counter's `_total`, a histogram's
    /// `_bucket`, `_sum` and `_count`), not counting `_created`.
    pub const fn sample_suffixes(self) -> &'static [&'static str] {
        match self {
            MetricKind::Counter => &["_total"],
            MetricKind::Histogram => &["_bucket", "_sum", "_count"],
            MetricKind::Summary => &["_sum", "_count"],
            MetricKind::Gauge | MetricKind::Info | MetricKind::StateSet => &[],
        }
    }

    /// Whether the kind's states are the values of a label named as the
    /// metric: a state set's.
    pub const fn has_state_label(self) -> bool {
        matches!(self, MetricKind::StateSet)
    }

    /// Whether each series of the kind has a `_count` sample, there for
    /// every series: histograms and summaries.
    pub fn has_count(self) -> bool {
        self.sample_suffixes().contains(&"_count")
    }

    /// Whether OpenMetrics can give the kind a `_created` sample: counters,
    /// histograms and summaries.
    pub const fn has_created(self) -> bool {
        matches!(self, MetricKind::Counter | MetricKind::Histogram | MetricKind::Summary)
    }
}

/// Which text exposition a name is rendered for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Prometheus text format 0.0.4: a counter family is named with its `_total`.
    Prometheus,
    /// OpenMetrics 1.0: a counter family is named without `_total`, its samples with it.
    OpenMetrics,
}

/// One label of a metric: its name and the closed set of values it can take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Label {
    /// The label name, e.g. `method`.
    pub name: &'static str,
    /// The allowed values, in index order (empty for a capped label, whose
    /// values are met at run time).
    pub values: &'static [&'static str],
    /// The same values escaped for a quoted label value (`\\`, `\"`, `\n`),
    /// computed when the label type was declared, so encoders copy them as is.
    pub escaped: &'static [&'static str],
    /// Whether the label may be missing, rendered as [`Label::UNKNOWN`] after the
    /// declared values (an `Option<E>` field).
    pub unknown: bool,
    /// For a label bounded only at run time: its cap and the values met so far.
    pub capped: Option<Capped>,
    /// Whether the one value is the program's build's (a `BuildInfo` label:
    /// the compiler, the target, the revision), which the catalogue leaves
    /// out, since it changes with every build and not with the declarations.
    pub build: bool,
    /// The indices of the values that mean a failure (variants marked
    /// `#[label(error)]`): what error ratios count.
    pub errors: &'static [usize],
}

/// A label bounded at run time (e.g. a node id, bounded by the cluster's
/// size): the first `cap` distinct values the program meets take indices
/// `0..cap`, and every later one shares index `cap`, rendered
/// [`Capped::OTHER`].
#[derive(Clone, Copy)]
pub struct Capped {
    /// How many distinct values get a series of their own.
    pub cap: usize,
    /// The table of the values met so far. A function rather than a
    /// reference: a `const` may hold a function pointer on every supported
    /// toolchain, while Rust 1.88 (the minimum) rejects a constant that
    /// holds a reference to a static with interior mutability.
    pub table: fn() -> &'static dyn RuntimeValues,
}

impl Capped {
    /// The value of the series that collects every value beyond the cap.
    pub const OTHER: &'static str = "other";

    /// The values met so far.
    pub fn values(&self) -> &'static dyn RuntimeValues {
        (self.table)()
    }
}

impl core::fmt::Debug for Capped {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Capped").field("cap", &self.cap).finish_non_exhaustive()
    }
}

impl PartialEq for Capped {
    fn eq(&self, other: &Capped) -> bool {
        self.cap == other.cap && core::ptr::addr_eq(self.values(), other.values())
    }
}

/// The values of a capped label, filled in at run time.
pub trait RuntimeValues: Sync {
    /// The value at `index` (below the cap) and its escaped text, once the
    /// program has met it; `None` for an index not yet taken.
    fn get(&self, index: usize) -> Option<(&'static str, &'static str)>;
}

impl Label {
    /// The value rendered for a missing label (`None`).
    pub const UNKNOWN: &'static str = "unknown";

    /// A label with the given values; `escaped` must be the values escaped one
    /// by one (the derive computes it at compile time).
    pub const fn new(
        name: &'static str,
        values: &'static [&'static str],
        escaped: &'static [&'static str],
        unknown: bool,
        capped: Option<Capped>,
    ) -> Label {
        Label { name, values, escaped, unknown, capped, build: false, errors: &[] }
    }

    /// The label under the name `name`.
    #[must_use]
    pub const fn named(self, name: &'static str) -> Label {
        Label { name, ..self }
    }

    /// The label with the values at `errors` marked as failures.
    #[must_use]
    pub const fn with_errors(self, errors: &'static [usize]) -> Label {
        Label { errors, ..self }
    }

    /// The values marked as failures, in order.
    pub fn error_values(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.errors.iter().filter_map(|&i| self.values.get(i).copied())
    }

    /// A label of the program's build (see [`Label::build`]): one value,
    /// which needs no escaping.
    pub const fn of_build(name: &'static str, value: &'static [&'static str]) -> Label {
        Label { name, values: value, escaped: value, unknown: false, capped: None, build: true, errors: &[] }
    }

    /// The number of distinct values, `unknown` included; a capped label
    /// counts its cap and its `other` value.
    pub const fn cardinality(&self) -> usize {
        let values = match &self.capped {
            Some(capped) => capped.cap.saturating_add(1),
            None => self.values.len(),
        };
        values.saturating_add(self.unknown as usize)
    }

    /// The value at `index`, as declared (or as met, for a capped label; an
    /// index a capped label has not taken yet is the empty string).
    pub fn value(&self, index: usize) -> &'static str {
        self.text(index).0
    }

    /// The value at `index`, escaped for a quoted label value.
    #[inline]
    pub fn escaped_value(&self, index: usize) -> &'static str {
        match &self.capped {
            None => self.escaped.get(index).copied().unwrap_or(Label::UNKNOWN),
            Some(_) => self.text(index).1,
        }
    }

    /// Whether value `index` exists: always, except for the indices of a
    /// capped label that no value has taken yet (their series are not
    /// exposed).
    #[inline]
    pub fn has_value(&self, index: usize) -> bool {
        match &self.capped {
            Some(capped) if index < capped.cap => capped.values().get(index).is_some(),
            _ => true,
        }
    }

    fn text(&self, index: usize) -> (&'static str, &'static str) {
        match &self.capped {
            None => match (self.values.get(index), self.escaped.get(index)) {
                (Some(value), Some(escaped)) => (value, escaped),
                _ => (Label::UNKNOWN, Label::UNKNOWN),
            },
            Some(capped) if index < capped.cap => capped.values().get(index).unwrap_or(("", "")),
            Some(capped) if index == capped.cap => (Capped::OTHER, Capped::OTHER),
            Some(_) => (Label::UNKNOWN, Label::UNKNOWN),
        }
    }
}

/// Where a metric was declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    /// The file, as `file!()` gives it.
    pub file: &'static str,
    /// The line of the declaring field.
    pub line: u32,
    /// The column of the declaring field.
    pub column: u32,
    /// The module path of the declaration, as `module_path!()` gives it.
    pub module_path: &'static str,
    /// For metrics that `#[instrument_metric]` declares, the function whose
    /// calls they record: its module path and name, e.g. `app::scheduler::reconcile`.
    pub function: Option<&'static str>,
}

impl core::fmt::Display for Source {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Why a metric is deprecated and what replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deprecation {
    /// Why the metric is going away.
    pub reason: &'static str,
    /// The full name of the metric that replaces it, if any.
    pub replacement: Option<&'static str>,
}

/// The Prometheus client libraries' default histogram buckets, in seconds.
pub const DEFAULT_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The quantiles a summary reports when its declaration lists none.
pub const DEFAULT_QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];

/// The window of a summary when its declaration does not say: ten minutes
/// in five age buckets, as the Prometheus client libraries default to.
pub const DEFAULT_MAX_AGE_SECONDS: u64 = 600;

/// The number of age buckets of a summary's window by default.
pub const DEFAULT_AGE_BUCKETS: u32 = 5;

/// How a summary reports: which quantiles, over which sliding window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SummarySpec {
    /// The quantiles, each in (0, 1), strictly increasing.
    pub quantiles: &'static [f64],
    /// The window: observations older than this no longer count in the
    /// quantiles (`_sum` and `_count` count every observation).
    pub max_age_seconds: u64,
    /// The window moves in this many steps of `max_age_seconds /
    /// age_buckets` each.
    pub age_buckets: u32,
}

/// Everything known about one declared metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Descriptor {
    /// The full exposed name: namespace, subsystem and field name, e.g.
    /// `trc_http_requests_total`. Counters carry their `_total` here.
    pub name: &'static str,
    /// The help text (the field's doc comment).
    pub help: &'static str,
    /// The metric type.
    pub kind: MetricKind,
    /// The base unit (`seconds`, `bytes`, ...), present only when the family
    /// name ends with it.
    pub unit: Option<&'static str>,
    /// The labels, in the order they are rendered.
    pub labels: &'static [Label],
    /// The finite upper bounds of a histogram's buckets (`+Inf` is implicit);
    /// empty for other kinds.
    pub buckets: &'static [f64],
    /// The subsystem the metric was declared under (empty if none), used to
    /// group the catalogue.
    pub subsystem: &'static str,
    /// The semantic version of the metric's schema.
    pub version: &'static str,
    /// Present when the metric is deprecated.
    pub deprecation: Option<Deprecation>,
    /// Whether the metric is quiet: of its labeled series, only those that
    /// have been recorded to are exposed (`#[metric(quiet)]`, or a label set
    /// quiet by default without `#[metric(quiet = false)]`). A metric
    /// without labels always exposes its one series.
    pub quiet: bool,
    /// Where the metric was declared.
    pub source: Source,
    /// For a summary: its quantiles and window.
    pub summary: Option<SummarySpec>,
    /// Whether the metric's series carry exemplars (an `ExemplarCounter` or
    /// `ExemplarHistogram`), written in OpenMetrics only.
    pub exemplars: bool,
    /// Whether OpenMetrics writes the `_created` sample of the metric's
    /// series (`#[metric(created)]`; counters, histograms and summaries).
    pub created: bool,
    /// The alerts declared on the metric (`#[alert(..)]`).
    pub alerts: &'static [crate::alert::Alert],
}

impl Descriptor {
    /// A descriptor of `name` with every other part at its default: no unit,
    /// labels, buckets or subsystem, version 1.0.0, neither deprecated nor
    /// quiet, no summary, exemplars, `_created` samples or alerts. A `const
    /// fn`, for `static` descriptors written by hand; set the other parts with
    /// struct update syntax.
    ///
    /// ```
    /// use metricate_spec::{Descriptor, MetricKind, Source};
    ///
    /// const SOURCE: Source = Source { file: "src/jobs.rs", line: 3, column: 5, module_path: "app::jobs", function: None };
    /// static WAITING: Descriptor = Descriptor {
    ///     subsystem: "jobs",
    ///     ..Descriptor::new("trc_jobs_waiting", "Jobs waiting to run.", MetricKind::Gauge, SOURCE)
    /// };
    /// assert_eq!(WAITING.version, "1.0.0");
    /// assert_eq!(WAITING.series_count(), 1);
    /// ```
    pub const fn new(name: &'static str, help: &'static str, kind: MetricKind, source: Source) -> Descriptor {
        Descriptor {
            name,
            help,
            kind,
            unit: None,
            labels: &[],
            buckets: &[],
            subsystem: "",
            version: "1.0.0",
            deprecation: None,
            quiet: false,
            source,
            summary: None,
            exemplars: false,
            created: false,
            alerts: &[],
        }
    }

    /// Whether any label is capped (bounded at run time), so that some series
    /// may not exist yet: see [`Descriptor::series_exists`].
    pub fn has_capped_labels(&self) -> bool {
        self.labels.iter().any(|label| label.capped.is_some())
    }

    /// Whether series `index` exists: false when a capped label's value in it
    /// has not been met yet. Encoders skip such series.
    pub fn series_exists(&self, index: usize) -> bool {
        self.labels
            .iter()
            .enumerate()
            .all(|(position, label)| label.has_value(value_index(self.labels, index, position)))
    }

    /// Whether an exposition leaves out the series of this metric that
    /// nothing has recorded to: when the metric is [quiet](Descriptor::quiet),
    /// or the exposition makes every family quiet (`all_quiet`), and the
    /// metric has labels.
    pub const fn hides_untouched(&self, all_quiet: bool) -> bool {
        (self.quiet || all_quiet) && !self.labels.is_empty()
    }

    /// The number of series: the product of the label cardinalities,
    /// saturating at `usize::MAX` instead of overflowing.
    pub const fn series_count(&self) -> usize {
        let mut count: usize = 1;
        let mut i = 0;
        while i < self.labels.len() {
            count = count.saturating_mul(self.labels[i].cardinality());
            i += 1;
        }
        count
    }

    /// The family name in the given flavor: OpenMetrics names a counter
    /// family without its `_total` suffix.
    pub fn family_name(&self, flavor: Flavor) -> &'static str {
        match (flavor, self.kind) {
            (Flavor::OpenMetrics, MetricKind::Counter) => self.name.strip_suffix("_total").unwrap_or(self.name),
            (Flavor::OpenMetrics, MetricKind::Info) => self.name.strip_suffix("_info").unwrap_or(self.name),
            _ => self.name,
        }
    }

    /// Every name this metric occupies in either exposition: see
    /// [`exposed_names`].
    pub fn exposed_names(&self) -> Vec<String> {
        exposed_names(self.name, self.kind)
    }
}

/// The index of the value of label `position` in series `index` of a metric
/// with `labels`: a series index is the mixed-radix number of its labels'
/// value indices, the first label most significant (a label without values
/// counts as one value). The one decoding of a series index, for the
/// encoders, snapshots and [`Descriptor::series_exists`].
///
/// ```
/// use metricate_spec::{Label, value_index};
///
/// static LABELS: [Label; 2] = [
///     Label::new("method", &["get", "post"], &["get", "post"], false, None),
///     Label::new("status", &["2xx", "4xx", "5xx"], &["2xx", "4xx", "5xx"], false, None),
/// ];
/// // Series 4 is (post, 4xx): 1 * 3 + 1.
/// assert_eq!((value_index(&LABELS, 4, 0), value_index(&LABELS, 4, 1)), (1, 1));
/// ```
#[inline]
pub fn value_index(labels: &[Label], index: usize, position: usize) -> usize {
    let stride = labels[position + 1..].iter().fold(1usize, |stride, l| stride.saturating_mul(l.cardinality().max(1)));
    (index / stride) % labels[position].cardinality().max(1)
}

/// Every name a metric called `name` of kind `kind` occupies in either
/// exposition: its family names and the names of the series it generates
/// (`_bucket`, `_sum`, `_count` for histograms). Two metrics that share any of
/// these collide.
pub fn exposed_names(name: &str, kind: MetricKind) -> Vec<String> {
    let mut names = vec![name.to_owned()];
    let family = match kind {
        MetricKind::Counter => name.strip_suffix("_total").unwrap_or(name),
        MetricKind::Info => name.strip_suffix("_info").unwrap_or(name),
        _ => name,
    };
    if family != name {
        names.push(family.to_owned());
    }
    // A counter declared without `_total` still writes its OpenMetrics
    // samples with it; a counter with it has it in its name already.
    for suffix in kind.sample_suffixes() {
        let name = if kind == MetricKind::Counter { family } else { name };
        let sample = format!("{name}{suffix}");
        if !names.contains(&sample) {
            names.push(sample);
        }
    }
    if kind.has_created() {
        names.push(format!("{family}_created"));
    }
    names
}
