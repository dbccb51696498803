//! Typed, compile-time-checked metrics.
//!
//! Declare metrics as Rust types; the derive macros check their names and
//! labels at compile time, give them `static` storage, and register them. The
//! record path is an array index and one atomic operation. The registry
//! encodes everything as Prometheus text or OpenMetrics.
//!
//! ```
//! use metricate::encode::Format;
//! use metricate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics, Registry};
//!
//! #[derive(Clone, Copy, LabelValue)]
//! enum Method { Get, Post }
//!
//! #[derive(Clone, Copy, LabelSet)]
//! struct Request { method: Method }
//!
//! /// The HTTP front end.
//! #[derive(Metrics)]
//! #[metrics(subsystem = "http")]
//! struct Http {
//!     /// HTTP requests handled.
//!     requests_total: Family<Request, Counter>,
//!     /// Time to handle a request.
//!     #[metric(buckets = [0.1, 1.0])]
//!     request_duration_seconds: Histogram,
//! }
//!
//! // The registered instance: a constant address, no lookup.
//! Http::global().requests_total.with(Request { method: Method::Get }).inc();
//!
//! // An unregistered instance, encoded through a registry of its own.
//! let http = Http::new_unregistered();
//! http.requests_total.with(Request { method: Method::Post }).inc_by(2);
//! http.request_duration_seconds.observe(0.25);
//! let mut registry = Registry::new();
//! registry.register_group(&http).unwrap();
//! let mut out = Vec::new();
//! Format::Prometheus.encode(&registry, &mut out);
//! assert_eq!(String::from_utf8(out).unwrap(), "\
//! ## HELP metrics_http_request_duration_seconds Time to handle a request.
//! ## TYPE metrics_http_request_duration_seconds histogram
//! metrics_http_request_duration_seconds_bucket{le=\"0.1\"} 0
//! metrics_http_request_duration_seconds_bucket{le=\"1.0\"} 1
//! metrics_http_request_duration_seconds_bucket{le=\"+Inf\"} 1
//! metrics_http_request_duration_seconds_sum 0.25
//! metrics_http_request_duration_seconds_count 1
//! ## HELP metrics_http_requests_total HTTP requests handled.
//! ## TYPE metrics_http_requests_total counter
//! metrics_http_requests_total{method=\"get\"} 0
//! metrics_http_requests_total{method=\"post\"} 2
//! ");
//! ```
//!
//! (The namespace, `metrics` here, comes from the crate's policy in its
//! manifest: `[package.metadata.metrics] namespace = "..."`.)
//!
//! # The policy
//!
//! The namespace, extra forbidden labels and limits are set once per crate,
//! in `[package.metadata.metrics]` of its `Cargo.toml`, over the
//! `[workspace.metadata.metrics]` of the nearest manifest above it that has
//! one. `namespace` is required: without one the derives fail to compile,
//! saying which manifests they read; `namespace = ""` gives names without a
//! prefix. Builds that do not compile a crate from its Cargo workspace (Bazel,
//! Buck, trybuild with the target dir elsewhere) name the manifest that holds
//! the policy in the environment variable `METRICS_POLICY_MANIFEST` (a
//! relative path is resolved against the compiler's working directory). It
//! stands in for the crate's own manifest unless that one has a
//! `[package.metadata.metrics]`: a crate that states its own policy, like this
//! one, keeps it. Cargo tracks the manifests read and the variable, and
//! rebuilds when they change. The README's "Policy" paragraph has the keys.
//!
//! Beyond the derives: [`instrument_metric`] times and counts a function's
//! calls; [`capped_label!`] declares a label bounded at run time;
//! [`ShardedCounter`] is a counter for series many threads hit; the
//! `server` module (feature `server`) serves `/metrics`, `/catalog.json`,
//! `/health`, live updates on `/stream` and the pages `/`, `/catalog` and
//! `/live`, and the `stream` module gives the same live updates in the
//! process; the `export` module (feature `export`) delivers them to
//! collectors at a cadence (the Pushgateway, `node_exporter`'s textfile
//! collector, StatsD; remote-write and OTLP with the features
//! `remote-write` and `otlp`) and has a direct StatsD client; the `http` module
//! (feature `tower`) is a tower layer recording
//! the standard HTTP server metrics of an axum, hyper or tonic service; the
//! `docs` module (feature `docs`) keeps a committed catalogue in sync from a
//! test; the [`testing`] module reads metrics in tests, and with the feature
//! `test-scope` gives each test metrics of its own.
//!
//! # Two versions in one program
//!
//! When semver-incompatible versions of this crate end up in one program,
//! each submits itself to `metricate-abi`, a crate every version shares (its
//! API never breaks). The [`global()`] registry of whichever version serves
//! a scrape writes the other versions' metrics after its own, and fails to
//! build, naming both versions, when a metric name is exposed under two of
//! them ([`RegistryError::versions`]). Only scrapes join the versions:
//! snapshots, the push sinks, the stream and `/catalog.json` are each
//! version's own.
#![deny(missing_docs)]

