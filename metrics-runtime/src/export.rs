//! Delivering metrics to collectors (feature `export`): the other direction
//! from `/metrics`, where the program pushes.
//!
//! An [`Exporter`] owns a set of [`Sink`]s. At each sink's cadence it takes
//! a snapshot of the global registry (each metric internally consistent, as
//! a scrape is) and hands it to the sink. Recorders never see it: they keep
//! writing their atomics, and the exporter only reads them, so there is no
//! queue on the record path: the state is the buffer.
//!
//! ```no_run
//! use std::time::Duration;
//! use metricate::export::{Exporter, Pushgateway, Textfile};
//!
//! # fn main() -> Result<(), metricate::export::ExportError> {
//! let exporter = Exporter::builder()
//!     .interval(Duration::from_secs(15))
//!     .sink(Pushgateway::new("http://127.0.0.1:9091", "billing")?.grouping("instance", "billing-7")?)
//!     .sink(Textfile::new("/var/lib/node_exporter/textfile", "billing")?)
//!     .build()?;
//! exporter.start()?; // a thread of its own; `start_in(&handle)` runs it on a tokio runtime
//! // ...
//! let reports = exporter.flush_blocking()?; // deliver now, and say what happened
//! exporter.shutdown()?; // a final delivery, bounded by the grace period
//! # let _ = reports;
//! # Ok(())
//! # }
//! ```
//!
//! # What the exporter does for every sink
//!
//! - **Cadence.** The first delivery at start, then one per interval, a final
//!   one at shutdown (bounded by [`ExporterBuilder::grace`]), and one on
//!   [`Exporter::flush`].
//! - **Timeouts and retries.** Every attempt is bounded by
//!   [`ExporterBuilder::timeout`]. A retryable failure (a network error, a
//!   timeout, HTTP 429 or 5xx) is retried with exponential backoff and full
//!   jitter, at least as late as the destination's `Retry-After`, up to
//!   [`ExporterBuilder::max_retries`] times; each retry takes a fresh
//!   snapshot rather than resending a stale one. A permanent failure (a 4xx
//!   other than 429, a file that cannot be written) is not retried.
//! - **Stalls.** A sink whose delivery is still running when the next is
//!   due skips that delivery instead of queueing it, and counts it: memory
//!   does not grow with an outage. Sinks that send totals (Pushgateway,
//!   textfile) lose nothing across an outage: the next delivery carries the
//!   current totals.
//! - **Deltas.** Sinks that send deltas ([`Statsd`]) carry what a failed
//!   send did not deliver into the next delivery, so that the server's sums
//!   equal what was recorded, less what UDP itself loses (at most one
//!   delivery when the server goes away).
//! - **Self-metrics**, per sink, under the runtime's prefix:
//!   `metrics_export_deliveries_total{sink,result}`,
//!   `metrics_export_delivery_duration_seconds{sink}`,
//!   `metrics_export_delivery_retries_total{sink}`,
//!   `metrics_export_deliveries_skipped_total{sink}`,
//!   `metrics_export_last_success_timestamp_seconds{sink}`,
//!   `metrics_export_delivered_bytes_total{sink}`,
//!   `metrics_export_samples_sent_total{sink}` and
//!   `metrics_export_samples_dropped_total{sink}` (refused by the
//!   destination, or given up on): a stalled sink is visible from
//!   `/metrics` alone.
//!
//! # The sinks
//!
//! [`Pushgateway`], [`Textfile`] and [`Statsd`]; `RemoteWrite` (feature
//! `remote-write`: Prometheus remote-write 1.0 to Prometheus, Mimir,
//! Cortex, Thanos, `VictoriaMetrics`) and `Otlp` (feature `otlp`: OTLP/HTTP
//! to an OpenTelemetry Collector). The HTTP sinks take a [`Transport`]:
//! `https://` with the platform's roots or a CA file, a client certificate,
//! bearer or basic credentials, headers of their own (a tenant). The
//! Pushgateway and remote-write can share one set of [`ExternalLabels`]
//! (`job`, `instance`).
//!
//! A sink is one file implementing [`Sink`]: it encodes a snapshot, hands it
//! to its destination, says what was delivered ([`Delivered`]) and whether
//! a failure is worth retrying. Everything above is the exporter's, written
//! once.
//!
//! # Two ways to run
//!
//! [`Exporter::start`] runs the sinks on a thread of its own with a
//! single-threaded tokio runtime, for programs without async;
//! [`Exporter::start_in`] spawns them as tasks on the caller's runtime.
//! Starting twice starts nothing new. The blocking calls
//! ([`Exporter::flush_blocking`], [`Exporter::shutdown`]) work from any
//! thread, inside a runtime too, except that an exporter running as tasks
//! cannot be waited for from the one thread of a current-thread runtime
//! (the tasks would never run): they return [`ExportError::WouldDeadlock`]
//! there, and the async [`Exporter::flush`] and [`Exporter::shutdown_async`]
//! are the way.

