//! The OTLP/HTTP sink: each delivery sends the snapshot as one protobuf
//! `ExportMetricsServiceRequest` (prost, with the messages written out here
//! so that no `protoc` is needed) to `/v1/metrics`: cumulative monotonic
//! sums for counters, gauges, explicit-bucket histograms, all starting at
//! the start of the process.

use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use metricate_spec::MetricKind;
use prost::Message as _;

use super::http::{Endpoint, Transport};
use super::{BoxFuture, Delivered, ExportError, Sink, SinkError};
use crate::snapshot::{OwnedValue, Snapshot};

/// The messages of `opentelemetry-proto` (collector/metrics/v1,
/// metrics/v1, resource/v1, common/v1) that a metrics exporter writes, and
/// the response it reads.
mod proto {
    super::super::proto::messages! {
        ExportMetricsServiceRequest { "1" resource_metrics: Vec<ResourceMetrics> = message repeated }
        ExportMetricsServiceResponse { "1" partial_success: Option<ExportMetricsPartialSuccess> = message optional }
        ExportMetricsPartialSuccess { "1" rejected_data_points: i64 = int64, "2" error_message: String = string }
        ResourceMetrics {
            "1" resource: Option<Resource> = message optional,
            "2" scope_metrics: Vec<ScopeMetrics> = message repeated,
        }
        Resource { "1" attributes: Vec<KeyValue> = message repeated }
        KeyValue { "1" key: String = string, "2" value: Option<AnyValue> = message optional }
        InstrumentationScope { "1" name: String = string, "2" version: String = string }
        ScopeMetrics {
            "1" scope: Option<InstrumentationScope> = message optional,
            "2" metrics: Vec<Metric> = message repeated,
        }
        Gauge { "1" data_points: Vec<NumberDataPoint> = message repeated }
        Sum {
            "1" data_points: Vec<NumberDataPoint> = message repeated,
            /// An `AggregationTemporality`.
            "2" aggregation_temporality: i32 = int32,
            "3" is_monotonic: bool = bool,
        }
        Histogram {
            "1" data_points: Vec<HistogramDataPoint> = message repeated,
            /// An `AggregationTemporality`.
            "2" aggregation_temporality: i32 = int32,
        }
        Summary { "1" data_points: Vec<SummaryDataPoint> = message repeated }
        SummaryDataPoint {
            "7" attributes: Vec<KeyValue> = message repeated,
            "2" start_time_unix_nano: u64 = fixed64,
            "3" time_unix_nano: u64 = fixed64,
            "4" count: u64 = fixed64,
            "5" sum: f64 = double,
            "6" quantile_values: Vec<ValueAtQuantile> = message repeated,
        }
        /// Nested in `SummaryDataPoint`.
        ValueAtQuantile { "1" quantile: f64 = double, "2" value: f64 = double }
        HistogramDataPoint {
            "9" attributes: Vec<KeyValue> = message repeated,
            "2" start_time_unix_nano: u64 = fixed64,
            "3" time_unix_nano: u64 = fixed64,
            "4" count: u64 = fixed64,
            "5" sum: Option<f64> = double optional,
            "6" bucket_counts: Vec<u64> = fixed64 repeated,
            "7" explicit_bounds: Vec<f64> = double repeated,
        }
    }

