//! The JSON catalogue: every metric of a program with its name, type, unit,
//! help, labels and their allowed values, buckets, version, deprecation and
//! source location. A running program serves it on `/catalog.json`; the
//! catalogue tools read it from there or from a saved file.
//!
//! ```
//! use metricate_catalog::{Descriptor, Label, MetricKind, Source};
//! use metricate_catalog::json::Catalog;
//!
//! static METHOD: [Label; 1] = [Label::new("method", &["get", "post"], &["get", "post"], false, None)];
//! static HTTP: Descriptor = Descriptor {
//!     labels: &METHOD,
//!     subsystem: "http",
//!     ..Descriptor::new(
//!         "trc_http_requests_total",
//!         "HTTP requests handled.",
//!         MetricKind::Counter,
//!         Source { file: "src/http.rs", line: 12, column: 5, module_path: "app::http", function: None },
//!     )
//! };
//!
//! let catalog = Catalog::from_descriptors([&HTTP]);
//! let text = catalog.to_json();
//! assert!(text.contains(r#""name": "trc_http_requests_total""#));
//! assert_eq!(Catalog::from_json(&text).unwrap(), catalog);
//! ```
//!
//! # Schema, version 1
//!
//! ```text
//! {
//!   "schema": "metrics-catalog",         always this string
//!   "schema_version": 1,                 this document's version; readers refuse a newer one
//!   "metrics": [                         sorted by name
//!     {
//!       "name": "trc_http_requests_total",
//!       "type": "counter",               "counter" | "gauge" | "histogram" | "summary" | "info" | "stateset"
//!       "unit": null,                    or "seconds", "bytes", ...
//!       "help": "HTTP requests handled.",
//!       "subsystem": "http",             "" when none
//!       "labels": [
//!         {
//!           "name": "method",
//!           "values": ["get", "post"],   the allowed values, in order
//!           "unknown": false,            whether "unknown" (a missing value) may also appear
//!           "cap": null,                 for a label bounded at run time: its cap ("values" is empty;
//!                                        values beyond the cap are "other")
//!           "errors": ["500"]            the values that mean a failure (`#[label(error)]`); absent: none
//!         }
//!       ],
//!       "buckets": [],                   a histogram's finite upper bounds (+Inf is implicit)
//!       "series": 2,                     the product of the label cardinalities
//!       "version": "1.0.0",              the metric's semver version
//!       "deprecated": null,              or {"reason": "...", "replacement": "trc_..." | null}
//!       "quiet": false,                  true: only the labeled series recorded to are exposed
//!                                        (absent from older documents: false)
//!       "source": {
//!         "file": "src/http.rs", "line": 12, "column": 5,
//!         "module": "app::http",
//!         "function": null               the instrumented function, for `#[instrument_metric]`
//!       },
//!       "alerts": [                      absent when the metric declares none
//!         {
//!           "name": "ApiErrorRatioHigh",
//!           "condition": "error_ratio",  "error_ratio" | "quantile" | "value" | "absent"
//!           "label": "status",           error_ratio: the label, and
//!           "errors": ["500", "503"],      the values of it that count as failures
//!           "quantile": 0.99,            quantile: the quantile (absent otherwise)
//!           "op": ">",                   ">" or "<" ("" for absent)
//!           "threshold": 0.05,           in the metric's unit; a ratio for error_ratio
//!           "window_seconds": 300,       the range of rates and quantiles (0 for value, absent)
//!           "for_seconds": 600,
//!           "severity": "critical",      "critical" | "warning" | "info"
//!           "summary": "...",
//!           "runbook": "..."             Markdown
//!         }
//!       ]
//!     }
//!   ]
//! }
//! ```
//!
//! Version 1 readers ignore fields they do not know, so adding a field keeps
//! the version; removing or changing one bumps it.

use serde::{Deserialize, Serialize};

use crate::{Descriptor, MetricKind};

/// The value of the `schema` field.
pub const SCHEMA: &str = "metrics-catalog";
/// The schema version this module writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A catalogue document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// [`SCHEMA_VERSION`] when written by this version.
    pub schema_version: u32,
    /// The metrics, sorted by name.
    pub metrics: Vec<Metric>,
}