mod http;
mod labels;
#[cfg(feature = "otlp")]
mod otlp;
#[cfg(any(feature = "otlp", feature = "remote-write"))]
mod proto;
mod pushgateway;
#[cfg(feature = "remote-write")]
mod remote_write;
mod retry;
mod statsd;
mod textfile;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot, watch};

pub use http::Transport;
pub use labels::ExternalLabels;
#[cfg(feature = "otlp")]
pub use otlp::Otlp;
pub use pushgateway::{PushMethod, Pushgateway};
#[cfg(feature = "remote-write")]
pub use remote_write::{DEFAULT_MAX_SAMPLES_PER_REQUEST, RemoteWrite};
pub use statsd::{DEFAULT_MAX_PACKET_BYTES, SampleRate, Statsd, StatsdClient, TagStyle, Timer};
pub use textfile::Textfile;

use self::retry::Backoff;
use crate::registry::{Registry, RegistryError};
use crate::self_metrics::{DeliveryMetrics, DeliveryResult, SinkName};
use crate::snapshot::Snapshot;

/// A boxed future, as a [`Sink`]'s methods return (the trait stays object
/// safe, so that an exporter holds sinks of any kind).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A destination of deliveries: one file per kind, in the spirit of the
/// encoders. The exporter calls it with a fresh snapshot at each delivery
/// and does the rest (cadence, timeouts, retries, stalls, self-metrics).
pub trait Sink: Send + 'static {
    /// The kind, e.g. `pushgateway`: the default name of its self-metrics
    /// series.
    fn kind(&self) -> &'static str;

    /// Where it delivers, e.g. a URL or a file path: two sinks of an
    /// exporter may not share one.
    fn destination(&self) -> String;

    /// Delivers one snapshot; says what the destination took. The exporter
    /// bounds it with its timeout (dropping the future).
    fn deliver<'a>(&'a mut self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<Delivered, SinkError>>;

    /// Called once at shutdown, after the final delivery (e.g. to delete a
    /// Pushgateway group). Does nothing by default.
    fn close(&mut self) -> BoxFuture<'_, Result<(), SinkError>> {
        Box::pin(async { Ok(()) })
    }
}

/// What a successful delivery attempt handed to its destination.
///
/// Samples are what the sink's protocol counts: a sample line of the text
/// format (a histogram has one per bucket, `_sum` and `_count`), a
/// remote-write sample, an OTLP data point (a histogram is one), a StatsD
/// series update (one per bucket of a histogram sent as a distribution).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Bytes handed to the destination.
    pub bytes: u64,
    /// Samples the destination accepted.
    pub samples: u64,
    /// Samples the destination refused while it accepted the rest (an OTLP
    /// partial success): dropped and counted, not retried.
    pub rejected: u64,
}

impl Delivered {
    /// `bytes` handed over, carrying `samples` that were all accepted.
    pub fn new(bytes: u64, samples: u64) -> Delivered {
        Delivered { bytes, samples, rejected: 0 }
    }
}

/// Why a delivery attempt failed, and whether another attempt could succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkError {
    message: String,
    retry: Retry,
    sent: u64,
    unsent: u64,
}

/// Whether, and how soon, a failed attempt may be repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Retry {
    No,
    Yes,
    After(Duration),
}

impl SinkError {
    /// A failure that a later attempt may not repeat (a network error, a
    /// busy or failing server).
    pub fn retryable(message: impl Into<String>) -> SinkError {
        SinkError { message: message.into(), retry: Retry::Yes, sent: 0, unsent: 0 }
    }

    /// A retryable failure whose destination asked to wait at least `after`
    /// (`Retry-After`).
    pub fn retry_after(message: impl Into<String>, after: Duration) -> SinkError {
        SinkError { message: message.into(), retry: Retry::After(after), sent: 0, unsent: 0 }
    }