// Generated code names `::metricate`; this lets the runtime declare its
// own metrics with its own derive.
extern crate self as metricate;

/// Declares a public unit struct that is an error with one message: it
/// derives `Clone, Copy, Debug, PartialEq, Eq` and displays as `$message`.
macro_rules! unit_error {
    ($(#[$doc:meta])* $name:ident, $message:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name;

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($message)
            }
        }

        impl std::error::Error for $name {}
    };
}

#[cfg(loom)]
#[doc(hidden)]
pub mod __loom;
pub mod build;
mod constant;
#[cfg(feature = "docs")]
pub mod docs;
pub mod encode;
#[cfg(feature = "export")]
pub mod export;
#[cfg(feature = "tower")]
pub mod http;
pub mod instrument;
mod label;
mod metric;
#[cfg(any(feature = "tls", feature = "export"))]
mod pem;
mod process;
mod registry;
mod self_metrics;
#[cfg(feature = "server")]
pub mod server;
mod snapshot;
#[cfg(feature = "server")]
pub mod stream;
mod sync;
pub mod testing;
mod versions;

#[doc(hidden)]
pub mod __private;

pub use constant::{ConstantLabelError, ConstantLabels, process_constant_labels, set_constant_labels};
pub use label::{CappedLabel, CappedTable, LabelSet, LabelValue, MAX_CAPPED_VALUE_LEN};
pub use metric::{
    AlreadyRegistered, BuildInfo, COUNTER_SHARDS, CallbackCounter, CallbackGauge, Collect, Counter, Exemplar,
    ExemplarCounter, ExemplarCounterRef, ExemplarHistogram, ExemplarHistogramRef, ExemplarLabels, ExemplarSource,
    ExemplarTimer, Family, FloatCounter, Gauge, Histogram, HistogramRef, HistogramSnapshot, HistogramTimer, Info,
    IntGauge, Metric, MetricField, MetricGroup, SeriesVisitor, ShardedCounter, SourceAlreadySet, StateSet, Summary,
    SummaryRef, SummaryTimer, Value, set_exemplar_source,
};
pub use metric::{exemplar, summary};
pub use metricate_spec::{Capped, Descriptor, Label, MetricKind, Source};

pub use registry::{
    AlreadyBuilt, Collision, Registered, Registry, RegistryError, VersionCollision, global, register_global,
};
pub use self_metrics::is_runtime_metric;
pub use snapshot::{FamilySnapshot, HistogramValue, OwnedValue, SeriesSnapshot, Snapshot, SnapshotView};

