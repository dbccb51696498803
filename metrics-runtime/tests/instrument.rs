//! `#[instrument_metric]` on every supported form of function, checked
//! through the global registry's snapshot: counts per result, histogram count
//! and sum, `panic`, `cancelled`, `reason`, in-flight gauges, recording into
//! declared metrics, names and help text, and registration of metrics
//! declared inside methods, trait impls and generic functions.
//!
//! Every test calls functions of its own, so the counts it reads are its own
//! although tests run in parallel.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::{Context, Waker};
use std::time::Duration;

use metricate::instrument::{ErrorReason, Outcome};
use metricate::{
    Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics, OwnedValue, SeriesSnapshot, instrument_metric,
};

// ---------------------------------------------------------------------------
// Reading the global registry.

fn series(name: &str, labels: &[(&str, &str)]) -> Option<SeriesSnapshot> {
    metricate::global().expect("the global registry builds").series(name, labels)
}

/// A counter's or gauge's value; 0 for a series that does not exist.
fn value(name: &str, labels: &[(&str, &str)]) -> f64 {
    series(name, labels).map_or(0.0, |s| s.value().as_f64())
}

/// A histogram series' (count, sum).
fn histogram(name: &str, labels: &[(&str, &str)]) -> (u64, f64) {
    match series(name, labels).map(|s| s.value().clone()) {
        Some(OwnedValue::Histogram { count, sum, .. }) => (count, sum),
        other => panic!("{name}{labels:?} is not a histogram: {other:?}"),
    }
}

fn calls(function: &str, result: &str) -> f64 {
    value(&format!("metrics_inst_{function}_total"), &[("result", result)])
}

fn durations(function: &str, result: &str) -> (u64, f64) {
    histogram(&format!("metrics_inst_{function}_duration_seconds"), &[("result", result)])
}

// ---------------------------------------------------------------------------
// Free functions: results, aliases, early returns, `?`, panics.

#[derive(Debug, PartialEq)]
struct ParseError;

type ParseResult<T> = Result<T, ParseError>;

/// Parses a port number.
#[instrument_metric(subsystem = "inst")]
fn parse_port(text: &str) -> ParseResult<u16> {
    if text.is_empty() {
        return Err(ParseError);
    }
    let port = text.parse::<u16>().map_err(|_| ParseError)?;
    Ok(port)
}

/// Sleeps, so that its duration is known to be at least 5 ms.
#[instrument_metric(subsystem = "inst")]
fn sleep_briefly() {
    std::thread::sleep(Duration::from_millis(5));
}

/// Panics when asked to.
#[instrument_metric(subsystem = "inst")]
fn maybe_panic(panic: bool) -> u8 {
    assert!(!panic, "asked to panic");
    7
}

#[test]
fn results_of_a_free_function() {
    assert_eq!(parse_port("8080"), Ok(8080));
    assert_eq!(parse_port("443"), Ok(443));
    assert_eq!(parse_port(""), Err(ParseError));
    assert_eq!(parse_port("http"), Err(ParseError));
    assert_eq!(parse_port("99999"), Err(ParseError));
    assert_eq!(calls("parse_port", "ok"), 2.0);
    assert_eq!(calls("parse_port", "error"), 3.0);
    assert_eq!(calls("parse_port", "panic"), 0.0);
    let (count, sum) = durations("parse_port", "error");
    assert_eq!(count, 3);
    assert!((0.0..1.0).contains(&sum), "{sum}");
}

#[test]
fn durations_are_seconds_from_a_monotonic_clock() {
    sleep_briefly();
    sleep_briefly();
    assert_eq!(calls("sleep_briefly", "ok"), 2.0);
    let (count, sum) = durations("sleep_briefly", "ok");
    assert_eq!(count, 2);
    assert!((0.010..5.0).contains(&sum), "two sleeps of 5 ms took {sum} s");
}

#[test]
fn a_panic_is_recorded_and_still_unwinds() {
    assert_eq!(maybe_panic(false), 7);
    let unwound = catch_unwind(|| maybe_panic(true));
    assert!(unwound.is_err());
    assert_eq!(calls("maybe_panic", "ok"), 1.0);
    assert_eq!(calls("maybe_panic", "panic"), 1.0);
    assert_eq!(durations("maybe_panic", "panic").0, 1);
}