    /// A failure that a retry cannot fix (the destination refused the
    /// content or the credentials, a file cannot be written).
    pub fn permanent(message: impl Into<String>) -> SinkError {
        SinkError { message: message.into(), retry: Retry::No, sent: 0, unsent: 0 }
    }

    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        self.retry != Retry::No
    }

    /// How long the destination asked to wait before the next attempt.
    pub fn retry_after_hint(&self) -> Option<Duration> {
        match self.retry {
            Retry::After(after) => Some(after),
            Retry::No | Retry::Yes => None,
        }
    }

    /// What happened.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Says how many samples the attempt delivered before it failed (e.g.
    /// earlier requests of a delivery split in several) and how many it
    /// did not. The exporter counts the first as sent, and the second as
    /// dropped if no retry follows.
    #[must_use]
    pub fn with_samples(mut self, sent: u64, unsent: u64) -> SinkError {
        self.sent = sent;
        self.unsent = unsent;
        self
    }

    /// Samples the attempt delivered before it failed.
    pub fn sent_samples(&self) -> u64 {
        self.sent
    }

    /// Samples the attempt did not deliver.
    pub fn unsent_samples(&self) -> u64 {
        self.unsent
    }
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SinkError {}

/// Why an exporter cannot be built, started, flushed or stopped.
#[derive(Debug)]
pub enum ExportError {
    /// A setting or a sink's configuration is invalid: the message says
    /// which and why.
    Config(String),
    /// The global registry failed its check: two declarations expose the
    /// same name. The error names both.
    Registry(&'static RegistryError),
    /// The exporter's thread or runtime could not be created.
    Runtime(std::io::Error),
    /// [`Exporter::flush`] or [`Exporter::flush_blocking`] before
    /// [`Exporter::start`], or after shutdown.
    NotRunning,
    /// A blocking call on the one thread of a current-thread tokio runtime
    /// whose tasks run the exporter: waiting would stop the tasks it waits
    /// for. Use the async call.
    WouldDeadlock,
    /// The exporter's thread panicked.
    Panicked,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Config(message) => write!(f, "invalid exporter setting: {message}"),
            ExportError::Registry(error) => write!(f, "refusing to export metrics: {error}"),
            ExportError::Runtime(error) => write!(f, "cannot start the exporter's runtime: {error}"),
            ExportError::NotRunning => f.write_str("the exporter is not running: start it first"),
            ExportError::WouldDeadlock => f.write_str(
                "a blocking exporter call on the one thread of the current-thread runtime that runs the exporter \
                 would wait forever: use the async call (flush().await, shutdown_async().await)",
            ),
            ExportError::Panicked => f.write_str("the exporter's thread panicked"),
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Registry(error) => Some(*error),
            ExportError::Runtime(error) => Some(error),
            _ => None,
        }
    }
}

/// What one delivery of one sink came to: a [`Exporter::flush`] returns
/// one per sink.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The sink's name (its self-metrics' `sink` label).
    pub sink: String,
    /// Where it delivers.
    pub destination: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Attempts made: 1 without retries.
    pub attempts: u32,
    /// Bytes handed to the destination by the successful attempt.
    pub bytes: u64,
    /// Samples the destination accepted, over all attempts.
    pub samples: u64,
    /// Samples dropped: refused by the destination, or left unsent by the
    /// last attempt of a delivery that failed.
    pub dropped: u64,
    /// From the first attempt to the end.
    pub duration: Duration,
}

/// How a delivery ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered.
    Delivered,
    /// The last attempt failed with a retryable error and no retry was
    /// left (or the exporter was stopping).
    Failed(SinkError),
    /// Refused for good: not retried.
    Rejected(SinkError),
}

impl Outcome {
    /// Whether it was delivered.
    pub fn is_delivered(&self) -> bool {
        matches!(self, Outcome::Delivered)
    }
}

/// The sample lines of a snapshot in the text formats (see
/// [`OwnedValue::text_samples`](crate::snapshot::OwnedValue::text_samples)).
fn text_samples(snapshot: &Snapshot) -> u64 {
    snapshot
        .families()
        .iter()
        .flat_map(crate::snapshot::FamilySnapshot::series)
        .map(|series| series.value().text_samples() as u64)
        .sum()
}