    /// `AnyValue`, of which the exporter writes strings only.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct AnyValue {
        #[prost(oneof = "any_value::Value", tags = "1")]
        pub(crate) value: Option<any_value::Value>,
    }

    pub(crate) mod any_value {
        /// `AnyValue.value`.
        #[derive(Clone, PartialEq, prost::Oneof)]
        pub(crate) enum Value {
            #[prost(string, tag = "1")]
            StringValue(String),
        }
    }

    /// `Metric`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct Metric {
        #[prost(string, tag = "1")]
        pub(crate) name: String,
        #[prost(string, tag = "2")]
        pub(crate) description: String,
        #[prost(string, tag = "3")]
        pub(crate) unit: String,
        #[prost(oneof = "metric::Data", tags = "5, 7, 9, 11")]
        pub(crate) data: Option<metric::Data>,
    }

    pub(crate) mod metric {
        /// `Metric.data`.
        #[derive(Clone, PartialEq, prost::Oneof)]
        pub(crate) enum Data {
            #[prost(message, tag = "5")]
            Gauge(super::Gauge),
            #[prost(message, tag = "7")]
            Sum(super::Sum),
            #[prost(message, tag = "9")]
            Histogram(super::Histogram),
            #[prost(message, tag = "11")]
            Summary(super::Summary),
        }
    }

    /// `AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE`.
    pub(crate) const CUMULATIVE: i32 = 2;

    /// `NumberDataPoint`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct NumberDataPoint {
        #[prost(message, repeated, tag = "7")]
        pub(crate) attributes: Vec<KeyValue>,
        #[prost(fixed64, tag = "2")]
        pub(crate) start_time_unix_nano: u64,
        #[prost(fixed64, tag = "3")]
        pub(crate) time_unix_nano: u64,
        #[prost(oneof = "number_data_point::Value", tags = "4, 6")]
        pub(crate) value: Option<number_data_point::Value>,
    }

    pub(crate) mod number_data_point {
        /// `NumberDataPoint.value`.
        #[derive(Clone, Copy, PartialEq, prost::Oneof)]
        pub(crate) enum Value {
            #[prost(double, tag = "4")]
            AsDouble(f64),
            #[prost(sfixed64, tag = "6")]
            AsInt(i64),
        }
    }
}

use proto::number_data_point::Value as Number;

/// The data point of one summary series.
fn summary_point(
    series: &crate::snapshot::SeriesSnapshot,
    attributes: Vec<proto::KeyValue>,
    start: u64,
    time: u64,
) -> proto::SummaryDataPoint {
    let (quantile_values, sum, count) = match series.value() {
        OwnedValue::Summary { quantiles, values, sum, count } => (
            quantiles.iter().zip(values).map(|(q, v)| proto::ValueAtQuantile { quantile: *q, value: *v }).collect(),
            *sum,
            *count,
        ),
        other => (Vec::new(), other.as_f64(), 0),
    };
    proto::SummaryDataPoint {
        attributes,
        start_time_unix_nano: start,
        time_unix_nano: time,
        count,
        sum,
        quantile_values,
    }
}

/// Sends the registry to an OpenTelemetry collector or any OTLP/HTTP
/// metrics endpoint (protobuf encoding).
///
/// ```
/// use metricate::export::{Otlp, Transport};
///
/// let sink = Otlp::new("http://127.0.0.1:4318", "billing")?
///     .resource_attribute("service.version", env!("CARGO_PKG_VERSION"))?
///     .resource_attribute("deployment.environment.name", "production")?
///     .gzip(true);
/// // A hosted endpoint, with a key in a header of its own:
/// let hosted = Otlp::new("https://otlp.example.com/otlp", "billing")?
///     .transport(&Transport::new().header("X-Api-Key", "s3cr3t")?)?;
/// # Ok::<(), metricate::export::ExportError>(())
/// ```
///
/// Each delivery is one request with one resource (`service.name` and the
/// attributes set here) and one scope (`metricate` and its version). A
/// counter is a cumulative monotonic sum named without its `_total` (as the
/// OpenTelemetry–Prometheus compatibility rules name it; a Prometheus
/// receiver adds it back), a gauge a gauge, a histogram an explicit-bucket
/// histogram with per-bucket counts; labels are attributes, and the unit is
/// the UCUM spelling of the declared one (`s`, `By`, `1`, ...). Every
/// cumulative series starts when the process started.
///
/// A 429, 502, 503 or 504 answer or a network error is retried (after the
/// server's `Retry-After`); another error status is permanent. A partial
/// success is not retried: its rejected data points are counted in
/// `metrics_export_samples_dropped_total`.
pub struct Otlp {
    endpoint: Endpoint,
    path: String,
    service: String,
    attributes: Vec<(String, String)>,
    gzip: bool,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl std::fmt::Debug for Otlp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Otlp")
            .field("url", &self.endpoint.url(&self.path))
            .field("service", &self.service)
            .field("attributes", &self.attributes)
            .field("gzip", &self.gzip)
            .finish_non_exhaustive()
    }
}

/// The path of metrics under an OTLP/HTTP base URL.
const METRICS_PATH: &str = "/v1/metrics";