/// One metric of a catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The full name, e.g. `trc_http_requests_total`.
    pub name: String,
    /// The type, written as its `# TYPE` word: `counter`, `gauge`,
    /// `histogram`, `summary`, `info` or `stateset` (any other word is an
    /// error of [`Catalog::from_json`]).
    #[serde(rename = "type")]
    pub kind: MetricKind,
    /// The unit, when it has one.
    pub unit: Option<String>,
    /// The help text.
    pub help: String,
    /// The subsystem (`""` when none).
    #[serde(default)]
    pub subsystem: String,
    /// The labels, in order.
    pub labels: Vec<MetricLabel>,
    /// A histogram's finite bucket bounds.
    #[serde(default)]
    pub buckets: Vec<f64>,
    /// A summary's quantiles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantiles: Vec<f64>,
    /// A summary's window, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_seconds: Option<u64>,
    /// The number of steps a summary's window moves in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_buckets: Option<u32>,
    /// Whether the series carry exemplars (OpenMetrics).
    #[serde(default, skip_serializing_if = "is_false")]
    pub exemplars: bool,
    /// Whether OpenMetrics writes the series' `_created` sample.
    #[serde(default, skip_serializing_if = "is_false")]
    pub created: bool,
    /// The number of series: the product of the label cardinalities.
    pub series: u64,
    /// The metric's semver version.
    pub version: String,
    /// Set when the metric is deprecated.
    pub deprecated: Option<Deprecated>,
    /// Whether only the series recorded to are exposed (see
    /// [`Descriptor::quiet`]).
    #[serde(default)]
    pub quiet: bool,
    /// Where it is declared.
    pub source: MetricSource,
    /// The alerts declared on the metric, in declaration order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<Alert>,
}

// `skip_serializing_if` takes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(value: &bool) -> bool {
    !*value
}

/// One label of a metric.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricLabel {
    /// The label name.
    pub name: String,
    /// The allowed values, in order (empty for a capped label).
    pub values: Vec<String>,
    /// Whether `unknown` (a missing value) may also appear.
    #[serde(default)]
    pub unknown: bool,
    /// For a label bounded at run time, its cap.
    #[serde(default)]
    pub cap: Option<u64>,
    /// Whether the value is the build's (the compiler, the target, the
    /// revision of a build info metric): left out of `values`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub build: bool,
    /// The values that mean a failure (variants marked `#[label(error)]`),
    /// in the order of `values`: what error ratios count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// An alert declared on a metric (`#[alert(..)]`): what it watches, when it
/// fires, and what an operator reads when it does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The alert's name, in `UpperCamelCase`, unique in the program.
    pub name: String,
    /// What it watches: `error_ratio`, `quantile`, `value` or `absent`.
    pub condition: String,
    /// For `error_ratio`: the label whose values tell failures from the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// For `error_ratio`: the values of `label` that count as failures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// For `quantile`: the quantile watched, in (0, 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantile: Option<f64>,
    /// `>` (fires above the threshold) or `<` (below); empty for `absent`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub op: String,
    /// The threshold, in the metric's unit (a ratio in [0, 1] for
    /// `error_ratio`); `None` for `absent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// The range rates and quantiles are computed over, in seconds (`0` for
    /// `value` and `absent`, which read the latest sample).
    #[serde(default)]
    pub window_seconds: u64,
    /// How long the condition must hold before the alert fires, in seconds.
    pub for_seconds: u64,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    /// One line: what is wrong.
    pub summary: String,
    /// What it means and what to do: the runbook's text (Markdown).
    #[serde(default)]
    pub runbook: String,
}

/// Why a metric is deprecated and what replaces it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deprecated {
    /// Why.
    pub reason: String,
    /// The metric to use instead.
    pub replacement: Option<String>,
}

/// Where a metric is declared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricSource {
    /// The file, as `file!()` gives it.
    pub file: String,
    /// The line.
    pub line: u32,
    /// The column.
    pub column: u32,
    /// The module path.
    pub module: String,
    /// The instrumented function, for `#[instrument_metric]`.
    #[serde(default)]
    pub function: Option<String>,
}

/// Why a document is not a catalogue this version reads.
#[derive(Debug)]
pub enum Error {
    /// Not JSON, or not the shape of a catalogue.
    Json(serde_json::Error),
    /// Another kind of document.
    Schema(String),
    /// A newer schema version than [`SCHEMA_VERSION`].
    Version(u32),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Json(error) => write!(f, "not a metrics catalogue: {error}"),
            Error::Schema(schema) => write!(f, "not a metrics catalogue: `schema` is {schema:?}, not {SCHEMA:?}"),
            Error::Version(version) => {
                write!(f, "catalogue schema version {version} is newer than this reader's ({SCHEMA_VERSION})")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Json(error) => Some(error),
            _ => None,
        }
    }
}