// ---------------------------------------------------------------------------
// Methods, associated functions, generic functions, trait impls.

struct Cache {
    entries: Vec<String>,
}

impl Cache {
    /// Creates an empty cache.
    #[instrument_metric(subsystem = "inst")]
    fn create() -> Cache {
        Cache { entries: Vec::new() }
    }

    /// Looks an entry up.
    #[instrument_metric(subsystem = "inst")]
    fn lookup(&self, key: &str) -> Option<&String> {
        self.entries.iter().find(|e| *e == key)
    }

    /// Inserts an entry and returns it.
    #[instrument_metric(subsystem = "inst")]
    fn insert(&mut self, key: &str) -> &mut String {
        self.entries.push(key.to_owned());
        self.entries.last_mut().expect("just pushed")
    }

    /// Consumes the cache.
    #[instrument_metric(subsystem = "inst")]
    fn into_len(self) -> usize {
        self.entries.len()
    }
}

/// Sums anything iterable over integers.
#[instrument_metric(subsystem = "inst")]
fn sum_all<'a, I>(values: I) -> u64
where
    I: IntoIterator<Item = &'a u32>,
{
    values.into_iter().map(|v| u64::from(*v)).sum()
}

trait Shape {
    fn area(&self) -> f64;
}

struct Square(f64);
struct Circle(f64);

impl Shape for Square {
    /// The area of a square.
    #[instrument_metric(subsystem = "inst", name = "square_area")]
    fn area(&self) -> f64 {
        self.0 * self.0
    }
}

impl Shape for Circle {
    /// The area of a circle.
    #[instrument_metric(subsystem = "inst", name = "circle_area")]
    fn area(&self) -> f64 {
        std::f64::consts::PI * self.0 * self.0
    }
}

#[test]
fn methods_and_associated_functions() {
    let mut cache = Cache::create();
    cache.insert("a").push('!');
    assert_eq!(cache.lookup("a!").map(String::as_str), Some("a!"));
    assert_eq!(cache.lookup("b"), None);
    assert_eq!(cache.into_len(), 1);
    assert_eq!(calls("create", "ok"), 1.0);
    assert_eq!(calls("insert", "ok"), 1.0);
    assert_eq!(calls("lookup", "ok"), 2.0, "an `Option` is not classified: `None` is ok");
    assert_eq!(calls("into_len", "ok"), 1.0);
}

#[test]
fn a_generic_function_has_one_metric_for_all_instantiations() {
    assert_eq!(sum_all(&[1, 2, 3]), 6);
    assert_eq!(sum_all([4u32, 5].iter()), 9);
    assert_eq!(sum_all(std::iter::once(&7)), 7);
    assert_eq!(calls("sum_all", "ok"), 3.0);
}

#[test]
fn trait_impls_are_instrumented() {
    let shapes: [&dyn Shape; 3] = [&Square(2.0), &Circle(1.0), &Square(3.0)];
    let areas: Vec<f64> = shapes.iter().map(|s| s.area()).collect();
    assert_eq!(areas[0], 4.0);
    assert_eq!(calls("square_area", "ok"), 2.0);
    assert_eq!(calls("circle_area", "ok"), 1.0);
}

#[test]
fn metrics_declared_inside_functions_are_registered() {
    let registry = metricate::global().expect("the global registry builds");
    for (name, function) in [
        ("metrics_inst_lookup_total", "lookup"),
        ("metrics_inst_sum_all_duration_seconds", "sum_all"),
        ("metrics_inst_square_area_total", "area"),
        ("metrics_inst_fetch_total", "fetch"),
    ] {
        let entry = registry.get(name).unwrap_or_else(|| panic!("{name} is registered"));
        let source = entry.descriptor.source;
        assert_eq!(source.file, file!());
        assert!(source.function.unwrap().ends_with(&format!("::{function}")), "{:?}", source.function);
        assert!(source.function.unwrap().starts_with(source.module_path));
    }
    // The source points at the function's name.
    let lookup = registry.get("metrics_inst_lookup_total").unwrap().descriptor;
    assert_eq!(lookup.help, "Calls of `lookup`, by result. Looks an entry up.");
    let text = include_str!("instrument.rs");
    let line = text.lines().nth(lookup.source.line as usize - 1).unwrap();
    assert!(line.contains("fn lookup("), "{line}");
    assert_eq!(&line[lookup.source.column as usize - 1..][..6], "lookup");
}