/// A sink as added: with its own name and cadence, if given.
type Added = (Box<dyn Sink>, Option<String>, Option<Duration>);

/// Settings of an [`Exporter`]; [`ExporterBuilder::build`] checks them all.
pub struct ExporterBuilder {
    sinks: Vec<Added>,
    interval: Duration,
    timeout: Duration,
    max_retries: u32,
    backoff: (Duration, Duration),
    grace: Duration,
    self_metrics: bool,
}

impl fmt::Debug for ExporterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sinks: Vec<String> =
            self.sinks.iter().map(|(s, _, _)| format!("{} {}", s.kind(), s.destination())).collect();
        f.debug_struct("ExporterBuilder")
            .field("sinks", &sinks)
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("backoff", &self.backoff)
            .field("grace", &self.grace)
            .field("self_metrics", &self.self_metrics)
            .finish()
    }
}

impl Default for ExporterBuilder {
    fn default() -> Self {
        ExporterBuilder {
            sinks: Vec::new(),
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(10),
            max_retries: 3,
            backoff: (Duration::from_millis(100), Duration::from_secs(5)),
            grace: Duration::from_secs(5),
            self_metrics: true,
        }
    }
}

impl ExporterBuilder {
    /// Adds a sink, delivered at the exporter's interval and named by its
    /// kind (`pushgateway_2` for a second of the same kind).
    #[must_use]
    pub fn sink(mut self, sink: impl Sink) -> ExporterBuilder {
        self.sinks.push((Box::new(sink), None, None));
        self
    }

    /// Adds a sink with a name of its own (its self-metrics' `sink` label)
    /// and, if `Some`, a cadence of its own.
    #[must_use]
    pub fn named_sink(mut self, name: &str, sink: impl Sink, interval: Option<Duration>) -> ExporterBuilder {
        self.sinks.push((Box::new(sink), Some(name.to_owned()), interval));
        self
    }

    /// How often every sink without a cadence of its own delivers (15 s by
    /// default).
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> ExporterBuilder {
        self.interval = interval;
        self
    }

    /// The bound of each attempt (10 s by default).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> ExporterBuilder {
        self.timeout = timeout;
        self
    }

    /// Retries of a retryable failure within one delivery (3 by default;
    /// 0 for none).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> ExporterBuilder {
        self.max_retries = retries;
        self
    }

    /// The backoff before retry `n` is a random duration up to
    /// `min(max, base × 2^(n-1))` (full jitter), and at least what the
    /// destination's `Retry-After` asked. 100 ms and 5 s by default.
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> ExporterBuilder {
        self.backoff = (base, max);
        self
    }

    /// How long shutdown waits for the final deliveries (5 s by default).
    #[must_use]
    pub fn grace(mut self, grace: Duration) -> ExporterBuilder {
        self.grace = grace;
        self
    }

    /// Whether the runtime's own `metrics_export_*` metrics are delivered
    /// too (by default they are).
    #[must_use]
    pub fn self_metrics(mut self, on: bool) -> ExporterBuilder {
        self.self_metrics = on;
        self
    }

    /// Checks every setting and builds the exporter, not started. Refuses
    /// no sink, a zero interval or timeout, two sinks with one destination
    /// or one name, and a global registry that fails its check.
    pub fn build(self) -> Result<Exporter, ExportError> {
        let config = |message: String| Err(ExportError::Config(message));
        if self.sinks.is_empty() {
            return config("no sink: add one with .sink(..)".into());
        }
        if self.timeout.is_zero() {
            return config("the timeout is zero: every attempt would fail".into());
        }
        if self.backoff.0.is_zero() || self.backoff.1 < self.backoff.0 {
            return config(format!(
                "the backoff is {:?} growing to {:?}: the base must be above zero and at most the maximum",
                self.backoff.0, self.backoff.1
            ));
        }
        let registry = crate::global().map_err(ExportError::Registry)?;
        // Without the runtime's own metrics: a copy of the global registry's
        // entries without them, made once.
        let source = if self.self_metrics {
            Source::Global(registry)
        } else {
            Source::Subset(Arc::new(registry.without_runtime_metrics()))
        };

        let mut runners: Vec<Runner> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (sink, name, interval) in self.sinks {
            let interval = interval.unwrap_or(self.interval);
            let destination = sink.destination();
            if interval.is_zero() {
                return config(format!("the interval of the {} sink to {destination} is zero", sink.kind()));
            }
            if let Some(other) = runners.iter().find(|r| r.destination == destination) {
                return config(format!(
                    "two sinks deliver to {destination} ({} and {}): each destination takes one",
                    other.name,
                    sink.kind()
                ));
            }
            let name = match name {
                Some(name) => {
                    if !is_sink_name(&name) {
                        return config(format!("the sink name `{name}` is not snake_case (`[a-z][a-z0-9_]*`)"));
                    }
                    if names.contains(&name) {
                        return config(format!("two sinks are named `{name}`"));
                    }
                    name
                }
                None => {
                    let kind = sink.kind();
                    let count = runners.iter().filter(|r| r.sink.kind() == kind).count();
                    let mut name = if count == 0 { kind.to_owned() } else { format!("{kind}_{}", count + 1) };
                    while names.contains(&name) {
                        name.push('_');
                    }
                    name
                }
            };
            names.push(name.clone());
            runners.push(Runner {
                label: SinkName::new(&name),
                name,
                destination,
                sink,
                interval,
                timeout: self.timeout,
                max_retries: self.max_retries,
                backoff: Backoff::new(self.backoff.0, self.backoff.1),
                source: source.clone(),
            });
        }
        Ok(Exporter { state: Mutex::new(State::Built(runners)), grace: self.grace })
    }
}

