//! The metric model shared by the whole of metricate: the one [`Descriptor`]
//! of a declared metric, the crate-wide naming [`Policy`] (and, with feature
//! `manifest`, its reader of `Cargo.toml`), the naming, labelling and
//! lifecycle [`rules`], one function each, and the [`escape`]s of the text
//! expositions.
//!
//! It has no dependencies (the manifest reader adds a TOML parser), so the
//! derive macros use it at expansion time and the runtime at run time: both
//! read the same descriptor and apply the same rules. The catalogue tools
//! (`metricate-catalog`: the exposition parser, the JSON catalogue, render,
//! diff, check and the `catalog` command) sit on top of it and re-export it.
//!
//! ```
//! use metricate_spec::{Descriptor, Flavor, Label, MetricKind, Policy, Source, rules};
//!
//! static METHOD: Label = Label::new("method", &["get", "post"], &["get", "post"], false, None);
//! static REQUESTS: Descriptor = Descriptor {
//!     labels: &[METHOD],
//!     subsystem: "http",
//!     ..Descriptor::new(
//!         "trc_http_requests_total",
//!         "HTTP requests handled.",
//!         MetricKind::Counter,
//!         Source { file: "src/http.rs", line: 12, column: 5, module_path: "app::http", function: None },
//!     )
//! };
//!
//! assert_eq!(REQUESTS.series_count(), 2);
//! assert_eq!(REQUESTS.family_name(Flavor::OpenMetrics), "trc_http_requests");
//! assert_eq!(REQUESTS.family_name(Flavor::Prometheus), "trc_http_requests_total");
//! // The rules the derive applies to a declaration, as functions.
//! assert!(rules::check_metric_name(REQUESTS.name, REQUESTS.kind, REQUESTS.unit, &Policy::default()).is_empty());
//! ```
#![deny(missing_docs)]

pub mod alert;
mod descriptor;
pub mod escape;
#[cfg(feature = "manifest")]
pub mod manifest;
mod policy;
pub mod rules;
pub mod version;

pub use descriptor::{
    Capped, DEFAULT_AGE_BUCKETS, DEFAULT_BUCKETS, DEFAULT_MAX_AGE_SECONDS, DEFAULT_QUANTILES, Deprecation, Descriptor,
    Flavor, Label, MetricKind, RuntimeValues, Source, SummarySpec, exposed_names, value_index,
};
pub use policy::{DEFAULT_MAX_LABELS, DEFAULT_MAX_SERIES, DEFAULT_SERIES_CEILING, Policy};

/// The prefix of the metrics runtime's own metrics (`metrics_export_scrapes_total`
/// and the others the `metricate` runtime declares about itself): its policy's
/// namespace `metrics` and its subsystem `export`, the same in every program,
/// whatever the program's own namespace. `catalog check` accepts it for N2
/// beside the namespaces it is given.
pub const RUNTIME_PREFIX: &str = "metrics_export_";

/// The standard process metrics, under the names every Prometheus client
/// gives them (the `metricate` runtime registers them on Linux): the
/// documented exception to N2, which `catalog check` accepts whatever the
/// namespaces.
pub const PROCESS_METRICS: [&str; 7] = [
    "process_cpu_seconds_total",
    "process_max_fds",
    "process_open_fds",
    "process_resident_memory_bytes",
    "process_start_time_seconds",
    "process_threads",
    "process_virtual_memory_bytes",
];

/// The README's example, run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExample;