/// No subsystem: `metrics_<function>_total`.
#[instrument_metric]
fn unprefixed() {}

#[instrument_metric(subsystem = "inst", help = "Help from the attribute.")]
fn helped() {}

#[test]
fn names_without_a_subsystem_and_help_from_the_attribute() {
    unprefixed();
    helped();
    assert_eq!(value("metrics_unprefixed_total", &[("result", "ok")]), 1.0);
    let registry = metricate::global().expect("the global registry builds");
    let help = registry.get("metrics_inst_helped_total").expect("registered").descriptor.help;
    assert_eq!(help, "Calls of `helped`, by result. Help from the attribute.");
    // `name` replaces the function's name: nothing is named after `area`.
    assert!(registry.get("metrics_inst_square_area_total").is_some());
    assert!(registry.get("metrics_inst_area_total").is_none());
}

/// Only a future can be dropped before it completes: the `result` label of a
/// synchronous function has no `cancelled`, that of an `async fn` or a
/// function returning `impl Future` has.
#[test]
fn only_futures_can_be_cancelled() {
    let registry = metricate::global().expect("the global registry builds");
    let values = |name: &str| {
        let descriptor = registry.get(name).unwrap_or_else(|| panic!("{name} is registered")).descriptor;
        assert_eq!(descriptor.labels.len(), 1, "{name}");
        assert_eq!(descriptor.labels[0].name, "result");
        descriptor.labels[0].values.to_vec()
    };
    for sync in ["metrics_inst_parse_port", "metrics_inst_lookup", "metrics_inst_sum_all"] {
        assert_eq!(values(&format!("{sync}_total")), ["ok", "error", "panic"]);
        assert_eq!(values(&format!("{sync}_duration_seconds")), ["ok", "error", "panic"]);
    }
    for cancellable in ["metrics_inst_fetch", "metrics_inst_deferred"] {
        assert_eq!(values(&format!("{cancellable}_total")), ["ok", "error", "panic", "cancelled"]);
        assert_eq!(values(&format!("{cancellable}_duration_seconds")), ["ok", "error", "panic", "cancelled"]);
    }
    // Three series, three lines in a scrape.
    let snapshot = registry.snapshot(|d| d.name == "metrics_inst_parse_port_total");
    assert_eq!(snapshot.families()[0].series().len(), 3);
}

// ---------------------------------------------------------------------------
// `metrics = Name`: the declared metrics as a struct next to the function.

/// Resizes an image, by name.
#[instrument_metric(subsystem = "inst", metrics = ResizeMetrics, in_flight, reason = FetchError, buckets = [0.5, 1.0])]
fn resize(status: u16) -> Result<u32, FetchError> {
    assert_eq!(ResizeMetrics::global().in_flight.get(), 1, "in flight while running");
    fetch_page(status).map(|n| n as u32)
}

/// Uploads, asynchronously.
#[instrument_metric(subsystem = "inst", metrics = UploadMetrics)]
async fn upload(fail: bool) -> Result<(), Timeout> {
    tokio::task::yield_now().await;
    if fail { Err(Timeout) } else { Ok(()) }
}