impl Catalog {
    /// The catalogue of these descriptors, sorted by name.
    pub fn from_descriptors<'d>(descriptors: impl IntoIterator<Item = &'d Descriptor>) -> Catalog {
        let mut metrics: Vec<Metric> = descriptors.into_iter().map(Metric::from_descriptor).collect();
        metrics.sort_by(|a, b| a.name.cmp(&b.name));
        Catalog { schema: SCHEMA.to_owned(), schema_version: SCHEMA_VERSION, metrics }
    }

    /// The document, pretty-printed, with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a catalogue always serialises"); // invariant: plain data, string keys
        text.push('\n');
        text
    }

    /// Reads a document, refusing another schema or a newer version.
    pub fn from_json(text: &str) -> Result<Catalog, Error> {
        let catalog: Catalog = serde_json::from_str(text).map_err(Error::Json)?;
        if catalog.schema != SCHEMA {
            return Err(Error::Schema(catalog.schema));
        }
        if catalog.schema_version > SCHEMA_VERSION {
            return Err(Error::Version(catalog.schema_version));
        }
        Ok(catalog)
    }

    /// The metric with this name.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

impl Alert {
    /// The catalogue entry of an alert declared on a metric with `labels`
    /// (an error ratio that lists no values counts those its label marks).
    pub fn from_descriptor(alert: &crate::alert::Alert, labels: &[crate::Label]) -> Alert {
        use crate::alert::{Comparison, Condition};
        let mut entry = Alert {
            name: alert.name.to_owned(),
            condition: alert.condition.as_str().to_owned(),
            label: None,
            errors: Vec::new(),
            quantile: None,
            op: String::new(),
            threshold: None,
            window_seconds: alert.window_seconds,
            for_seconds: alert.for_seconds,
            severity: alert.severity.as_str().to_owned(),
            summary: alert.summary.to_owned(),
            runbook: alert.runbook.to_owned(),
        };
        let (comparison, threshold) = match alert.condition {
            Condition::ErrorRatio { label, errors, above } => {
                entry.label = Some(label.to_owned());
                entry.errors = if errors.is_empty() {
                    labels
                        .iter()
                        .filter(|l| l.name == label)
                        .flat_map(crate::Label::error_values)
                        .map(str::to_owned)
                        .collect()
                } else {
                    errors.iter().map(|e| (*e).to_owned()).collect()
                };
                (Some(Comparison::Above), Some(above))
            }
            Condition::Quantile { quantile, above } => {
                entry.quantile = Some(quantile);
                (Some(Comparison::Above), Some(above))
            }
            Condition::Value { comparison, threshold } => {
                entry.window_seconds = 0;
                (Some(comparison), Some(threshold))
            }
            Condition::Absent => {
                entry.window_seconds = 0;
                (None, None)
            }
        };
        entry.op = comparison.map(|c| c.operator().to_owned()).unwrap_or_default();
        entry.threshold = threshold;
        entry
    }
}

impl Metric {
    /// A state set's label: the one named after the metric, whose values are
    /// the states. `None` for other kinds.
    pub fn state_label(&self) -> Option<&MetricLabel> {
        if self.kind.has_state_label() { self.labels.iter().find(|l| l.name == self.name) } else { None }
    }

    /// The labels a metric's series are told apart by: all but a state
    /// set's state label.
    pub fn series_labels(&self) -> impl Iterator<Item = &MetricLabel> {
        let state = self.state_label().map(|l| l.name.as_str());
        self.labels.iter().filter(move |l| Some(l.name.as_str()) != state)
    }

    /// The series that is there for every label combination the metric
    /// exposes, which `absent` and label-value lookups read: a histogram's or
    /// summary's `_count`, the metric's own name otherwise.
    pub fn presence_series(&self) -> String {
        if self.kind.has_count() { format!("{}_count", self.name) } else { self.name.clone() }
    }