/// Checks a label name a sink adds to what it sends (a Pushgateway grouping
/// label, a remote-write external label): the Prometheus grammar,
/// `[a-zA-Z_][a-zA-Z0-9_]*`, and not reserved (`__`). `what` names it in
/// the error.
fn check_label_name(name: &str, what: &str) -> Result<(), ExportError> {
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__");
    if valid {
        Ok(())
    } else {
        Err(ExportError::Config(format!(
            "`{name}` is not {what} name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`"
        )))
    }
}

fn is_sink_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Delivers the registry to its sinks: built by [`Exporter::builder`],
/// started by [`Exporter::start`] or [`Exporter::start_in`]. Dropping it
/// stops it, with the final delivery, as [`Exporter::shutdown`] does.
pub struct Exporter {
    state: Mutex<State>,
    grace: Duration,
}

impl fmt::Debug for Exporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*self.state.lock().unwrap_or_else(PoisonError::into_inner) {
            State::Built(_) => "built",
            State::Running(_) => "running",
            State::Stopped => "stopped",
        };
        f.debug_struct("Exporter").field("state", &state).finish_non_exhaustive()
    }
}

/// A sink's task, before it is spawned.
type Run = Pin<Box<dyn Future<Output = ()> + Send>>;

enum State {
    Built(Vec<Runner>),
    Running(Running),
    Stopped,
}

/// A started exporter: a channel to each sink's task, the stop signal, and
/// what to join.
struct Running {
    commands: Vec<mpsc::UnboundedSender<Command>>,
    stop: watch::Sender<bool>,
    mode: Mode,
}

enum Mode {
    /// A thread of its own, which ends when every sink's task has.
    Thread(JoinHandle<()>),
    /// Tasks on the caller's runtime.
    Tasks { tasks: Vec<tokio::task::JoinHandle<()>>, handle: tokio::runtime::Handle },
}

enum Command {
    Flush(Reply),
}

/// Where a flush's report goes: an awaited or a blocking receiver.
enum Reply {
    Async(oneshot::Sender<Report>),
    Blocking(std::sync::mpsc::Sender<Report>),
}

impl Reply {
    fn send(self, report: Report) {
        // The caller may have gone away (a dropped flush future): nothing to do.
        match self {
            Reply::Async(sender) => drop(sender.send(report)),
            Reply::Blocking(sender) => drop(sender.send(report)),
        }
    }
}

impl Exporter {
    /// The settings, with their defaults.
    pub fn builder() -> ExporterBuilder {
        ExporterBuilder::default()
    }

    /// Starts delivering on a thread of its own (with a single-threaded tokio
    /// runtime). The first delivery of every sink happens now. Starting a
    /// running exporter does nothing; a stopped one cannot start again.
    pub fn start(&self) -> Result<(), ExportError> {
        self.launch(|runs| {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(ExportError::Runtime)?;
            let thread = thread::Builder::new()
                .name("metrics-exporter".to_owned())
                .spawn(move || {
                    runtime.block_on(async move {
                        let tasks: Vec<_> = runs.into_iter().map(tokio::spawn).collect();
                        for task in tasks {
                            let _ = task.await;
                        }
                    });
                })
                .map_err(ExportError::Runtime)?;
            Ok(Mode::Thread(thread))
        })
    }