/// Derives a registered group of metrics from a struct whose fields are
/// metrics.
///
/// | attribute | where | meaning |
/// |---|---|---|
/// | `#[metrics(subsystem = "http")]` | struct | the part of every name between the namespace and the field name |
/// | `#[metrics(crate = "path")]` | struct | the path of this crate, for crates that re-export it |
/// | `#[metrics(function = "name")]` | struct | the function whose calls the metrics record (set by [`instrument_metric`]); the descriptors' `source.function` |
/// | `#[metric(help = "...")]` | field | help text, instead of the doc comment |
/// | `#[metric(unit = "seconds")]` | field | the unit; by default read from the name's suffix |
/// | `#[metric(buckets = [0.1, 0.5, 1.0])]` | histogram field | finite bucket bounds; the Prometheus defaults otherwise |
/// | `#[metric(max_series = 5000)]` | field | raises this metric's series limit, up to the policy's ceiling |
/// | `#[metric(name = "trc_legacy_total")]` | field | the full name, instead of the one built from the field (e.g. to keep an existing name) |
/// | `#[metric(version = "1.2.0")]` | field | the metric's semver version (`1.0.0` by default), checked at compile time |
/// | `#[metric(deprecated = "why", replacement = "trc_new_total")]` | field | deprecates the metric: its HELP text, the catalogue and the diff say why and what to use instead |
/// | `#[metric(quiet)]` | labeled field | exposes only the label combinations recorded to, instead of every one from the first scrape (see [`encode`](crate::encode#quiet-families)); `quiet = false` exposes every one even when the label set is quiet by default ([`LabelSet::QUIET`]) |
/// | `#[alert(name = "..", <condition>, for = "5m", severity = "warning", summary = "..", runbook = "..")]` | field, any number | an alert on the metric, in its descriptor's `alerts` (see below) |
///
/// An alert's condition is one of `error_ratio = 0.05` (a labeled counter:
/// the share of its rate whose label has the values its enum marks
/// `#[label(error)]`, or those listed in `errors = [Enum::Variant, ..]`),
/// `quantile = 0.99, above = 2.5` (a histogram), `above = ..` or `below =
/// ..` (a gauge, series by series), or `absent` (any metric). `window` (the
/// rate's range, default `5m`, at least `1m`), `for` (default `5m`) and
/// `severity` (`critical`, `warning` or `info`; default `warning`) are
/// optional; `name` and `summary` are required. The rules A1–A5 check them at
/// compile time, and rustc checks the `errors` paths; `catalog rules` turns
/// them into Prometheus rules.
///
/// The full name is the policy's namespace, the subsystem and the field name,
/// joined by `_`; the user writes counters' `_total`. Help text is the field's
/// doc comment. Every name follows the rules N1–N7 and D1 (see the README):
/// a violation is a compile error at the field, with the rule id, a note and
/// the fix.
///
/// Outputs: `Type::global() -> &'static Type` (the registered instance, in
/// `static` storage; with the feature `test-scope`, inside a
/// [`testing::Scope`](crate::testing) the scope's own instance),
/// `Type::new_unregistered() -> Type` (for tests, cells on the heap), and an
/// impl of [`MetricGroup`].
///
/// ```
/// use metricate::{Counter, Histogram, IntGauge, Metrics};
///
/// /// The job-queue worker.
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_worker")]
/// struct Worker {
///     /// Jobs taken from the queue.
///     jobs_total: Counter,
///     /// Jobs being worked on.
///     jobs_in_progress: IntGauge,
///     /// Time to finish a job.
///     #[metric(buckets = [0.1, 1.0, 10.0])]
///     job_duration_seconds: Histogram,
///     /// Bytes of job payloads read.
///     #[metric(version = "1.1.0")]
///     payload_bytes_total: Counter,
///     /// Jobs waiting in the queue.
///     #[alert(name = "DocQueueBacklog", above = 1000.0, for = "15m", summary = "More than 1000 jobs wait")]
///     queue_depth: IntGauge,
/// }
///
/// assert_eq!(Worker::QUEUE_DEPTH.alerts[0].name, "DocQueueBacklog");
/// let worker = Worker::global(); // `metrics_doc_worker_jobs_total`, ...
/// worker.jobs_total.inc();
/// worker.jobs_in_progress.inc();
/// worker.job_duration_seconds.observe(0.3);
/// worker.jobs_in_progress.dec();
/// assert_eq!(worker.jobs_total.get(), 1);
/// ```
pub use metricate_derive::Metrics;

