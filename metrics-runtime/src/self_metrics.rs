//! The runtime's own metrics, declared like any other, under the fixed prefix
//! `metrics_export_` (this crate's policy namespace `metrics` and the
//! subsystem `export`).

use crate::{Counter, Family, LabelSet, LabelValue, Metrics};

/// Why the record path rejected a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum InvalidSample {
    /// A negative increment of a float counter.
    Negative,
    /// A NaN increment or observation.
    Nan,
    /// An infinite increment of a float counter.
    Infinite,
    /// An exemplar whose label names break the label grammar, or whose
    /// names and values hold more than 128 characters.
    Exemplar,
}

impl InvalidSample {
    /// Why `value` is invalid as a counter's or gauge's reading.
    pub(crate) fn from_value(value: f64) -> InvalidSample {
        if value.is_nan() {
            InvalidSample::Nan
        } else if value.is_infinite() {
            InvalidSample::Infinite
        } else {
            InvalidSample::Negative
        }
    }
}

#[derive(Clone, Copy, LabelSet)]
pub(crate) struct InvalidSampleLabels {
    reason: InvalidSample,
}

/// Metrics about the metrics runtime itself.
#[derive(Metrics)]
#[metrics(subsystem = "export")]
pub(crate) struct RuntimeMetrics {
    /// Samples the record path rejected and dropped: negative, NaN or
    /// infinite float counter increments, NaN observations, invalid
    /// readings of callback metrics, and exemplars whose labels break the
    /// rules.
    invalid_samples_total: Family<InvalidSampleLabels, Counter>,
    /// Callback metrics whose function panicked when read: the series was
    /// left out of that read.
    callback_panics_total: Counter,
}

/// Counts a callback that panicked.
#[cold]
pub(crate) fn callback_panicked() {
    RuntimeMetrics::global().callback_panics_total.inc();
}

/// Counts a rejected sample. Kept out of line: it is the cold branch of the
/// record path.
#[cold]
#[inline(never)]
pub(crate) fn reject(reason: InvalidSample) {
    RuntimeMetrics::global().invalid_samples_total.with(InvalidSampleLabels { reason }).inc();
}

/// Why a capped label's value was recorded as `other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum CappedOverflow {
    /// Every slot of the label was taken.
    Full,
    /// The value was empty.
    Empty,
    /// The value was `other` or `unknown`.
    Reserved,
    /// The value was longer than `MAX_CAPPED_VALUE_LEN`.
    TooLong,
}

#[derive(Clone, Copy, LabelSet)]
pub(crate) struct CappedOverflowLabels {
    reason: CappedOverflow,
}

/// Metrics about capped labels.
#[derive(Metrics)]
#[metrics(subsystem = "export")]
pub(crate) struct LabelMetrics {
    /// Values of capped labels recorded as `other`: the label was full, or
    /// the value was empty, reserved or too long.
    capped_label_overflow_total: Family<CappedOverflowLabels, Counter>,
}

/// Counts a value that fell to a capped label's `other` series.
#[cold]
#[inline(never)]
pub(crate) fn capped_overflow(reason: CappedOverflow) {
    LabelMetrics::global().capped_label_overflow_total.with(CappedOverflowLabels { reason }).inc();
}

/// The format a scrape was served in.
#[cfg(feature = "server")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum ScrapeFormat {
    /// Prometheus text 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0.
    #[label(rename = "openmetrics")]
    OpenMetrics,
}

/// The HTTP status a scrape was answered with.
#[cfg(feature = "server")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum ScrapeStatus {
    /// Served.
    #[label(rename = "200")]
    Ok,
    /// Refused: no or a wrong bearer token.
    #[label(rename = "401")]
    Unauthorized,
    /// The registry could not be built (colliding declarations).
    #[label(rename = "500")]
    Error,
}

/// Why the server refused or lost a connection.
#[cfg(feature = "server")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum Rejection {
    /// Every connection slot was taken: closed at once.
    ConnectionLimit,
    /// The client did not send its request head in time.
    HeaderTimeout,
    /// The request head was larger than the limit (answered 431).
    HeaderTooLarge,
    /// The request did not parse as HTTP/1.1 (answered 400).
    BadRequest,
    /// The connection failed otherwise (reset, broken pipe).
    ConnectionError,
    /// `accept` itself failed (e.g. no file descriptors left).
    AcceptFailed,
    /// Closed to make room for a newcomer at the connection limit (or when
    /// out of file descriptors): it had waited longest for a request head or
    /// idled longest between requests.
    Evicted,
    /// The client stopped reading its response for longer than the send
    /// timeout.
    SendTimeout,
    /// The TLS handshake failed (not TLS, an unknown certificate authority,
    /// no client certificate when one is required).
    // Exposed (as zero) without the `tls` feature too: the same series
    // whatever the build.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    TlsHandshake,
    /// A `/stream` request over the subscriber limit (answered 503).
    SubscriberLimit,
}