#[test]
fn typed_handles_of_the_declared_metrics() {
    use metricate::instrument::{ByOutcome, BySyncOutcome};

    let resize_metrics = ResizeMetrics::global();
    assert_eq!(resize(200).unwrap(), 512);
    resize(404).unwrap_err();
    resize(0).unwrap_err();
    resize(503).unwrap_err();
    assert_eq!(resize_metrics.calls_total.with(BySyncOutcome::OK).get(), 1);
    assert_eq!(resize_metrics.calls_total.with(BySyncOutcome::ERROR).get(), 3);
    assert_eq!(resize_metrics.duration_seconds.with(BySyncOutcome::ERROR).count(), 3);
    assert_eq!(resize_metrics.in_flight.get(), 0);
    let timeout = ResizeMetricsReason::new(&FetchError::Timeout { after_ms: 0 });
    assert_eq!(resize_metrics.errors_total.with(timeout).get(), 1);
    assert_eq!(resize_metrics.errors_total.with(ResizeMetricsReason::new(&FetchError::Status(0))).get(), 2);
    // The handles are the registered metrics, described by the struct's constants.
    assert_eq!(ResizeMetrics::CALLS_TOTAL.name, "metrics_inst_resize_total");
    assert_eq!(ResizeMetrics::CALLS_TOTAL.subsystem, "inst", "the catalogue groups it by its subsystem");
    assert_eq!(ResizeMetrics::DURATION_SECONDS.buckets, [0.5, 1.0]);
    assert_eq!(ResizeMetrics::ERRORS_TOTAL.labels[0].values, ["timeout", "status", "tls"]);
    assert_eq!(ResizeMetrics::CALLS_TOTAL.labels[0].values, ["ok", "error", "panic"]);
    assert_eq!(calls("resize", "error"), 3.0);
    assert!(ResizeMetrics::CALLS_TOTAL.source.function.unwrap().ends_with("::resize"));

    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(upload(false)).unwrap();
    runtime.block_on(upload(true)).unwrap_err();
    drop(Box::pin(upload(false)));
    let upload_metrics = UploadMetrics::global();
    assert_eq!(upload_metrics.calls_total.with(ByOutcome::OK).get(), 1);
    assert_eq!(upload_metrics.calls_total.with(ByOutcome::ERROR).get(), 1);
    assert_eq!(UploadMetrics::CALLS_TOTAL.labels[0].values, ["ok", "error", "panic", "cancelled"]);
}

// ---------------------------------------------------------------------------
// Async: `async fn`, `impl Future`, async fn in traits, cancellation, panics.

#[derive(Debug)]
struct Timeout;

/// Waits, then answers.
#[instrument_metric(subsystem = "inst")]
async fn fetch(delay_ms: u64, fail: bool) -> Result<u32, Timeout> {
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    if fail {
        return Err(Timeout);
    }
    Ok(42)
}

/// Returns a future rather than being `async`.
#[instrument_metric(subsystem = "inst")]
fn deferred(delay_ms: u64, fail: bool) -> impl Future<Output = Result<u32, Timeout>> + Send {
    async move {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        if fail { Err(Timeout) } else { Ok(1) }
    }
}

/// Panics in its second poll.
#[instrument_metric(subsystem = "inst")]
async fn panic_later() -> u32 {
    tokio::task::yield_now().await;
    panic!("second poll")
}

trait Store {
    async fn get(&self, key: u32) -> Result<u32, Timeout>;
}

struct Memory;

impl Store for Memory {
    /// Reads from memory.
    #[instrument_metric(subsystem = "inst", name = "memory_get")]
    async fn get(&self, key: u32) -> Result<u32, Timeout> {
        tokio::task::yield_now().await;
        if key == 0 { Err(Timeout) } else { Ok(key * 2) }
    }
}

#[tokio::test]
async fn async_fn_results_and_cancellation() {
    assert_eq!(fetch(1, false).await.unwrap(), 42);
    assert!(fetch(1, true).await.is_err());
    // Dropped while sleeping: cancelled.
    let timed_out = tokio::time::timeout(Duration::from_millis(5), fetch(10_000, false)).await;
    assert!(timed_out.is_err());
    // Created but never polled: the clock has not started, nothing recorded.
    drop(fetch(1, false));
    assert_eq!(calls("fetch", "ok"), 1.0);
    assert_eq!(calls("fetch", "error"), 1.0);
    assert_eq!(calls("fetch", "cancelled"), 1.0);
    let (count, sum) = durations("fetch", "cancelled");
    assert_eq!(count, 1);
    assert!((0.004..5.0).contains(&sum), "cancelled after about 5 ms, recorded {sum} s");
}