    /// Starts delivering as tasks on the runtime of `handle`. The first
    /// delivery of every sink happens now. Starting a running exporter does
    /// nothing; a stopped one cannot start again.
    pub fn start_in(&self, handle: &tokio::runtime::Handle) -> Result<(), ExportError> {
        self.launch(|runs| {
            let tasks = runs.into_iter().map(|run| handle.spawn(run)).collect();
            Ok(Mode::Tasks { tasks, handle: handle.clone() })
        })
    }

    /// Makes each sink's task and hands them to `spawn`; a running exporter
    /// is left as it is. If `spawn` fails, the exporter is stopped.
    fn launch(&self, spawn: impl FnOnce(Vec<Run>) -> Result<Mode, ExportError>) -> Result<(), ExportError> {
        let mut state = self.lock();
        let runners = match std::mem::replace(&mut *state, State::Stopped) {
            State::Built(runners) => runners,
            running @ State::Running(_) => {
                *state = running;
                return Ok(());
            }
            State::Stopped => return Err(ExportError::NotRunning),
        };
        let (stop, stopped) = watch::channel(false);
        let mut commands = Vec::new();
        let runs = runners
            .into_iter()
            .map(|runner| {
                let (send, receive) = mpsc::unbounded_channel();
                commands.push(send);
                Box::pin(runner.run(receive, stopped.clone())) as Run
            })
            .collect();
        let mode = spawn(runs)?;
        *state = State::Running(Running { commands, stop, mode });
        Ok(())
    }

    /// Whether it has been started and not stopped.
    pub fn is_running(&self) -> bool {
        matches!(&*self.lock(), State::Running(_))
    }

    /// Delivers to every sink now (with the usual retries), and returns one
    /// report per sink, in the order they were added.
    pub async fn flush(&self) -> Result<Vec<Report>, ExportError> {
        let receivers = self.ask_to_flush(false, || {
            let (send, receive) = oneshot::channel();
            (Reply::Async(send), receive)
        })?;
        let mut reports = Vec::new();
        for receive in receivers {
            reports.push(receive.await.map_err(|_| ExportError::NotRunning)?);
        }
        Ok(reports)
    }

    /// [`Exporter::flush`] for callers without async. From inside a tokio
    /// runtime it does not panic; it returns [`ExportError::WouldDeadlock`]
    /// only on the one thread of a current-thread runtime that runs the
    /// exporter's tasks.
    pub fn flush_blocking(&self) -> Result<Vec<Report>, ExportError> {
        let receivers = self.ask_to_flush(true, || {
            let (send, receive) = std::sync::mpsc::channel();
            (Reply::Blocking(send), receive)
        })?;
        block(|| receivers.into_iter().map(|r| r.recv().map_err(|_| ExportError::NotRunning)).collect())
    }

    /// Asks every sink's task for a delivery, each with a reply from
    /// `reply`; returns the receiving ends.
    fn ask_to_flush<R>(&self, blocking: bool, reply: impl Fn() -> (Reply, R)) -> Result<Vec<R>, ExportError> {
        let state = self.lock();
        let State::Running(running) = &*state else { return Err(ExportError::NotRunning) };
        if blocking {
            check_blocking(&running.mode)?;
        }
        running
            .commands
            .iter()
            .map(|commands| {
                let (reply, receive) = reply();
                commands.send(Command::Flush(reply)).map_err(|_| ExportError::NotRunning)?;
                Ok(receive)
            })
            .collect()
    }