/// A file the server re-reads when it changes.
#[cfg(feature = "server")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum Reload {
    /// The bearer token file.
    BearerToken,
    /// The TLS certificate, key or client CA.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    Tls,
}

/// Whether a changed file loaded.
#[cfg(feature = "server")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum ReloadResult {
    /// It loaded and is in effect.
    Ok,
    /// It did not: a token file then refuses every request until fixed; TLS
    /// keeps the previous certificate.
    Error,
}

#[cfg(feature = "server")]
#[derive(Clone, Copy, LabelSet)]
pub(crate) struct ReloadLabels {
    source: Reload,
    result: ReloadResult,
}

#[cfg(feature = "server")]
#[derive(Clone, Copy, LabelSet)]
pub(crate) struct ScrapeLabels {
    format: ScrapeFormat,
    status: ScrapeStatus,
}

#[cfg(feature = "server")]
#[derive(Clone, Copy, LabelSet)]
pub(crate) struct FormatLabels {
    format: ScrapeFormat,
}

#[cfg(feature = "server")]
#[derive(Clone, Copy, LabelSet)]
pub(crate) struct RejectionLabels {
    reason: Rejection,
}

/// Metrics about the exposition server.
#[cfg(feature = "server")]
#[derive(Metrics)]
#[metrics(subsystem = "export")]
pub(crate) struct ServerMetrics {
    /// Scrapes of `/metrics` answered, by format and HTTP status.
    scrapes_total: Family<ScrapeLabels, Counter>,
    /// Time to encode a scrape (and compress it, when gzip was asked for).
    #[metric(buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25])]
    scrape_encode_duration_seconds: Family<FormatLabels, crate::Histogram>,
    /// Bytes of scrape bodies written, after compression.
    scrape_bytes_total: Family<FormatLabels, Counter>,
    /// Scrapes being encoded now.
    scrapes_in_flight: crate::IntGauge,
    /// Connections open now (waiting, idle or being answered).
    connections_open: crate::IntGauge,
    /// Connections refused, closed or lost before a response, by reason.
    rejected_connections_total: Family<RejectionLabels, Counter>,
    /// Re-reads of the server's files after they changed, by file and
    /// result.
    config_reloads_total: Family<ReloadLabels, Counter>,
    /// Subscribers of `/stream` connected now (they do not count against
    /// the connection limit, but against the subscriber limit).
    stream_subscribers: crate::IntGauge,
    /// Events sent to subscribers (of `/stream` and in the process), by
    /// kind: `snapshot` (first), `update`, `reset` (a full snapshot for a
    /// subscriber whose missed frames were gone).
    stream_events_total: Family<StreamEventLabels, Counter>,
    /// Subscribers that resumed after an event id and had the frames they
    /// missed replayed.
    stream_replays_total: Counter,
    /// Subscribers of `/stream` dropped because they stopped reading for
    /// longer than the send timeout (they can reconnect and replay).
    stream_slow_clients_dropped_total: Counter,
}

/// What a stream event was.
#[cfg(feature = "server")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum StreamEventKind {
    /// The first event of a subscription.
    Snapshot,
    /// The series that changed.
    Update,
    /// A full snapshot after frames were missed for good.
    Reset,
}

#[cfg(feature = "server")]
#[derive(Clone, Copy, LabelSet)]
pub(crate) struct StreamEventLabels {
    kind: StreamEventKind,
}

/// Counts an event sent to a subscriber.
#[cfg(feature = "server")]
pub(crate) fn stream_event(kind: StreamEventKind) {
    ServerMetrics::global().stream_events_total.with(StreamEventLabels { kind }).inc();
}

/// Counts a replay served.
#[cfg(feature = "server")]
pub(crate) fn stream_replay() {
    ServerMetrics::global().stream_replays_total.inc();
}

/// Counts a slow subscriber dropped.
#[cfg(feature = "server")]
pub(crate) fn stream_slow_client_dropped() {
    ServerMetrics::global().stream_slow_clients_dropped_total.inc();
}