#[tokio::test]
async fn a_function_returning_a_future() {
    assert_eq!(deferred(1, false).await.unwrap(), 1);
    assert!(deferred(1, true).await.is_err());
    // Its clock starts when it is called, so dropping the unpolled future
    // cancels the call.
    drop(deferred(1, false));
    let timed_out = tokio::time::timeout(Duration::from_millis(5), deferred(10_000, false)).await;
    assert!(timed_out.is_err());
    assert_eq!(calls("deferred", "ok"), 1.0);
    assert_eq!(calls("deferred", "error"), 1.0);
    assert_eq!(calls("deferred", "cancelled"), 2.0);
}

#[tokio::test]
async fn a_panic_in_a_later_poll_is_a_panic() {
    let joined = tokio::spawn(panic_later()).await;
    assert!(joined.unwrap_err().is_panic());
    assert_eq!(calls("panic_later", "panic"), 1.0);
    assert_eq!(calls("panic_later", "cancelled"), 0.0);
}

#[tokio::test]
async fn async_fn_in_a_trait_impl() {
    assert_eq!(Memory.get(21).await.unwrap(), 42);
    assert!(Memory.get(0).await.is_err());
    assert_eq!(calls("memory_get", "ok"), 1.0);
    assert_eq!(calls("memory_get", "error"), 1.0);
}

// ---------------------------------------------------------------------------
// `reason`, `classify`, `in_flight`.

/// Why an append failed: a bounded label value.
#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum AppendError {
    Conflict,
    Unavailable,
}

/// Appends unless told to fail.
#[instrument_metric(subsystem = "inst", reason = AppendError)]
fn append(fail: Option<AppendError>) -> Result<(), AppendError> {
    fail.map_or(Ok(()), Err)
}

/// An error that carries data, mapped to a bounded reason.
#[derive(Debug)]
enum IoError {
    NotFound(String),
    Denied { user: u32 },
}

impl ErrorReason<IoErrorKind> for IoError {
    fn reason(&self) -> IoErrorKind {
        match self {
            IoError::NotFound(_) => IoErrorKind::NotFound,
            IoError::Denied { .. } => IoErrorKind::Denied,
        }
    }
}

#[derive(Clone, Copy, LabelValue)]
enum IoErrorKind {
    NotFound,
    Denied,
}

/// Opens a file, or fails with a data-carrying error.
#[instrument_metric(subsystem = "inst", reason = IoErrorKind)]
fn open(path: &str) -> Result<u32, IoError> {
    match path {
        "/secret" => Err(IoError::Denied { user: 7 }),
        "/" => Ok(3),
        other => Err(IoError::NotFound(other.to_owned())),
    }
}

/// A status code: 5xx are errors, everything else is not.
#[allow(clippy::trivially_copy_pass_by_ref, reason = "`classify` functions take the output by reference")]
fn server_error(status: &u16) -> Outcome {
    if *status >= 500 { Outcome::Error } else { Outcome::Ok }
}

/// Answers with a status code.
#[instrument_metric(subsystem = "inst", classify = server_error)]
fn respond(status: u16) -> u16 {
    status
}

/// Holds a call open until told to finish.
#[instrument_metric(subsystem = "inst", in_flight)]
async fn hold(release: tokio::sync::oneshot::Receiver<()>) {
    let _ = release.await;
}

/// An error with data that labels itself: one derive, one value per
/// variant, the fields ignored.
#[derive(Debug, LabelValue)]
enum FetchError {
    Timeout {
        after_ms: u64,
    },
    Status(u16),
    #[label(rename = "tls")]
    Handshake(String),
}

type FetchResult<T> = Result<T, FetchError>;

/// Fetches a page, failing with an error that carries data.
#[instrument_metric(subsystem = "inst", reason = FetchError)]
fn fetch_page(status: u16) -> FetchResult<usize> {
    match status {
        200 => Ok(512),
        0 => Err(FetchError::Timeout { after_ms: 1500 }),
        1 => Err(FetchError::Handshake("bad certificate".to_owned())),
        other => Err(FetchError::Status(other)),
    }
}

/// The same error, labeled in an async function through `?`.
#[instrument_metric(subsystem = "inst", reason = FetchError)]
async fn fetch_twice(first: u16, second: u16) -> Result<usize, FetchError> {
    Ok(fetch_page(first)? + fetch_page(second)?)
}

