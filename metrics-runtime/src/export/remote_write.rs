//! The Prometheus remote-write 1.0 sink: each delivery sends the snapshot
//! as protobuf `WriteRequest`s (prost, with the messages written out here so
//! that no `protoc` is needed), snappy-compressed (snap, block format), in
//! requests of at most a set number of samples.

use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use metricate_spec::MetricKind;
use prost::Message as _;

use super::http::{Endpoint, Transport};
use super::{BoxFuture, Delivered, ExportError, ExternalLabels, Sink, SinkError};
use crate::encode::canonical_f64;
use crate::snapshot::{OwnedValue, Snapshot};

/// Prometheus' default: 2,000 samples per request.
pub const DEFAULT_MAX_SAMPLES_PER_REQUEST: usize = 2_000;

/// The messages of `prometheus/prompb` (remote.proto, types.proto) that a
/// 1.0 sender writes.
mod prompb {
    super::super::proto::messages! {
        WriteRequest { "1" timeseries: Vec<TimeSeries> = message repeated }
        /// Its labels sorted by name, `__name__` among them.
        TimeSeries { "1" labels: Vec<Label> = message repeated, "2" samples: Vec<Sample> = message repeated }
        Label { "1" name: String = string, "2" value: String = string }
        /// A value at a time in milliseconds since the Unix epoch.
        Sample { "1" value: f64 = double, "2" timestamp: i64 = int64 }
    }
}

/// Sends the registry to a Prometheus remote-write receiver (Prometheus
/// with `--web.enable-remote-write-receiver`, Mimir, Cortex, Thanos,
/// `VictoriaMetrics`).
///
/// ```
/// use metricate::export::{RemoteWrite, Transport};
///
/// let sink = RemoteWrite::new("http://127.0.0.1:9090/api/v1/write")?
///     .external_label("instance", "billing-7")?
///     .max_samples_per_request(500)?;
/// // A hosted, multi-tenant receiver:
/// let hosted = RemoteWrite::new("https://mimir.example.com/api/v1/push")?
///     .transport(&Transport::new().bearer_token("s3cr3t")?.header("X-Scope-OrgID", "billing")?)?;
/// # Ok::<(), metricate::export::ExportError>(())
/// ```
///
/// Each series is one time series with one sample, its labels sorted by
/// name with `__name__` and the external labels; a histogram is its
/// classic series: `_bucket` with `le` in the spelling the text encoders
/// use (cumulative counts, `+Inf` last), `_sum` and `_count`. All samples of
/// a delivery carry the time of its snapshot, so a retry (a fresh snapshot)
/// is newer than anything an earlier attempt sent, as receivers require.
pub struct RemoteWrite {
    endpoint: Endpoint,
    path: String,
    external: ExternalLabels,
    max_samples: usize,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl std::fmt::Debug for RemoteWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteWrite")
            .field("url", &self.endpoint.url(&self.path))
            .field("external", &self.external)
            .field("max_samples", &self.max_samples)
            .finish_non_exhaustive()
    }
}

