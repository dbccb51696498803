//! The schema shared by the whole workspace: the one [`Descriptor`] model of a
//! declared metric, the crate-wide naming [`Policy`], and the escaping rules of
//! the text expositions.
//!
//! This core (the descriptor, the policy, the [`rules`], escaping) has no
//! dependencies, so the proc macros can use it at expansion time and the
//! runtime at run time: both read the same descriptor and apply the same
//! rules. The tools sit on top of it behind features, which the proc macros
//! leave off: the policy's reader of `Cargo.toml` (`manifest`), the parser
//! of expositions (`exposition`), the JSON catalogue with render, diff and
//! check (`json`), and the `catalog` command (`cli`).
//!
//! ```
//! use metricate_catalog::{Descriptor, Label, MetricKind, Source};
//!
//! static METHOD: Label = Label::new("method", &["get", "post"], &["get", "post"], false, None);
//! static REQUESTS: Descriptor = Descriptor {
//!     name: "trc_http_requests_total",
//!     help: "HTTP requests handled.",
//!     kind: MetricKind::Counter,
//!     unit: None,
//!     labels: &[METHOD],
//!     buckets: &[],
//!     subsystem: "http",
//!     version: "1.0.0",
//!     deprecation: None,
//!     quiet: false,
//!     source: Source { file: "src/http.rs", line: 12, column: 5, module_path: "app::http", function: None },
//!     summary: None, exemplars: false, created: false, alerts: &[],
//! };
//!
//! assert_eq!(REQUESTS.series_count(), 2);
//! assert_eq!(REQUESTS.family_name(metricate_catalog::Flavor::OpenMetrics), "trc_http_requests");
//! assert_eq!(REQUESTS.family_name(metricate_catalog::Flavor::Prometheus), "trc_http_requests_total");
//! ```
#![deny(missing_docs)]

pub mod alert;
#[cfg(feature = "json")]
pub mod alerting;
#[cfg(feature = "json")]
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "json")]
pub mod dashboard;
mod descriptor;
#[cfg(feature = "json")]
pub mod diff;
pub mod escape;
#[cfg(feature = "exposition")]
pub mod exposition;
#[cfg(feature = "golden")]
pub mod golden;
#[cfg(feature = "json")]
pub mod json;
#[cfg(feature = "manifest")]
pub mod manifest;
mod policy;
#[cfg(feature = "json")]
pub mod render;
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