#[test]
fn an_error_with_data_is_its_own_reason() {
    assert_eq!(fetch_page(200).unwrap(), 512);
    assert!(matches!(fetch_page(404), Err(FetchError::Status(404))));
    assert!(matches!(fetch_page(1), Err(FetchError::Handshake(ref why)) if why == "bad certificate"));
    for status in [503, 0, 500] {
        fetch_page(status).unwrap_err();
    }
    let errors = "metrics_inst_fetch_page_errors_total";
    assert_eq!(value(errors, &[("reason", "status")]), 3.0);
    assert_eq!(value(errors, &[("reason", "timeout")]), 1.0);
    assert_eq!(value(errors, &[("reason", "tls")]), 1.0);
    let registry = metricate::global().unwrap();
    assert_eq!(registry.get(errors).unwrap().descriptor.labels[0].values, ["timeout", "status", "tls"]);

    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert!(matches!(runtime.block_on(fetch_twice(200, 0)), Err(FetchError::Timeout { after_ms: 1500 })));
    assert_eq!(runtime.block_on(fetch_twice(200, 200)).unwrap(), 1024);
    assert_eq!(value("metrics_inst_fetch_twice_errors_total", &[("reason", "timeout")]), 1.0);
    assert_eq!(calls("fetch_twice", "ok"), 1.0);
}

#[test]
fn reason_labels_each_error() {
    append(None).unwrap();
    append(Some(AppendError::Conflict)).unwrap_err();
    append(Some(AppendError::Conflict)).unwrap_err();
    append(Some(AppendError::Unavailable)).unwrap_err();
    assert_eq!(calls("append", "error"), 3.0);
    let errors = "metrics_inst_append_errors_total";
    assert_eq!(value(errors, &[("reason", "conflict")]), 2.0);
    assert_eq!(value(errors, &[("reason", "unavailable")]), 1.0);

    assert_eq!(open("/").unwrap(), 3);
    assert!(matches!(open("/secret"), Err(IoError::Denied { user: 7 })));
    assert!(matches!(open("/missing"), Err(IoError::NotFound(ref p)) if p == "/missing"));
    let errors = "metrics_inst_open_errors_total";
    assert_eq!(value(errors, &[("reason", "not_found")]), 1.0);
    assert_eq!(value(errors, &[("reason", "denied")]), 1.0);
}

#[test]
fn classify_overrides_the_classification() {
    for status in [200, 404, 500, 503] {
        assert_eq!(respond(status), status);
    }
    assert_eq!(calls("respond", "ok"), 2.0);
    assert_eq!(calls("respond", "error"), 2.0);
}

#[tokio::test]
async fn in_flight_counts_calls_in_progress() {
    let gauge = "metrics_inst_hold_in_flight";
    let (release, wait) = tokio::sync::oneshot::channel();
    let call = tokio::spawn(hold(wait));
    while value(gauge, &[]) < 1.0 {
        tokio::task::yield_now().await;
    }
    assert_eq!(value(gauge, &[]), 1.0);
    release.send(()).unwrap();
    call.await.unwrap();
    assert_eq!(value(gauge, &[]), 0.0);
    assert_eq!(calls("hold", "ok"), 1.0);
}

// ---------------------------------------------------------------------------
// Recording into declared metrics.

#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Projection {
    Apps,
    Routes,
}

#[derive(Clone, Copy, LabelSet)]
struct ByProjection {
    projection: Projection,
}

/// A result type of the user's, with a value the attribute's `Outcome` lacks.
#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Commit {
    Ok,
    Conflict,
    Error,
}

impl From<Outcome> for Commit {
    fn from(outcome: Outcome) -> Commit {
        match outcome {
            Outcome::Ok => Commit::Ok,
            Outcome::Error | Outcome::Panic | Outcome::Cancelled => Commit::Error,
        }
    }
}

#[derive(Clone, Copy, LabelSet)]
struct ByCommit {
    projection: Projection,
    result: Commit,
}

#[derive(Clone, Copy, LabelSet)]
struct ByOutcome {
    result: Outcome,
}