    /// The catalogue entry of a descriptor.
    pub fn from_descriptor(d: &Descriptor) -> Metric {
        Metric {
            name: d.name.to_owned(),
            kind: d.kind,
            unit: d.unit.map(str::to_owned),
            help: d.help.to_owned(),
            subsystem: d.subsystem.to_owned(),
            labels: d
                .labels
                .iter()
                .map(|l| MetricLabel {
                    name: l.name.to_owned(),
                    values: if l.build { Vec::new() } else { l.values.iter().map(|v| (*v).to_owned()).collect() },
                    unknown: l.unknown,
                    cap: l.capped.map(|c| c.cap as u64),
                    build: l.build,
                    errors: l.error_values().map(str::to_owned).collect(),
                })
                .collect(),
            buckets: if d.kind == MetricKind::Histogram { d.buckets.to_vec() } else { Vec::new() },
            quantiles: d.summary.map(|s| s.quantiles.to_vec()).unwrap_or_default(),
            max_age_seconds: d.summary.map(|s| s.max_age_seconds),
            age_buckets: d.summary.map(|s| s.age_buckets),
            exemplars: d.exemplars,
            created: d.created,
            alerts: d.alerts.iter().map(|a| Alert::from_descriptor(a, d.labels)).collect(),
            series: d.series_count() as u64,
            version: d.version.to_owned(),
            deprecated: d.deprecation.map(|dep| Deprecated {
                reason: dep.reason.to_owned(),
                replacement: dep.replacement.map(str::to_owned),
            }),
            quiet: d.quiet,
            source: MetricSource {
                file: d.source.file.to_owned(),
                line: d.source.line,
                column: d.source.column,
                module: d.source.module_path.to_owned(),
                function: d.source.function.map(str::to_owned),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = r#"{
        "schema": "metrics-catalog",
        "schema_version": 1,
        "metrics": [{
            "name": "trc_io_seconds", "type": "histogram", "unit": "seconds", "help": "I/O time.",
            "labels": [{"name": "node_id", "values": [], "cap": 64, "future_field": true}],
            "buckets": [0.1, 1.0], "series": 65, "version": "1.2.0",
            "deprecated": {"reason": "split by device", "replacement": "trc_disk_io_seconds"},
            "source": {"file": "src/io.rs", "line": 3, "column": 5, "module": "app::io"}
        }]
    }"#;

    #[test]
    fn reads_a_document_and_ignores_unknown_fields() {
        let catalog = Catalog::from_json(DOCUMENT).unwrap();
        let metric = catalog.metric("trc_io_seconds").unwrap();
        assert_eq!(metric.kind, MetricKind::Histogram);
        assert_eq!(metric.subsystem, "");
        assert_eq!(metric.labels[0].cap, Some(64));
        assert!(!metric.labels[0].unknown);
        assert_eq!(metric.deprecated.as_ref().unwrap().replacement.as_deref(), Some("trc_disk_io_seconds"));
        assert_eq!(metric.source.function, None);
        assert!(!metric.quiet);
        assert_eq!(Catalog::from_json(&catalog.to_json()).unwrap(), catalog);
    }

    #[test]
    fn refuses_other_documents() {
        let other = DOCUMENT.replace("\"metrics-catalog\"", "\"something-else\"");
        assert!(matches!(Catalog::from_json(&other), Err(Error::Schema(s)) if s == "something-else"));
        let newer = DOCUMENT.replace("\"schema_version\": 1", "\"schema_version\": 2");
        let error = Catalog::from_json(&newer).unwrap_err();
        assert_eq!(error.to_string(), "catalogue schema version 2 is newer than this reader's (1)");
        let broken = Catalog::from_json("{\"schema\": ").unwrap_err();
        assert!(broken.to_string().starts_with("not a metrics catalogue: EOF while parsing"), "{broken}");
    }

    #[test]
    fn a_type_is_one_of_the_model_s_kinds() {
        let catalog = Catalog::from_json(DOCUMENT).unwrap();
        assert_eq!(catalog.metrics[0].kind, MetricKind::Histogram);
        assert!(catalog.to_json().contains("\"type\": \"histogram\""), "{}", catalog.to_json());
        // A word the model has no kind for is an error that names it and the
        // words there are, not a metric the tools would guess at.
        let unknown = DOCUMENT.replace("\"type\": \"histogram\"", "\"type\": \"gaugehistogram\"");
        let error = Catalog::from_json(&unknown).unwrap_err().to_string();
        assert!(
            error.contains(
                "unknown metric type `gaugehistogram`: expected one of `counter`, `gauge`, `histogram`, `summary`, \
                 `info`, `stateset`"
            ),
            "{error}"
        );
    }
}