/// Derives [`LabelValue`] for an enum: one value per variant, named after
/// it. A variant may carry fields; they are ignored (the value is the
/// variant, whatever the fields hold), so that an error enum with data is
/// the `reason` of [`instrument_metric`] as it is: `reason = FetchError`.
/// The derive also makes the enum its own reason
/// ([`instrument::ErrorReason`] maps an error to another enum).
///
/// | attribute | where | meaning |
/// |---|---|---|
/// | `#[label(rename_all = "snake_case")]` | enum | how variant names become values: `snake_case` (default), `kebab-case`, `SCREAMING_SNAKE_CASE`, `SCREAMING-KEBAB-CASE`, `lowercase`, `UPPERCASE`, `camelCase`, `PascalCase` |
/// | `#[label(rename = "...")]` | variant | this variant's value |
/// | `#[label(error)]` | variant | the value means a failure: error ratios and `error_ratio` alerts count it ([`LabelValue::ERRORS`]) |
/// | `#[label(crate = "path")]` | enum | the path of this crate, for re-exporters |
///
/// ```
/// use metricate::LabelValue;
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Reason { NoCapacityMemory, #[label(rename = "ipam")] IpamExhausted }
///
/// assert_eq!(Reason::CARDINALITY, 2);
/// assert_eq!(Reason::NoCapacityMemory.as_str(), "no_capacity_memory");
/// assert_eq!(Reason::IpamExhausted.as_str(), "ipam");
///
/// // An error with data: a value per variant, the fields ignored.
/// #[derive(Debug, LabelValue)]
/// enum FetchError { Timeout { after_ms: u64 }, Status(u16), Closed }
///
/// assert_eq!(FetchError::VALUES, ["timeout", "status", "closed"]);
/// assert_eq!(FetchError::Status(503).as_str(), "status");
/// ```
pub use metricate_derive::LabelValue;

/// Derives [`LabelSet`] for a struct of label values; the label names are the
/// field names, and an `Option<E>` field renders `unknown` for `None`.
///
/// ```
/// use metricate::{LabelSet, LabelValue};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Method { Get, Post }
/// #[derive(Clone, Copy, LabelValue)]
/// enum Status { Ok, Error }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct Request { method: Method, status: Option<Status> }
///
/// assert_eq!(Request::CARDINALITY, 6);
/// assert_eq!(Request { method: Method::Post, status: None }.index(), 5);
/// assert!(!Request::QUIET);
///
/// // Many combinations, few of which happen: every family over this set is
/// // quiet (exposes only what was recorded) unless its field says
/// // `#[metric(quiet = false)]`.
/// #[derive(Clone, Copy, LabelSet)]
/// #[label(quiet)]
/// struct Sparse { method: Method, status: Status }
///
/// assert!(Sparse::QUIET);
/// ```
///
/// | attribute | effect |
/// |---|---|
/// | `#[label(quiet)]` | families over the set are quiet by default ([`LabelSet::QUIET`]) |
/// | `#[label(crate = "path")]` | the path of this crate, for re-exporters |
pub use metricate_derive::LabelSet;

/// Records calls of a function: how many, how long, and how each ended,
/// without changing its signature.
///
/// ```
/// use metricate::instrument_metric;
///
/// #[derive(Debug)]
/// struct Conflict;
///
/// /// Appends a batch of events to the log.
/// #[instrument_metric(subsystem = "events")]
/// fn append(batch: &[u8]) -> Result<usize, Conflict> {
///     if batch.is_empty() { Err(Conflict) } else { Ok(batch.len()) }
/// }
///
/// assert_eq!(append(b"abc").unwrap(), 3);
/// assert!(append(b"").is_err());
/// let registry = metricate::global().unwrap();
/// let calls = |result| registry.series("metrics_events_append_total", &[("result", result)]).unwrap();
/// assert_eq!(calls("ok").value().as_f64(), 1.0);
/// assert_eq!(calls("error").value().as_f64(), 1.0);
/// ```
///
/// **Declared metrics.** Without `duration`/`count`, the attribute declares
/// `<namespace>_<subsystem>_<name>_total{result}` (a counter) and
/// `<namespace>_<subsystem>_<name>_duration_seconds{result}` (a histogram,
/// seconds as `f64` from a monotonic clock), named by the same rules and
/// policy as [`Metrics`](derive@Metrics), with the same compile errors. Help
/// text is the function's doc comment. `result` is `ok` or `error` (see
/// [`instrument::Classify`]), `panic` when the call unwinds, and, for an
/// `async fn` or a function returning `impl Future`, `cancelled` when its
/// future is dropped before it completes: a synchronous function's `result`
/// has no `cancelled` value ([`instrument::BySyncOutcome`]).
///
/// | argument | meaning |
/// |---|---|
/// | `subsystem = "scheduler"` | the subsystem of the names |
/// | `name = "reconcile"` | the name between subsystem and suffix; the function's name by default |
/// | `help = "..."` | help text, instead of the doc comment |
/// | `buckets = [0.01, 0.1, 1.0]` | the duration histogram's bounds |
/// | `in_flight` | also a gauge `<name>_in_flight` of calls in progress |
/// | `reason = MyError` | also `<name>_errors_total{reason}`: each error's variant, when the error type derives [`LabelValue`](derive@LabelValue) (its variants' fields are ignored); `reason = ErrorKind` labels it by the error's [`instrument::ErrorReason<ErrorKind>`] |
/// | `classify = path::to::fn` | a `fn(&Output) -> Outcome` deciding `ok`/`error` instead of [`instrument::Classify`] |
/// | `metrics = AppendMetrics` | declares the metrics as a struct `AppendMetrics` next to the function, for typed handles (below) |
///
/// **Typed handles.** By default the metrics are declared inside the
/// function, where nothing else can name them. With `metrics = Name` on a
/// free function, they are a `#[derive(Metrics)]` struct `Name` next to it,
/// with the function's visibility: `Name::global()` has the fields
/// `calls_total` and `duration_seconds` (families labeled
/// [`instrument::BySyncOutcome`], or [`instrument::ByOutcome`] for a
/// function that returns a future), `in_flight` and `errors_total` (labeled
/// by `NameReason::new(&reason)`) when asked, and `Name::CALLS_TOTAL` and its
/// siblings describe them. A method's `impl` cannot hold a struct: a method
/// records into a struct of its own with `duration`/`count` instead.
///
/// ```
/// use metricate::instrument::BySyncOutcome;
/// use metricate::instrument_metric;
///
/// /// Appends a batch of events to the log.
/// #[instrument_metric(subsystem = "log", metrics = AppendMetrics)]
/// fn append(batch: &[u8]) -> usize {
///     batch.len()
/// }
///
/// append(b"abc");
/// assert_eq!(AppendMetrics::global().calls_total.with(BySyncOutcome::OK).get(), 1);
/// assert_eq!(AppendMetrics::CALLS_TOTAL.name, "metrics_log_append_total");
/// ```
///
/// Either way the attribute appends a `# Metrics` section to the function's
/// rustdoc: each metric it records, with its name, type and labels, and the
/// handles.
///
/// **Recording into declared metrics.** With `duration = <expr>` (a
/// `Histogram` or `Family<L, Histogram>`) and/or `count = <expr>` (a `Counter`
/// or `Family<L, Counter>`), the call records into metrics a
/// `#[derive(Metrics)]` struct declares, so one catalogue entry serves both:
///
/// ```ignore
/// #[instrument_metric(
///     duration = Projections::global().apply_duration_seconds,
///     labels = ByProjection { projection: self.kind },
/// )]
/// fn apply(&mut self, event: &Event) -> Result<(), ApplyError> { .. }
/// ```
///
/// `labels` is a value of the targets' label set; its field values are
/// evaluated when the call starts, and one field takes how the call ended (an
/// [`instrument::Outcome`], or any type with `From<Outcome>`; with `classify
/// = f`, `f(&output)` gives it): the field written `result`, or the field
/// that `outcome = field` names, written alone:
///
/// ```ignore
/// #[instrument_metric(
///     count = Http::global().requests_total,
///     labels = Request { method, status },   // `method` is the parameter
///     outcome = status,                      // `status`: how the call ended
/// )]
/// fn handle(method: Method) -> Result<Response, HandlerError> { .. }
/// ```
///
/// An `outcome` field that also has a value, is also a parameter's name, or
/// is not in `labels`, and a second field written `result` beside it, are
/// compile errors at the token. `in_flight = <IntGauge>` counts calls in
/// progress.
///
/// Works on free functions, methods, associated and generic functions, `async
/// fn` (also in traits), and functions returning `impl Future`; the
/// signature, visibility, attributes and docs are kept as written. The body
/// runs in a closure (or an async block), so `return` and `?` behave as
/// written. No allocation, no boxed future: a call costs two clock reads and
/// the record path of its metrics. A method's or generic function's metrics
/// live in statics inside its body: one set per function, shared by all
/// instantiations. `const fn`, `extern` and variadic functions are rejected.
pub use metricate_derive::instrument_metric;