#[derive(Metrics)]
#[metrics(subsystem = "declared")]
struct Declared {
    /// Reconcile passes.
    reconcile_runs_total: Counter,
    /// Time of one reconcile pass.
    reconcile_duration_seconds: Histogram,
    /// Time to apply an event, by projection.
    apply_duration_seconds: Family<ByProjection, Histogram>,
    /// Commits, by projection and result.
    commits_total: Family<ByCommit, Counter>,
    /// Time to commit, by projection and result.
    commit_duration_seconds: Family<ByCommit, Histogram>,
    /// Boots, by result.
    boot_seconds: Family<ByOutcome, Histogram>,
    /// Boots in progress.
    boots_in_flight: IntGauge,
    /// Landings.
    landings_total: Counter,
    /// Landings in progress.
    landings_in_flight: IntGauge,
}

struct Worker {
    projection: Projection,
}

fn commit_result(result: &Result<(), String>) -> Commit {
    match result {
        Ok(()) => Commit::Ok,
        Err(e) if e == "conflict" => Commit::Conflict,
        Err(_) => Commit::Error,
    }
}

impl Worker {
    #[instrument_metric(
        duration = Declared::global().reconcile_duration_seconds,
        count = Declared::global().reconcile_runs_total,
    )]
    fn reconcile(&self) -> usize {
        3
    }

    #[instrument_metric(
        duration = Declared::global().apply_duration_seconds,
        labels = ByProjection { projection: self.projection },
    )]
    fn apply(self, event: u32) -> u32 {
        // `self` is moved here; the label was read when the call started.
        let Worker { projection } = self;
        event + projection as u32
    }

    #[instrument_metric(
        duration = Declared::global().commit_duration_seconds,
        count = Declared::global().commits_total,
        labels = ByCommit { projection: self.projection, result },
        classify = commit_result,
    )]
    async fn commit(&mut self, outcome: &str) -> Result<(), String> {
        tokio::task::yield_now().await;
        if outcome == "ok" { Ok(()) } else { Err(outcome.to_owned()) }
    }
}

/// Boots an instance.
#[instrument_metric(
    duration = Declared::global().boot_seconds,
    labels = ByOutcome { result },
    in_flight = Declared::global().boots_in_flight,
)]
fn boot(fail: bool) -> Result<(), ()> {
    if fail { Err(()) } else { Ok(()) }
}

/// Lands, reading its in-flight gauge while the call is in progress.
#[instrument_metric(count = Declared::global().landings_total, in_flight = Declared::global().landings_in_flight)]
fn land() -> i64 {
    Declared::global().landings_in_flight.get()
}

#[test]
fn a_declared_in_flight_gauge_counts_the_call_in_progress() {
    assert_eq!(land(), 1);
    assert_eq!(value("metrics_declared_landings_in_flight", &[]), 0.0);
    assert_eq!(value("metrics_declared_landings_total", &[]), 1.0);
}

#[tokio::test]
async fn recording_into_declared_metrics() {
    let worker = Worker { projection: Projection::Routes };
    assert_eq!(worker.reconcile(), 3);
    assert_eq!(value("metrics_declared_reconcile_runs_total", &[]), 1.0);
    assert_eq!(histogram("metrics_declared_reconcile_duration_seconds", &[]).0, 1);

    assert_eq!(worker.apply(10), 11);
    let apply = "metrics_declared_apply_duration_seconds";
    assert_eq!(histogram(apply, &[("projection", "routes")]).0, 1);
    assert_eq!(histogram(apply, &[("projection", "apps")]).0, 0);

    let mut worker = Worker { projection: Projection::Apps };
    worker.commit("ok").await.unwrap();
    worker.commit("conflict").await.unwrap_err();
    worker.commit("conflict").await.unwrap_err();
    worker.commit("disk full").await.unwrap_err();
    {
        // Polled once (it yields), then dropped: cancelled.
        let mut pending = std::pin::pin!(worker.commit("ok"));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(pending.as_mut().poll(&mut cx).is_pending());
    }
    let commits = "metrics_declared_commits_total";
    assert_eq!(value(commits, &[("projection", "apps"), ("result", "ok")]), 1.0);
    assert_eq!(value(commits, &[("projection", "apps"), ("result", "conflict")]), 2.0);
    // The failed append and the cancelled call (`From<Outcome>`: error).
    assert_eq!(value(commits, &[("projection", "apps"), ("result", "error")]), 2.0);
    let durations = "metrics_declared_commit_duration_seconds";
    assert_eq!(histogram(durations, &[("projection", "apps"), ("result", "conflict")]).0, 2);

    boot(false).unwrap();
    boot(true).unwrap_err();
    assert_eq!(histogram("metrics_declared_boot_seconds", &[("result", "ok")]).0, 1);
    assert_eq!(histogram("metrics_declared_boot_seconds", &[("result", "error")]).0, 1);
    assert_eq!(value("metrics_declared_boots_in_flight", &[]), 0.0);
}