/// Sets the number of `/stream` subscribers.
#[cfg(feature = "server")]
pub(crate) fn stream_subscribers(n: usize) {
    ServerMetrics::global().stream_subscribers.set(i64::try_from(n).unwrap_or(i64::MAX));
}

/// Sets the number of open connections.
#[cfg(feature = "server")]
pub(crate) fn connections_open(n: usize) {
    ServerMetrics::global().connections_open.set(i64::try_from(n).unwrap_or(i64::MAX));
}

/// Counts a re-read of a changed file.
#[cfg(feature = "server")]
pub(crate) fn config_reloaded(source: Reload, result: ReloadResult) {
    ServerMetrics::global().config_reloads_total.with(ReloadLabels { source, result }).inc();
}

/// Counts a scrape answered.
#[cfg(feature = "server")]
pub(crate) fn scrape_served(format: ScrapeFormat, status: ScrapeStatus) {
    ServerMetrics::global().scrapes_total.with(ScrapeLabels { format, status }).inc();
}

/// Records a scrape's encoding time and size.
#[cfg(feature = "server")]
pub(crate) fn scrape_encoded(format: ScrapeFormat, seconds: f64, bytes: usize) {
    let metrics = ServerMetrics::global();
    metrics.scrape_encode_duration_seconds.with(FormatLabels { format }).observe(seconds);
    metrics.scrape_bytes_total.with(FormatLabels { format }).inc_by(bytes as u64);
}

/// Counts a refused or lost connection.
#[cfg(feature = "server")]
pub(crate) fn rejected_connection(reason: Rejection) {
    ServerMetrics::global().rejected_connections_total.with(RejectionLabels { reason }).inc();
}

/// A scrape in flight, counted until dropped.
#[cfg(feature = "server")]
pub(crate) struct InFlight(());

#[cfg(feature = "server")]
pub(crate) fn scrape_started() -> InFlight {
    ServerMetrics::global().scrapes_in_flight.inc();
    InFlight(())
}

#[cfg(feature = "server")]
impl Drop for InFlight {
    fn drop(&mut self) {
        ServerMetrics::global().scrapes_in_flight.dec();
    }
}

#[cfg(feature = "export")]
crate::capped_label! {
    /// The name of an exporter's sink (`pushgateway`, `textfile`, `statsd`,
    /// or the name the program gave it).
    pub(crate) struct SinkName: 15;
}

/// How a delivery ended.
#[cfg(feature = "export")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum DeliveryResult {
    /// Delivered (perhaps after retries).
    Ok,
    /// Failed with a retryable error, and the retries ran out (or the
    /// exporter was shutting down).
    Failed,
    /// Refused by the destination in a way a retry cannot fix (a 4xx other
    /// than 429, an unwritable file): not retried.
    Rejected,
}

#[cfg(feature = "export")]
#[derive(Clone, Copy, LabelSet)]
#[label(quiet)]
pub(crate) struct SinkLabels {
    sink: SinkName,
}

#[cfg(feature = "export")]
#[derive(Clone, Copy, LabelSet)]
#[label(quiet)]
pub(crate) struct DeliveryLabels {
    sink: SinkName,
    result: DeliveryResult,
}

/// Metrics about the exporter's deliveries, per sink. Quiet: only the sinks
/// a program configured have series.
#[cfg(feature = "export")]
#[derive(Metrics)]
#[metrics(subsystem = "export")]
pub(crate) struct DeliveryMetrics {
    /// Deliveries by sink and result (one per cadence point, flush or
    /// shutdown, however many attempts it took).
    deliveries_total: Family<DeliveryLabels, Counter>,
    /// Time from a delivery's first attempt to its end, retries included.
    #[metric(buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0])]
    delivery_duration_seconds: Family<SinkLabels, crate::Histogram>,
    /// Attempts after a delivery's first, by sink.
    delivery_retries_total: Family<SinkLabels, Counter>,
    /// Cadence points skipped because the previous delivery was still
    /// running (a stalled destination): skipped, never queued.
    deliveries_skipped_total: Family<SinkLabels, Counter>,
    /// When the sink last delivered, in seconds since the Unix epoch.
    last_success_timestamp_seconds: Family<SinkLabels, crate::Gauge>,
    /// Bytes the sink handed to its destination in successful attempts.
    delivered_bytes_total: Family<SinkLabels, Counter>,
    /// Samples the destination accepted (in the sink's protocol: text
    /// sample lines, remote-write samples, OTLP data points, StatsD series
    /// updates).
    samples_sent_total: Family<SinkLabels, Counter>,
    /// Samples that will not arrive: refused by the destination (an OTLP
    /// partial success, a permanent error) or left unsent by a delivery
    /// that ran out of retries. Sinks that send totals make up for them
    /// at the next delivery.
    samples_dropped_total: Family<SinkLabels, Counter>,
}

