//! The Prometheus remote-write 1.0 sink: each delivery sends the snapshot
//! as protobuf `WriteRequest`s (prost, with the messages written out here so
//! that no `protoc` is needed), snappy-compressed (snap, block format), in
//! requests of at most a set number of samples.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use metricate_catalog::MetricKind;
use prost::Message as _;

use super::http::Endpoint;
use super::{BoxFuture, ExportError, Sink, SinkError};
use crate::encode::canonical_f64;
use crate::snapshot::{OwnedValue, Snapshot};

/// Prometheus' default: 2,000 samples per request.
pub const DEFAULT_MAX_SAMPLES_PER_REQUEST: usize = 2_000;

/// The messages of `prometheus/prompb` (remote.proto, types.proto) that a
/// 1.0 sender writes.
mod prompb {
    /// `prometheus.WriteRequest`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct WriteRequest {
        #[prost(message, repeated, tag = "1")]
        pub(crate) timeseries: Vec<TimeSeries>,
    }

    /// `prometheus.TimeSeries`: labels sorted by name, `__name__` among them.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct TimeSeries {
        #[prost(message, repeated, tag = "1")]
        pub(crate) labels: Vec<Label>,
        #[prost(message, repeated, tag = "2")]
        pub(crate) samples: Vec<Sample>,
    }

    /// `prometheus.Label`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct Label {
        #[prost(string, tag = "1")]
        pub(crate) name: String,
        #[prost(string, tag = "2")]
        pub(crate) value: String,
    }

    /// `prometheus.Sample`: a value at a time in milliseconds since the
    /// Unix epoch.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct Sample {
        #[prost(double, tag = "1")]
        pub(crate) value: f64,
        #[prost(int64, tag = "2")]
        pub(crate) timestamp: i64,
    }
}

/// Sends the registry to a Prometheus remote-write receiver (Prometheus
/// with `--web.enable-remote-write-receiver`, Mimir, Cortex, Thanos,
/// `VictoriaMetrics`).
///
/// ```
/// use metricate::export::RemoteWrite;
///
/// let sink = RemoteWrite::new("http://127.0.0.1:9090/api/v1/write")?
///     .external_label("instance", "billing-7")?
///     .max_samples_per_request(500)?;
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
    external: Vec<(String, String)>,
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
    /// parse or is not `http`.
    pub fn new(url: &str) -> Result<RemoteWrite, ExportError> {
        let endpoint = Endpoint::parse(url).map_err(|e| ExportError::Config(format!("remote-write URL {e}")))?;
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-protobuf"));
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("snappy"));
        headers.insert(HeaderName::from_static("x-prometheus-remote-write-version"), HeaderValue::from_static("0.1.0"));
        headers.insert(header::USER_AGENT, HeaderValue::from_static(concat!("metricate/", env!("CARGO_PKG_VERSION"))));
        Ok(RemoteWrite {
            endpoint,
            path: String::new(),
            external: Vec::new(),
            max_samples: DEFAULT_MAX_SAMPLES_PER_REQUEST,
            headers,
            body: Vec::new(),
        })
    }

    /// Adds a label to every series (e.g. `job`, `instance`). Refuses a
    /// name that is not a label name, starts with `__`, or is given twice.
    pub fn external_label(mut self, name: &str, value: &str) -> Result<RemoteWrite, ExportError> {
        super::check_label_name(name, "an external label")?;
        if self.external.iter().any(|(n, _)| n == name) {
            return Err(ExportError::Config(format!("the external label `{name}` is given twice")));
        }
        if value.is_empty() {
            return Err(ExportError::Config(format!(
                "the external label `{name}` is empty: a label without a value is no label"
            )));
        }
        self.external.push((name.to_owned(), value.to_owned()));
        Ok(self)
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
                let labels: Vec<(&str, &str)> = series.labels().collect();
                let mut push = |suffix: &str, extra: Option<(&str, &str)>, value: f64| {
                    let mut all: Vec<prompb::Label> = labels
                        .iter()
                        .chain(extra.as_ref())
                        .map(|(n, v)| prompb::Label { name: (*n).to_owned(), value: (*v).to_owned() })
                        .chain(
                            self.external
                                .iter()
                                .filter(|(n, _)| !labels.iter().any(|(l, _)| l == n))
                                .map(|(n, v)| prompb::Label { name: n.clone(), value: v.clone() }),
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

    fn deliver<'a>(&'a mut self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<u64, SinkError>> {
        Box::pin(async move {
            let timestamp = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            let mut series = self.series(snapshot, timestamp).into_iter().peekable();
            let mut bytes = 0u64;
            // One sample per series: a request holds `max_samples` series,
            // moved into it. Requests go one after another, in the
            // snapshot's order.
            while series.peek().is_some() {
                let request = prompb::WriteRequest { timeseries: series.by_ref().take(self.max_samples).collect() };
                self.body.clear();
                request
                    .encode(&mut self.body)
                    .map_err(|e| SinkError::permanent(format!("cannot encode a WriteRequest: {e}")))?;
                let compressed = snap::raw::Encoder::new()
                    .compress_vec(&self.body)
                    .map_err(|e| SinkError::permanent(format!("cannot compress a WriteRequest: {e}")))?;
                bytes += compressed.len() as u64;
                let response =
                    self.endpoint.send(Method::POST, &self.path, self.headers.clone(), Bytes::from(compressed)).await?;
                response.check(&format!("remote write to {}", self.destination()))?;
            }
            Ok(bytes)
        })
    }
}
