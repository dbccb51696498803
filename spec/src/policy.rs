//! The crate-wide naming policy: set once in the manifest
//! (`[package.metadata.metrics]` or `[workspace.metadata.metrics]`), read by
//! the derive macros at expansion time through `metricate_spec::manifest` (feature
//! `manifest`).

/// Default maximum number of labels per metric.
pub const DEFAULT_MAX_LABELS: usize = 10;
/// Default maximum number of series per metric, unless the metric raises its
/// own limit.
pub const DEFAULT_MAX_SERIES: usize = 1_000;
/// Default hard ceiling a metric may raise its own series limit to.
pub const DEFAULT_SERIES_CEILING: usize = 100_000;

/// The naming and cardinality policy of a crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The namespace every metric name starts with, without the trailing `_`
    /// (e.g. `trc`); empty for none (`namespace = ""` in the manifest).
    pub namespace: String,
    /// Label names forbidden in addition to the built-in list.
    pub forbidden_labels: Vec<String>,
    /// The maximum number of labels per metric.
    pub max_labels: usize,
    /// The maximum number of series per metric.
    pub max_series: usize,
    /// The highest series limit a metric may declare for itself.
    pub series_ceiling: usize,
    /// The committed JSON catalogue whose labels and values the rustdoc of
    /// each metric lists inline (`rustdoc_catalog = "METRICS.json"`, relative
    /// to the manifest that says it): the derive sees a family's label set
    /// only by name, the catalogue has its labels and values. Not a rule:
    /// nothing is checked against it.
    pub rustdoc_catalog: Option<std::path::PathBuf>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            namespace: String::new(),
            forbidden_labels: Vec::new(),
            max_labels: DEFAULT_MAX_LABELS,
            max_series: DEFAULT_MAX_SERIES,
            series_ceiling: DEFAULT_SERIES_CEILING,
            rustdoc_catalog: None,
        }
    }
}

impl Policy {
    /// Assembles a full metric name: namespace, subsystem and the field
    /// name, joined by `_`, skipping the empty parts.
    ///
    /// ```
    /// let policy = metricate_spec::Policy { namespace: "trc".into(), ..Default::default() };
    /// assert_eq!(policy.full_name("http", "requests_total"), "trc_http_requests_total");
    /// assert_eq!(policy.full_name("", "events_table_rows"), "trc_events_table_rows");
    /// ```
    pub fn full_name(&self, subsystem: &str, name: &str) -> String {
        [self.namespace.as_str(), subsystem, name]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("_")
    }
}