/// The status class of a request: the outcome label under another name.
#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Status {
    #[label(rename = "2xx")]
    Success,
    #[label(rename = "5xx")]
    Failure,
    Aborted,
}

impl From<Outcome> for Status {
    fn from(outcome: Outcome) -> Status {
        match outcome {
            Outcome::Ok => Status::Success,
            Outcome::Error | Outcome::Panic => Status::Failure,
            Outcome::Cancelled => Status::Aborted,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
    status: Status,
}

#[derive(Metrics)]
#[metrics(subsystem = "outcome")]
struct Api {
    /// Requests handled, by method and status class.
    requests_total: Family<Request, Counter>,
    /// Time to handle a request, by method and status class.
    request_duration_seconds: Family<Request, Histogram>,
}

/// Handles a request; `status` takes how the call ended.
#[instrument_metric(
    count = Api::global().requests_total,
    duration = Api::global().request_duration_seconds,
    labels = Request { method, status },
    outcome = status,
)]
fn handle(method: Method, fail: bool) -> Result<(), String> {
    if fail { Err("boom".to_owned()) } else { Ok(()) }
}

/// The same, async, with `result` a parameter (an ordinary value there).
#[instrument_metric(
    count = Api::global().requests_total,
    labels = Request { method: if result { Method::Get } else { Method::Post }, status },
    outcome = status,
)]
async fn handle_later(result: bool) -> Result<(), String> {
    tokio::task::yield_now().await;
    if result { Ok(()) } else { Err("later".to_owned()) }
}

#[test]
fn the_outcome_label_may_have_any_name() {
    handle(Method::Get, false).unwrap();
    handle(Method::Get, true).unwrap_err();
    handle(Method::Post, true).unwrap_err();
    let requests = "metrics_outcome_requests_total";
    assert_eq!(value(requests, &[("method", "get"), ("status", "2xx")]), 1.0);
    assert_eq!(value(requests, &[("method", "get"), ("status", "5xx")]), 1.0);
    assert_eq!(value(requests, &[("method", "post"), ("status", "5xx")]), 1.0);
    let durations = "metrics_outcome_request_duration_seconds";
    assert_eq!(histogram(durations, &[("method", "post"), ("status", "5xx")]).0, 1);

    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(handle_later(true)).unwrap();
    runtime.block_on(handle_later(false)).unwrap_err();
    {
        let mut pending = std::pin::pin!(handle_later(true));
        assert!(pending.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
    }
    assert_eq!(value(requests, &[("method", "get"), ("status", "2xx")]), 2.0);
    assert_eq!(value(requests, &[("method", "post"), ("status", "5xx")]), 2.0);
    assert_eq!(value(requests, &[("method", "get"), ("status", "aborted")]), 1.0);
}

#[test]
fn recording_a_panic_into_declared_metrics() {
    /// Boots, and panics.
    #[instrument_metric(duration = Declared::global().boot_seconds, labels = ByOutcome { result })]
    fn boot_panics() {
        panic!("boot failed");
    }
    let before = histogram("metrics_declared_boot_seconds", &[("result", "panic")]).0;
    assert!(catch_unwind(AssertUnwindSafe(boot_panics)).is_err());
    assert_eq!(histogram("metrics_declared_boot_seconds", &[("result", "panic")]).0, before + 1);
}