impl Otlp {
    /// A sink posting to `url`: the collector's base URL (e.g.
    /// `http://127.0.0.1:4318`, to which `/v1/metrics` is added) or the
    /// whole URL ending in `/v1/metrics`, for the service `service_name`.
    /// Refuses a URL that does not parse or is not `http` or `https`, and
    /// an empty service name.
    pub fn new(url: &str, service_name: &str) -> Result<Otlp, ExportError> {
        let (base, path) = match url.trim_end_matches('/').strip_suffix(METRICS_PATH) {
            Some(base) => (base, METRICS_PATH),
            None => (url, METRICS_PATH),
        };
        let endpoint =
            Endpoint::parse(base, &Transport::new()).map_err(|e| ExportError::Config(format!("OTLP URL {e}")))?;
        if service_name.trim().is_empty() {
            return Err(ExportError::Config(
                "the OTLP service.name is empty: every resource needs the name of its service".into(),
            ));
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-protobuf"));
        headers.insert(header::USER_AGENT, HeaderValue::from_static(concat!("metricate/", env!("CARGO_PKG_VERSION"))));
        Ok(Otlp {
            endpoint,
            path: path.to_owned(),
            service: service_name.to_owned(),
            attributes: Vec::new(),
            gzip: false,
            headers,
            body: Vec::new(),
        })
    }

    /// Adds a resource attribute (e.g. `service.version`,
    /// `service.instance.id`, `deployment.environment.name`). Refuses an
    /// empty key, `service.name` (given to [`Otlp::new`]) and a key given
    /// twice.
    pub fn resource_attribute(mut self, key: &str, value: &str) -> Result<Otlp, ExportError> {
        if key.is_empty() {
            return Err(ExportError::Config("a resource attribute has an empty key".into()));
        }
        if key == "service.name" {
            return Err(ExportError::Config("`service.name` is the service, given to Otlp::new".into()));
        }
        if self.attributes.iter().any(|(k, _)| k == key) {
            return Err(ExportError::Config(format!("the resource attribute `{key}` is given twice")));
        }
        self.attributes.push((key.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// Compresses requests with gzip (`Content-Encoding: gzip`); off by
    /// default, as in the OpenTelemetry SDKs.
    #[must_use]
    pub fn gzip(mut self, on: bool) -> Otlp {
        self.gzip = on;
        if on {
            self.headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        } else {
            self.headers.remove(header::CONTENT_ENCODING);
        }
        self
    }

    /// How to connect and authenticate: TLS trust, a client certificate,
    /// credentials, headers of its own. Refuses a transport the URL cannot
    /// use (an `https://` host name TLS cannot verify).
    pub fn transport(mut self, transport: &Transport) -> Result<Otlp, ExportError> {
        self.endpoint.configure(transport).map_err(|e| ExportError::Config(format!("OTLP transport: {e}")))?;
        Ok(self)
    }

    /// The request body a delivery of `snapshot` sends (gzip-compressed if
    /// set), with the data points at `time` (ns since the Unix epoch), and
    /// the number of data points in it. For inspection and benchmarks; a
    /// delivery encodes the same way.
    pub fn request(&self, snapshot: &Snapshot, time: u64) -> Result<(Vec<u8>, u64), SinkError> {
        let mut body = Vec::new();
        let points = self.encode(snapshot, time, &mut body)?;
        Ok((body, points))
    }

    /// Encodes the request into `body`; returns its data points.
    fn encode(&self, snapshot: &Snapshot, time: u64, body: &mut Vec<u8>) -> Result<u64, SinkError> {
        let (request, points) = self.message(snapshot, time);
        body.clear();
        if self.gzip {
            let mut encoder = flate2::write::GzEncoder::new(std::mem::take(body), flate2::Compression::fast());
            std::io::Write::write_all(&mut encoder, &request.encode_to_vec())
                .and_then(|()| encoder.finish().map(|out| *body = out))
                .map_err(|e| SinkError::permanent(format!("cannot compress an OTLP request: {e}")))?;
        } else {
            request.encode(body).map_err(|e| SinkError::permanent(format!("cannot encode an OTLP request: {e}")))?;
        }
        Ok(points)
    }

    /// The request for a snapshot at `time`, and its number of data points.
    fn message(&self, snapshot: &Snapshot, time: u64) -> (proto::ExportMetricsServiceRequest, u64) {
        let start = crate::process::start_unix_nanos();
        let mut metrics = Vec::new();
        let mut points = 0u64;
        for family in snapshot.families() {
            let descriptor = family.descriptor();
            if family.series().is_empty() {
                continue;
            }
            let attributes = |series: &crate::snapshot::SeriesSnapshot| -> Vec<proto::KeyValue> {
                snapshot.labels_of(series).map(|(k, v)| string_attribute(k, v)).collect()
            };
            let number = |series: &crate::snapshot::SeriesSnapshot, value: Number| proto::NumberDataPoint {
                attributes: attributes(series),
                start_time_unix_nano: start,
                time_unix_nano: time,
                value: Some(value),
            };
            let data = match descriptor.kind {
                MetricKind::Counter => proto::metric::Data::Sum(proto::Sum {
                    data_points: family.series().iter().map(|s| number(s, number_value(s.value()))).collect(),
                    aggregation_temporality: proto::CUMULATIVE,
                    is_monotonic: true,
                }),
                // Info metrics and state sets are gauges of 1 and 0, as the
                // OpenTelemetry Prometheus compatibility rules map them.
                MetricKind::Gauge | MetricKind::Info | MetricKind::StateSet => {
                    proto::metric::Data::Gauge(proto::Gauge {
                        // A gauge's start time is not meaningful: left unset.
                        data_points: family
                            .series()
                            .iter()
                            .map(|s| proto::NumberDataPoint {
                                start_time_unix_nano: 0,
                                ..number(s, number_value(s.value()))
                            })
                            .collect(),
                    })
                }
                MetricKind::Histogram => proto::metric::Data::Histogram(proto::Histogram {
                    data_points: family
                        .series()
                        .iter()
                        .map(|s| {
                            let (bucket_counts, sum, count) = match s.value() {
                                OwnedValue::Histogram { buckets, sum, count } => (buckets.clone(), *sum, *count),
                                other => (Vec::new(), other.as_f64(), 0),
                            };
                            proto::HistogramDataPoint {
                                attributes: attributes(s),
                                start_time_unix_nano: start,
                                time_unix_nano: time,
                                count,
                                sum: Some(sum),
                                bucket_counts,
                                explicit_bounds: descriptor.buckets.to_vec(),
                            }
                        })
                        .collect(),
                    aggregation_temporality: proto::CUMULATIVE,
                }),
                MetricKind::Summary => proto::metric::Data::Summary(proto::Summary {
                    data_points: family.series().iter().map(|s| summary_point(s, attributes(s), start, time)).collect(),
                }),
            };
            points += family.series().len() as u64;
            let name = match descriptor.kind {
                MetricKind::Counter => descriptor.name.strip_suffix("_total").unwrap_or(descriptor.name),
                _ => descriptor.name,
            };
            metrics.push(proto::Metric {
                name: name.to_owned(),
                description: descriptor.help.to_owned(),
                unit: ucum(descriptor.unit).to_owned(),
                data: Some(data),
            });
        }
        let attributes = std::iter::once(string_attribute("service.name", &self.service))
            .chain(self.attributes.iter().map(|(k, v)| string_attribute(k, v)))
            .collect();
        let request = proto::ExportMetricsServiceRequest {
            resource_metrics: vec![proto::ResourceMetrics {
                resource: Some(proto::Resource { attributes }),
                scope_metrics: vec![proto::ScopeMetrics {
                    scope: Some(proto::InstrumentationScope {
                        name: "metricate".into(),
                        version: env!("CARGO_PKG_VERSION").into(),
                    }),
                    metrics,
                }],
            }],
        };
        (request, points)
    }
}

fn string_attribute(key: &str, value: &str) -> proto::KeyValue {
    proto::KeyValue {
        key: key.to_owned(),
        value: Some(proto::AnyValue { value: Some(proto::any_value::Value::StringValue(value.to_owned())) }),
    }
}

/// An integer where the value is one (a value past `i64::MAX` as a double).
fn number_value(value: &OwnedValue) -> Number {
    match *value {
        OwnedValue::Unsigned(v) => i64::try_from(v).map_or(Number::AsDouble(v as f64), Number::AsInt),
        OwnedValue::Signed(v) => Number::AsInt(v),
        ref other => Number::AsDouble(other.as_f64()),
    }
}

/// The UCUM spelling of a declared base unit, as OTLP carries units.
fn ucum(unit: Option<&str>) -> &'static str {
    match unit {
        Some("seconds") => "s",
        Some("bytes") => "By",
        Some("ratio") => "1",
        Some("meters") => "m",
        Some("grams") => "g",
        Some("joules") => "J",
        Some("volts") => "V",
        Some("amperes") => "A",
        Some("celsius") => "Cel",
        _ => "",
    }
}

/// OTLP's retryable statuses.
fn retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

impl Sink for Otlp {
    fn kind(&self) -> &'static str {
        "otlp"
    }

    fn destination(&self) -> String {
        self.endpoint.url(&self.path)
    }

    fn deliver<'a>(&'a mut self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<Delivered, SinkError>> {
        Box::pin(async move {
            let time = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
            let mut body = std::mem::take(&mut self.body);
            let points = self.encode(snapshot, time, &mut body);
            let points = match points {
                Ok(points) => points,
                Err(error) => {
                    self.body = body;
                    return Err(error);
                }
            };
            let bytes = body.len() as u64;
            let sent = bytes::Bytes::copy_from_slice(&body);
            self.body = body;
            let unsent = |e: SinkError| e.with_samples(0, points);
            let response = self.endpoint.send(Method::POST, &self.path, &self.headers, sent).await.map_err(unsent)?;
            response.check_with(&format!("OTLP export to {}", self.destination()), retryable).map_err(unsent)?;
            // A partial success: the server kept the other points, and
            // asks that the request not be sent again.
            let rejected = if response.content_type.starts_with("application/x-protobuf") {
                proto::ExportMetricsServiceResponse::decode(response.body.as_ref())
                    .ok()
                    .and_then(|r| r.partial_success)
                    .map_or(0, |p| u64::try_from(p.rejected_data_points).unwrap_or(0).min(points))
            } else {
                0
            };
            Ok(Delivered { bytes, samples: points - rejected, rejected })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_settings_are_checked() {
        let error = |result: Result<Otlp, ExportError>| result.unwrap_err().to_string();
        assert_eq!(Otlp::new("http://c:4318", "svc").unwrap().destination(), "http://c:4318/v1/metrics");
        assert_eq!(Otlp::new("http://c:4318/otlp/", "svc").unwrap().destination(), "http://c:4318/otlp/v1/metrics");
        assert_eq!(Otlp::new("https://c/v1/metrics", "svc").unwrap().destination(), "https://c/v1/metrics");
        assert!(error(Otlp::new("c:4318", "svc")).contains("has no scheme"));
        assert!(error(Otlp::new("http://c:4318", "")).contains("service.name is empty"));
        assert!(error(Otlp::new("http://c:4318", "  ")).contains("service.name is empty"));
        let sink = || Otlp::new("http://c:4318", "svc").unwrap();
        assert!(error(sink().resource_attribute("", "x")).contains("empty key"));
        assert!(error(sink().resource_attribute("service.name", "x")).contains("given to Otlp::new"));
        assert!(error(sink().resource_attribute("a", "x").unwrap().resource_attribute("a", "y")).contains("twice"));
    }

    #[test]
    fn the_process_started_before_now_and_after_boot() {
        let start = crate::process::start_unix_nanos();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64;
        assert!(start <= now);
        assert_eq!(start, crate::process::start_unix_nanos(), "read once");
        if cfg!(target_os = "linux") {
            // Read from /proc, not at the first call: this test process
            // started before the call, by the time the harness took to
            // get here (well under an hour), but not after it.
            assert!(crate::process::start_time().is_some());
            assert!(now - start < 3_600_000_000_000);
        }
    }

    #[test]
    fn only_otlp_retryable_statuses_are_retried() {
        for status in [429, 502, 503, 504] {
            assert!(retryable(StatusCode::from_u16(status).unwrap()), "{status}");
        }
        for status in [400, 401, 403, 404, 408, 413, 500, 501] {
            assert!(!retryable(StatusCode::from_u16(status).unwrap()), "{status}");
        }
    }
}