    /// Stops: every sink makes its final delivery and closes, within the
    /// grace period; then the thread is joined (or the tasks awaited). Works
    /// from any thread, with the exception [`Exporter::flush_blocking`] has
    /// (after which the exporter still runs, and
    /// [`Exporter::shutdown_async`] stops it). Stopping a stopped exporter
    /// does nothing.
    pub fn shutdown(&self) -> Result<(), ExportError> {
        let State::Running(running) = std::mem::replace(&mut *self.lock(), State::Stopped) else {
            return Ok(());
        };
        if let Err(error) = check_blocking(&running.mode) {
            // Put it back, so that dropping it still signals the stop.
            *self.lock() = State::Running(running);
            return Err(error);
        }
        let _ = running.stop.send(true);
        let grace = self.grace;
        match running.mode {
            Mode::Thread(thread) => block(|| join_within(thread, grace)),
            Mode::Tasks { tasks, handle } => {
                let (done, wait) = std::sync::mpsc::channel();
                handle.spawn(async move {
                    let all = async {
                        for task in tasks {
                            let _ = task.await;
                        }
                    };
                    let _ = tokio::time::timeout(grace, all).await;
                    let _ = done.send(());
                });
                block(|| wait.recv_timeout(grace + Duration::from_secs(1)).or(Ok(())))
            }
        }
    }

    /// [`Exporter::shutdown`], awaited.
    pub async fn shutdown_async(&self) -> Result<(), ExportError> {
        let State::Running(running) = std::mem::replace(&mut *self.lock(), State::Stopped) else {
            return Ok(());
        };
        let _ = running.stop.send(true);
        let grace = self.grace;
        match running.mode {
            Mode::Thread(thread) => {
                let (done, wait) = oneshot::channel();
                thread::spawn(move || {
                    let _ = done.send(join_within(thread, grace));
                });
                wait.await.unwrap_or(Err(ExportError::Panicked))
            }
            Mode::Tasks { tasks, .. } => {
                let all = async {
                    for task in tasks {
                        let _ = task.await;
                    }
                };
                let _ = tokio::time::timeout(grace, all).await;
                Ok(())
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        // Signals the stop; the final deliveries happen in the background
        // (a thread is joined if that cannot deadlock).
        if let State::Running(running) = std::mem::replace(&mut *self.lock(), State::Stopped) {
            let _ = running.stop.send(true);
            if let Mode::Thread(thread) = running.mode {
                let _ = block(|| join_within(thread, self.grace));
            }
        }
    }
}

/// Refuses a blocking wait that would stop the tasks it waits for.
fn check_blocking(mode: &Mode) -> Result<(), ExportError> {
    let Mode::Tasks { handle, .. } = mode else { return Ok(()) };
    match tokio::runtime::Handle::try_current() {
        Ok(current)
            if current.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread
                && current.id() == handle.id() =>
        {
            Err(ExportError::WouldDeadlock)
        }
        _ => Ok(()),
    }
}

/// Runs a blocking wait; on a worker of a multi-thread runtime, through
/// `block_in_place`, so that the worker's other tasks move elsewhere.
fn block<T>(wait: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(current) if current.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(wait)
        }
        _ => wait(),
    }
}

/// Joins the exporter's thread, waiting at most the grace period and a
/// second (its sinks bound their own final deliveries by the grace).
fn join_within(thread: JoinHandle<()>, grace: Duration) -> Result<(), ExportError> {
    let deadline = Instant::now() + grace + Duration::from_secs(1);
    while !thread.is_finished() {
        if Instant::now() >= deadline {
            // Left to finish on its own: detached, not waited for.
            return Ok(());
        }
        thread::sleep(Duration::from_millis(5));
    }
    thread.join().map_err(|_| ExportError::Panicked)
}

/// One sink and what its task needs.
struct Runner {
    name: String,
    label: SinkName,
    destination: String,
    sink: Box<dyn Sink>,
    interval: Duration,
    timeout: Duration,
    max_retries: u32,
    backoff: Backoff,
    source: Source,
}

