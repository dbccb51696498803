//! The catalogue tools of metricate, on top of its metric model
//! ([`metricate_spec`], re-exported here whole): the parser of Prometheus
//! text and OpenMetrics expositions (`exposition`), the JSON catalogue with
//! its render, diff, check, alerting rules and dashboards (`json`), the
//! committed-file comparison of generated files (`golden`) and the `catalog`
//! command (`cli`).
//!
//! The model (the descriptor, the policy, the rules, escaping) is its own
//! crate so that the derive macros compile none of the tools; what this crate
//! adds is behind features.
//!
//! ```
//! use metricate_catalog::{Descriptor, Label, MetricKind, Source};
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
//! assert_eq!(REQUESTS.family_name(metricate_catalog::Flavor::OpenMetrics), "trc_http_requests");
//! assert_eq!(REQUESTS.family_name(metricate_catalog::Flavor::Prometheus), "trc_http_requests_total");
//! ```
#![deny(missing_docs)]

#[cfg(feature = "json")]
pub mod alerting;
#[cfg(feature = "json")]
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "json")]
pub mod dashboard;
#[cfg(feature = "json")]
pub mod diff;
#[cfg(feature = "exposition")]
pub mod exposition;
#[cfg(feature = "golden")]
pub mod golden;
#[cfg(feature = "json")]
pub mod json;
#[cfg(feature = "json")]
pub mod render;

pub use metricate_spec::*;