impl RemoteWrite {
    /// A sink posting to the remote-write `url` (its whole path, e.g.
    /// `http://127.0.0.1:9090/api/v1/write`). Refuses a URL that does not
    /// parse or is not `http` or `https`.
    pub fn new(url: &str) -> Result<RemoteWrite, ExportError> {
        let endpoint = Endpoint::parse(url, &Transport::new())
            .map_err(|e| ExportError::Config(format!("remote-write URL {e}")))?;
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-protobuf"));
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("snappy"));
        headers.insert(HeaderName::from_static("x-prometheus-remote-write-version"), HeaderValue::from_static("0.1.0"));
        headers.insert(header::USER_AGENT, HeaderValue::from_static(concat!("metricate/", env!("CARGO_PKG_VERSION"))));
        Ok(RemoteWrite {
            endpoint,
            path: String::new(),
            external: ExternalLabels::new(),
            max_samples: DEFAULT_MAX_SAMPLES_PER_REQUEST,
            headers,
            body: Vec::new(),
        })
    }

    /// Adds a label to every series (e.g. `job`, `instance`). Refuses a
    /// name that is not a label name, starts with `__`, or is given twice,
    /// and an empty value.
    pub fn external_label(mut self, name: &str, value: &str) -> Result<RemoteWrite, ExportError> {
        self.external = self.external.label(name, value)?;
        Ok(self)
    }

    /// Adds every label of `labels` to every series: the set the
    /// [`Pushgateway`](super::Pushgateway) can take too
    /// ([`Pushgateway::with_labels`](super::Pushgateway::with_labels)).
    pub fn external_labels(mut self, labels: &ExternalLabels) -> Result<RemoteWrite, ExportError> {
        for (name, value) in labels.iter() {
            self.external = self.external.label(name, value)?;
        }
        Ok(self)
    }

    /// How to connect and authenticate: TLS trust, a client certificate,
    /// credentials, headers of its own (a tenant). Refuses a transport the
    /// URL cannot use (an `https://` host name TLS cannot verify).
    pub fn transport(mut self, transport: &Transport) -> Result<RemoteWrite, ExportError> {
        self.endpoint.configure(transport).map_err(|e| ExportError::Config(format!("remote-write transport: {e}")))?;
        Ok(self)
    }

    /// The request bodies a delivery of `snapshot` sends, in order:
    /// protobuf `WriteRequest`s, snappy-compressed, with the samples at
    /// `timestamp_ms`. For inspection and benchmarks; a delivery encodes
    /// the same way.
    pub fn requests(&self, snapshot: &Snapshot, timestamp_ms: i64) -> Result<Vec<Vec<u8>>, SinkError> {
        let mut body = Vec::new();
        let mut series = self.series(snapshot, timestamp_ms).into_iter().peekable();
        let mut requests = Vec::new();
        while series.peek().is_some() {
            let (compressed, _) = self.request(&mut series, &mut body)?;
            requests.push(compressed);
        }
        Ok(requests)
    }

    /// The next request of at most `max_samples` series, compressed, and
    /// how many samples it holds.
    fn request(
        &self,
        series: &mut impl Iterator<Item = prompb::TimeSeries>,
        body: &mut Vec<u8>,
    ) -> Result<(Vec<u8>, u64), SinkError> {
        let request = prompb::WriteRequest { timeseries: series.take(self.max_samples).collect() };
        body.clear();
        request.encode(body).map_err(|e| SinkError::permanent(format!("cannot encode a WriteRequest: {e}")))?;
        let compressed = snap::raw::Encoder::new()
            .compress_vec(body)
            .map_err(|e| SinkError::permanent(format!("cannot compress a WriteRequest: {e}")))?;
        Ok((compressed, request.timeseries.len() as u64))
    }

    /// At most this many samples per request (2,000 by default, as
    /// Prometheus sends). Refuses 0.
    pub fn max_samples_per_request(mut self, samples: usize) -> Result<RemoteWrite, ExportError> {
        if samples == 0 {
            return Err(ExportError::Config("remote-write requests need room for at least one sample".into()));
        }
        self.max_samples = samples;
        Ok(self)
    }

    /// The time series of a snapshot, at `timestamp` (ms).
    fn series(&self, snapshot: &Snapshot, timestamp: i64) -> Vec<prompb::TimeSeries> {
        let mut out = Vec::new();
        for family in snapshot.families() {
            let descriptor = family.descriptor();
            for series in family.series() {
                let labels: Vec<(&str, &str)> = snapshot.labels_of(series).collect();
                let mut push = |suffix: &str, extra: Option<(&str, &str)>, value: f64| {
                    let mut all: Vec<prompb::Label> = labels
                        .iter()
                        .chain(extra.as_ref())
                        .map(|(n, v)| prompb::Label { name: (*n).to_owned(), value: (*v).to_owned() })
                        .chain(
                            self.external
                                .iter()
                                .filter(|(n, _)| !labels.iter().any(|(l, _)| l == n))
                                .map(|(n, v)| prompb::Label { name: n.to_owned(), value: v.to_owned() }),
                        )
                        .collect();
                    all.push(prompb::Label { name: "__name__".into(), value: format!("{}{suffix}", descriptor.name) });
                    all.sort_by(|a, b| a.name.cmp(&b.name));
                    out.push(prompb::TimeSeries { labels: all, samples: vec![prompb::Sample { value, timestamp }] });
                };
                match (descriptor.kind, series.value()) {
                    (MetricKind::Histogram, OwnedValue::Histogram { buckets, sum, count }) => {
                        let mut cumulative = 0u64;
                        for (i, n) in buckets.iter().enumerate() {
                            cumulative = cumulative.wrapping_add(*n);
                            let le = descriptor.buckets.get(i).map_or_else(|| "+Inf".to_owned(), |b| canonical_f64(*b));
                            push("_bucket", Some(("le", &le)), cumulative as f64);
                        }
                        push("_sum", None, *sum);
                        push("_count", None, *count as f64);
                    }
                    (MetricKind::Summary, OwnedValue::Summary { quantiles, values, sum, count }) => {
                        for (q, v) in quantiles.iter().zip(values) {
                            push("", Some(("quantile", &canonical_f64(*q))), *v);
                        }
                        push("_sum", None, *sum);
                        push("_count", None, *count as f64);
                    }
                    (_, value) => push("", None, value.as_f64()),
                }
            }
        }
        out
    }
}