/// The metrics delivered.
#[derive(Clone)]
enum Source {
    Global(&'static Registry<'static>),
    Subset(Arc<Registry<'static>>),
}

impl Source {
    fn snapshot(&self) -> Snapshot {
        match self {
            Source::Global(registry) => registry.snapshot(|_| true),
            Source::Subset(registry) => registry.snapshot(|_| true),
        }
    }
}

impl Runner {
    /// The sink's task: a delivery now, then one per interval or flush,
    /// and a final one (and the sink's close) when stopped.
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>, mut stop: watch::Receiver<bool>) {
        // The first delivery, before any flush asked for meanwhile.
        let _ = self.deliver(Some(&mut stop)).await;
        let mut due = tokio::time::Instant::now() + self.interval;
        // A stop seen by a delivery waiting to retry is not seen again by
        // `changed`: the flag is read at every turn.
        while !*stop.borrow_and_update() {
            tokio::select! {
                biased;
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                command = commands.recv() => match command {
                    Some(Command::Flush(reply)) => {
                        let report = self.deliver(None).await;
                        reply.send(report);
                    }
                    None => break,
                },
                () = tokio::time::sleep_until(due) => {
                    let report = self.deliver(Some(&mut stop)).await;
                    drop(report);
                    // Cadence points that passed while it ran are skipped,
                    // not made up.
                    let now = tokio::time::Instant::now();
                    let mut next = due + self.interval;
                    if next <= now {
                        let behind = (now - next).as_nanos() / self.interval.as_nanos().max(1) + 1;
                        let behind = u32::try_from(behind).unwrap_or(u32::MAX);
                        DeliveryMetrics::skipped(self.label, u64::from(behind));
                        next += self.interval.saturating_mul(behind);
                    }
                    due = next;
                }
            }
        }
        // The final delivery: no retries are waited for once stopping.
        let _ = self.deliver(Some(&mut stop)).await;
        let _ = tokio::time::timeout(self.timeout, self.sink.close()).await;
        while let Ok(Command::Flush(reply)) = commands.try_recv() {
            reply.send(self.report(
                Outcome::Failed(SinkError::retryable("the exporter stopped")),
                0,
                Delivered::default(),
                Instant::now(),
            ));
        }
    }

    /// One delivery: attempts with fresh snapshots until one succeeds, a
    /// permanent failure, the retries run out, or (when `stop` is given)
    /// the exporter stops while it waits to retry.
    async fn deliver(&mut self, mut stop: Option<&mut watch::Receiver<bool>>) -> Report {
        let start = Instant::now();
        let mut attempts = 0u32;
        let mut sent = 0u64;
        loop {
            attempts += 1;
            let snapshot = self.source.snapshot();
            let result = match tokio::time::timeout(self.timeout, self.sink.deliver(&snapshot)).await {
                Ok(result) => result,
                Err(_) => Err(SinkError::retryable(format!("no answer within {:?}", self.timeout))),
            };
            let error = match result {
                Ok(delivered) => {
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
                    DeliveryMetrics::delivered(self.label, delivered.bytes, now);
                    DeliveryMetrics::samples(self.label, delivered.samples, delivered.rejected);
                    let done = Delivered { samples: sent + delivered.samples, ..delivered };
                    return self.report(Outcome::Delivered, attempts, done, start);
                }
                Err(error) => error,
            };
            sent += error.sent;
            DeliveryMetrics::samples(self.label, error.sent, 0);
            let stopping = stop.as_ref().is_some_and(|s| *s.borrow());
            if !error.is_retryable() || attempts > self.max_retries || stopping {
                return self.give_up(error, attempts, sent, start);
            }
            let wait = self.backoff.delay(attempts, error.retry_after_hint());
            DeliveryMetrics::retry(self.label);
            match stop.as_deref_mut() {
                Some(stop) => {
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        _ = stop.changed() => return self.give_up(error, attempts, sent, start),
                    }
                }
                None => tokio::time::sleep(wait).await,
            }
        }
    }

    /// The end of a delivery that failed: what its last attempt did not
    /// send is dropped.
    fn give_up(&self, error: SinkError, attempts: u32, sent: u64, start: Instant) -> Report {
        DeliveryMetrics::samples(self.label, 0, error.unsent);
        let delivered = Delivered { bytes: 0, samples: sent, rejected: error.unsent };
        let outcome = if error.is_retryable() { Outcome::Failed(error) } else { Outcome::Rejected(error) };
        self.report(outcome, attempts, delivered, start)
    }

    fn report(&self, outcome: Outcome, attempts: u32, delivered: Delivered, start: Instant) -> Report {
        let duration = start.elapsed();
        let result = match &outcome {
            Outcome::Delivered => DeliveryResult::Ok,
            Outcome::Failed(_) => DeliveryResult::Failed,
            Outcome::Rejected(_) => DeliveryResult::Rejected,
        };
        if attempts > 0 {
            DeliveryMetrics::delivery(self.label, result, duration.as_secs_f64());
        }
        Report {
            sink: self.name.clone(),
            destination: self.destination.clone(),
            outcome,
            attempts,
            bytes: delivered.bytes,
            samples: delivered.samples,
            dropped: delivered.rejected,
            duration,
        }
    }
}