#[cfg(feature = "export")]
impl DeliveryMetrics {
    /// Counts one delivery's end.
    pub(crate) fn delivery(sink: SinkName, result: DeliveryResult, seconds: f64) {
        let metrics = DeliveryMetrics::global();
        metrics.deliveries_total.with(DeliveryLabels { sink, result }).inc();
        metrics.delivery_duration_seconds.with(SinkLabels { sink }).observe(seconds);
    }

    /// Counts a successful attempt's bytes and time.
    pub(crate) fn delivered(sink: SinkName, bytes: u64, unix_seconds: f64) {
        let metrics = DeliveryMetrics::global();
        metrics.delivered_bytes_total.with(SinkLabels { sink }).inc_by(bytes);
        metrics.last_success_timestamp_seconds.with(SinkLabels { sink }).set(unix_seconds);
    }

    /// Counts samples sent and dropped.
    pub(crate) fn samples(sink: SinkName, sent: u64, dropped: u64) {
        let metrics = DeliveryMetrics::global();
        if sent > 0 {
            metrics.samples_sent_total.with(SinkLabels { sink }).inc_by(sent);
        }
        if dropped > 0 {
            metrics.samples_dropped_total.with(SinkLabels { sink }).inc_by(dropped);
        }
    }

    /// Counts a retry.
    pub(crate) fn retry(sink: SinkName) {
        DeliveryMetrics::global().delivery_retries_total.with(SinkLabels { sink }).inc();
    }

    /// Counts skipped cadence points.
    pub(crate) fn skipped(sink: SinkName, n: u64) {
        DeliveryMetrics::global().deliveries_skipped_total.with(SinkLabels { sink }).inc_by(n);
    }
}

/// Whether `descriptor` is one of the runtime's own metrics (those named
/// `metrics_export_*` that this crate declares about itself), by identity:
/// a program's metric of the same name is not.
///
/// [`Registry::without_runtime_metrics`](crate::Registry::without_runtime_metrics)
/// and the server's `self_metrics(false)` leave these out.
///
/// ```
/// let registry = metricate::global().unwrap();
/// let ours = registry.iter().filter(|m| metricate::is_runtime_metric(m.descriptor));
/// assert!(ours.map(|m| m.descriptor.name).any(|name| name == "metrics_export_invalid_samples_total"));
/// ```
pub fn is_runtime_metric(descriptor: &metricate_spec::Descriptor) -> bool {
    use crate::MetricGroup;
    let mut found = false;
    let mut look =
        |ours: &'static metricate_spec::Descriptor, _: &dyn crate::Collect| found |= std::ptr::eq(ours, descriptor);
    RuntimeMetrics::global().for_each_metric(&mut look);
    LabelMetrics::global().for_each_metric(&mut look);
    #[cfg(feature = "server")]
    ServerMetrics::global().for_each_metric(&mut look);
    #[cfg(feature = "export")]
    DeliveryMetrics::global().for_each_metric(&mut look);
    found
}

#[cfg(test)]
mod tests {
    /// `catalog check` knows the runtime's metrics by their prefix
    /// (`metricate_spec::RUNTIME_PREFIX`): every one of them has it.
    #[test]
    fn the_runtimes_own_metrics_have_the_fixed_prefix() {
        let registry = crate::global().unwrap();
        let ours: Vec<&str> =
            registry.iter().filter(|m| super::is_runtime_metric(m.descriptor)).map(|m| m.descriptor.name).collect();
        let expected = 3 + if cfg!(feature = "server") { 11 } else { 0 } + if cfg!(feature = "export") { 8 } else { 0 };
        assert_eq!(ours.len(), expected, "{ours:?}");
        assert!(ours.iter().all(|name| name.starts_with(metricate_spec::RUNTIME_PREFIX)), "{ours:?}");
        let without = registry.without_runtime_metrics();
        assert_eq!(without.len(), registry.len() - ours.len());
        assert!(without.iter().all(|m| !super::is_runtime_metric(m.descriptor)));
    }
}