impl Sink for RemoteWrite {
    fn kind(&self) -> &'static str {
        "remote_write"
    }

    fn destination(&self) -> String {
        self.endpoint.url(&self.path)
    }

    fn deliver<'a>(&'a mut self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<Delivered, SinkError>> {
        Box::pin(async move {
            let timestamp = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            let series = self.series(snapshot, timestamp);
            let total = series.len() as u64;
            let mut series = series.into_iter().peekable();
            let mut body = std::mem::take(&mut self.body);
            let (mut bytes, mut sent) = (0u64, 0u64);
            // One sample per series: a request holds `max_samples` series,
            // moved into it. Requests go one after another, in the
            // snapshot's order; the samples of a request that failed, and
            // of those after it, are unsent.
            while series.peek().is_some() {
                let (compressed, samples) = self.request(&mut series, &mut body)?;
                bytes += compressed.len() as u64;
                let what = format!("remote write to {}", self.destination());
                let outcome = match self.endpoint.send(Method::POST, &self.path, &self.headers, compressed.into()).await
                {
                    Ok(response) => response.check(&what),
                    Err(error) => Err(error),
                };
                if let Err(error) = outcome {
                    self.body = body;
                    return Err(error.with_samples(sent, total - sent));
                }
                sent += samples;
            }
            self.body = body;
            Ok(Delivered::new(bytes, sent))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics, Registry};

    #[derive(Clone, Copy, Debug, LabelValue)]
    enum Kind {
        Full,
    }

    #[derive(Clone, Copy, Debug, LabelSet)]
    struct ByKind {
        kind: Kind,
    }

    #[derive(Metrics)]
    #[metrics(subsystem = "rw_unit")]
    struct Unit {
        /// Jobs done.
        jobs_total: Family<ByKind, Counter>,
        /// Time a job took.
        #[metric(buckets = [0.5, 1.0])]
        latency_seconds: Histogram,
    }

    #[test]
    fn bad_settings_are_refused_with_the_reason() {
        let error = |result: Result<RemoteWrite, ExportError>| result.unwrap_err().to_string();
        assert!(error(RemoteWrite::new("127.0.0.1:9090/api/v1/write")).contains("is not a URL"));
        assert!(error(RemoteWrite::new("ftp://h/w")).contains("expected http or https"));
        let sink = || RemoteWrite::new("http://127.0.0.1:9090/api/v1/write").unwrap();
        assert!(error(sink().external_label("9lives", "x")).contains("is not an external label name"));
        assert!(error(sink().external_label("__name__", "x")).contains("not starting with `__`"));
        assert!(error(sink().external_label("job", "")).contains("is empty"));
        assert!(error(sink().external_label("job", "a").unwrap().external_label("job", "b")).contains("given twice"));
        let labels = ExternalLabels::new().label("job", "a").unwrap();
        assert!(error(sink().external_label("job", "a").unwrap().external_labels(&labels)).contains("given twice"));
        assert!(error(sink().max_samples_per_request(0)).contains("at least one sample"));
    }

    #[test]
    fn requests_hold_sorted_labels_with_the_name_and_at_most_the_cap() {
        let unit = Unit::new_unregistered();
        unit.jobs_total.with(ByKind { kind: Kind::Full }).inc_by(3);
        unit.latency_seconds.observe(0.7);
        let mut registry = Registry::new();
        registry.register_group(&unit).unwrap();
        let snapshot = registry.snapshot(|_| true);
        let labels = ExternalLabels::new().label("job", "unit").unwrap().label("instance", "i-1").unwrap();
        let sink = RemoteWrite::new("http://127.0.0.1:9/w")
            .unwrap()
            .external_labels(&labels)
            .unwrap()
            .max_samples_per_request(4)
            .unwrap();
        let requests = sink.requests(&snapshot, 1_000).unwrap();
        // 1 counter series + 3 buckets, _sum, _count: 6 samples, 4 + 2.
        assert_eq!(requests.len(), 2);
        let decoded: Vec<prompb::TimeSeries> = requests
            .iter()
            .flat_map(|body| {
                let raw = snap::raw::Decoder::new().decompress_vec(body).unwrap();
                prompb::WriteRequest::decode(raw.as_slice()).unwrap().timeseries
            })
            .collect();
        let shown: Vec<String> = decoded
            .iter()
            .map(|series| {
                let labels: Vec<String> = series.labels.iter().map(|l| format!("{}={}", l.name, l.value)).collect();
                let sample = &series.samples[0];
                format!("{} {} @{}", labels.join(","), sample.value, sample.timestamp)
            })
            .collect();
        assert_eq!(
            shown,
            [
                "__name__=metrics_rw_unit_jobs_total,instance=i-1,job=unit,kind=full 3 @1000",
                "__name__=metrics_rw_unit_latency_seconds_bucket,instance=i-1,job=unit,le=0.5 0 @1000",
                "__name__=metrics_rw_unit_latency_seconds_bucket,instance=i-1,job=unit,le=1.0 1 @1000",
                "__name__=metrics_rw_unit_latency_seconds_bucket,instance=i-1,job=unit,le=+Inf 1 @1000",
                "__name__=metrics_rw_unit_latency_seconds_sum,instance=i-1,job=unit 0.7 @1000",
                "__name__=metrics_rw_unit_latency_seconds_count,instance=i-1,job=unit 1 @1000",
            ]
        );
    }
}
