//! The OTLP sink against an independent decoder: `tests/otlp/receiver.py`
//! decodes each request with the official OpenTelemetry protobuf
//! definitions and reports it as JSON. The tests compare the resource,
//! every metric's type, temporality, monotonicity, bucket bounds and counts
//! with the registry; retries, `Retry-After` and partial success; and HTTPS
//! with a CA made at test time, with and without a client certificate.

use std::time::Duration;

use metricate::export::{Exporter, Otlp, Outcome, Transport};
use metricate::{Counter, Family, Gauge, Histogram, MetricKind, Metrics, OwnedValue};
use serde_json::Value;
use tests::labels::{ByKind, Kind};
use tests::otlp::OtlpReceiver;
use tests::registry_value;
use tests::tls::Authority;

/// What the retry test writes (a struct of its own: tests run at once).
#[derive(Metrics)]
#[metrics(subsystem = "otlp_retried")]
struct Retried {
    /// Attempts made.
    attempts_total: Counter,
}

/// What the decoder test writes.
#[derive(Metrics)]
#[metrics(subsystem = "otlp_written")]
struct Written {
    /// Jobs done.
    jobs_total: Family<ByKind, Counter>,
    /// Load now.
    load_ratio: Gauge,
    /// Time per job.
    #[metric(buckets = [0.1, 1.0, 10.0])]
    job_duration_seconds: Family<ByKind, Histogram>,
}

fn python() -> Option<std::path::PathBuf> {
    tests::otlp_python(env!("CARGO_TARGET_TMPDIR"))
}

/// An exporter with this one sink, delivering only when asked, with
/// backoffs short but long enough for a `Retry-After` of 1 s.
fn exporter_to(name: &str, sink: Otlp) -> Exporter {
    Exporter::builder()
        .interval(Duration::from_secs(3600))
        .backoff(Duration::from_millis(10), Duration::from_secs(5))
        .named_sink(name, sink, None)
        .build()
        .unwrap()
}

/// The metrics of the last request the receiver decoded, by name, with its
/// resource attributes and scope.
fn last_request(receiver: &OtlpReceiver) -> (Value, Vec<(String, String)>) {
    let requests = receiver.requests();
    let request = requests.last().unwrap_or_else(|| panic!("no request decoded\n{}", receiver.log())).clone();
    let resource = &request["request"]["resource_metrics"][0];
    let attributes = resource["resource"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kv| (kv["key"].as_str().unwrap().to_owned(), kv["value"]["string_value"].as_str().unwrap().to_owned()))
        .collect();
    (request, attributes)
}

fn metric<'a>(request: &'a Value, name: &str) -> &'a Value {
    let metrics = request["request"]["resource_metrics"][0]["scope_metrics"][0]["metrics"].as_array().unwrap();
    metrics.iter().find(|m| m["name"] == name).unwrap_or_else(|| panic!("no metric {name} in {request:#}"))
}

/// The data point of `metric` whose attribute `kind` is `kind`.
fn point<'a>(points: &'a Value, kind: &str) -> &'a Value {
    points
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["attributes"].as_array().is_some_and(|a| a.iter().any(|kv| kv["value"]["string_value"] == kind)))
        .unwrap_or_else(|| panic!("no point with kind={kind} in {points:#}"))
}

/// The data points of a decoded request.
fn data_points(request: &Value) -> u64 {
    let metrics = request["request"]["resource_metrics"][0]["scope_metrics"][0]["metrics"].as_array().unwrap();
    let points = |m: &Value| {
        ["sum", "gauge", "histogram"].iter().find_map(|k| m[*k]["data_points"].as_array()).map_or(0, Vec::len) as u64
    };
    metrics.iter().map(points).sum()
}

/// A 64-bit integer of the proto3 JSON mapping (a string), 0 when left out.
fn int(value: &Value) -> u64 {
    value.as_str().map_or(0, |s| s.parse().unwrap())
}

#[test]
fn the_decoder_reads_every_metric_as_the_registry_has_it() {
    let Some(python) = python() else { return };
    let receiver = OtlpReceiver::start(&python);
    let written = Written::global();
    written.jobs_total.with(ByKind { kind: Kind::Full }).inc_by(7);
    written.jobs_total.with(ByKind { kind: Kind::Incremental }).inc_by(40);
    written.load_ratio.set(0.75);
    for v in [0.05, 0.5, 0.5, 5.0, 50.0] {
        written.job_duration_seconds.with(ByKind { kind: Kind::Full }).observe(v);
    }
    let transport = Transport::new()
        .bearer_token("s3cr3t")
        .unwrap()
        .header("X-Scope-OrgID", "tenant-7")
        .unwrap()
        .header("User-Agent", "billing/2")
        .unwrap();
    for (name, gzip) in [("otlp_plain", false), ("otlp_gzip", true)] {
        let sink = Otlp::new(&receiver.base_url(), "otlp-test")
            .unwrap()
            .resource_attribute("service.version", "1.2.3")
            .unwrap()
            .gzip(gzip)
            .transport(&transport)
            .unwrap();
        let before = receiver.requests().len();
        let exporter = exporter_to(name, sink);
        exporter.start().unwrap();
        let report = exporter.flush_blocking().unwrap().remove(0);
        assert!(report.outcome.is_delivered(), "{report:?}\n{}", receiver.log());
        exporter.shutdown().unwrap();
        // Samples sent: the data points of every request (at start, the
        // flush, shutdown), as the decoder counts them.
        let points: u64 = receiver.requests()[before..].iter().map(data_points).sum();
        assert!(report.samples >= 5, "{report:?}");
        assert_eq!(registry_value("metrics_export_samples_sent_total", &[("sink", name)]), points as f64);

        let (request, attributes) = last_request(&receiver);
        assert_eq!(request["path"], "/v1/metrics");
        let headers = &request["headers"];
        assert_eq!(headers["content-type"], "application/x-protobuf");
        assert_eq!(headers["authorization"], "Bearer s3cr3t");
        assert_eq!(headers["x-scope-orgid"], "tenant-7");
        assert_eq!(headers["user-agent"], "billing/2", "the transport's header replaces the sink's");
        assert_eq!(headers.get("content-encoding").and_then(Value::as_str), gzip.then_some("gzip"), "{name}");
        assert_eq!(attributes[0], ("service.name".to_owned(), "otlp-test".to_owned()));
        assert!(attributes.contains(&("service.version".to_owned(), "1.2.3".to_owned())), "{attributes:?}");
        assert_eq!(request["request"]["resource_metrics"][0]["scope_metrics"][0]["scope"]["name"], "metricate");

        // Every metric has the type of its declaration: a counter a
        // cumulative monotonic sum (named without `_total`), a gauge a
        // gauge, a histogram a cumulative histogram with the declared bounds.
        assert_declared_types(&request);

        // Counters: cumulative monotonic sums, named without `_total`.
        let jobs = metric(&request, "trc_otlp_written_jobs");
        assert_eq!(jobs["description"], "Jobs done.");
        assert_eq!(jobs["sum"]["aggregation_temporality"], "AGGREGATION_TEMPORALITY_CUMULATIVE");
        assert_eq!(jobs["sum"]["is_monotonic"], true);
        let full = point(&jobs["sum"]["data_points"], "full");
        assert_eq!(int(&full["as_int"]), 7);
        assert_eq!(int(&point(&jobs["sum"]["data_points"], "incremental")["as_int"]), 40);
        // Every cumulative series starts when the process started: before
        // the point's time, the same for all.
        let (start, time) = (int(&full["start_time_unix_nano"]), int(&full["time_unix_nano"]));
        assert!(start > 0 && start < time, "{start} {time}");

        // Gauges.
        let load = metric(&request, "trc_otlp_written_load_ratio");
        assert_eq!(load["unit"], "1");
        assert_eq!(load["gauge"]["data_points"][0]["as_double"], registry_value("trc_otlp_written_load_ratio", &[]));

        // Histograms: explicit bounds, per-bucket counts, as in the registry.
        let duration = metric(&request, "trc_otlp_written_job_duration_seconds");
        assert_eq!(duration["unit"], "s");
        assert_eq!(duration["histogram"]["aggregation_temporality"], "AGGREGATION_TEMPORALITY_CUMULATIVE");
        let full = point(&duration["histogram"]["data_points"], "full");
        assert_eq!(full["explicit_bounds"], serde_json::json!([0.1, 1.0, 10.0]));
        let counts: Vec<u64> = full["bucket_counts"].as_array().unwrap().iter().map(int).collect();
        let registry = metricate::global().unwrap().snapshot(|d| d.name == "trc_otlp_written_job_duration_seconds");
        let series = registry.families()[0].find(&[("kind", "full")]).unwrap();
        let OwnedValue::Histogram { buckets, sum, count } = series.value() else { panic!("not a histogram") };
        assert_eq!(&counts, buckets, "per-bucket, not cumulative");
        assert_eq!(counts, [1, 2, 1, 1]);
        assert_eq!(int(&full["count"]), *count);
        assert_eq!(full["sum"], *sum);
        assert_eq!(int(&full["start_time_unix_nano"]), start);
    }
}

/// Every metric of a decoded request has the type of its declaration: a
/// counter a cumulative monotonic sum (named without `_total`), a gauge (and
/// an info metric, a state set) a gauge, a histogram a cumulative histogram
/// with the declared bounds, a summary its declared quantiles.
fn assert_declared_types(request: &Value) {
    let registry = metricate::global().unwrap();
    for m in request["request"]["resource_metrics"][0]["scope_metrics"][0]["metrics"].as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        let descriptor = registry
            .iter()
            .map(|r| r.descriptor)
            .find(|d| d.name == name || d.name.strip_suffix("_total") == Some(name))
            .unwrap_or_else(|| panic!("{name} is not declared"));
        match descriptor.kind {
            MetricKind::Counter => {
                assert_eq!(m["sum"]["aggregation_temporality"], "AGGREGATION_TEMPORALITY_CUMULATIVE", "{name}");
                assert_eq!(m["sum"]["is_monotonic"], true, "{name}");
            }
            MetricKind::Gauge | MetricKind::Info | MetricKind::StateSet => {
                assert!(m["gauge"]["data_points"].is_array(), "{name}: {m}");
            }
            MetricKind::Summary => {
                let quantiles = descriptor.summary.unwrap().quantiles;
                for p in m["summary"]["data_points"].as_array().unwrap() {
                    let declared: Vec<f64> = p["quantile_values"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|q| q["quantile"].as_f64().unwrap())
                        .collect();
                    assert_eq!(declared, quantiles, "{name}");
                }
            }
            MetricKind::Histogram => {
                assert_eq!(m["histogram"]["aggregation_temporality"], "AGGREGATION_TEMPORALITY_CUMULATIVE");
                for p in m["histogram"]["data_points"].as_array().unwrap() {
                    let bounds: Vec<f64> =
                        p["explicit_bounds"].as_array().unwrap().iter().map(|b| b.as_f64().unwrap()).collect();
                    assert_eq!(bounds, descriptor.buckets, "{name}");
                    assert_eq!(p["bucket_counts"].as_array().unwrap().len(), bounds.len() + 1, "{name}");
                }
            }
        }
    }
}

#[test]
fn retryable_statuses_are_retried_and_a_partial_success_is_counted_not_resent() {
    let Some(python) = python() else { return };
    let receiver = OtlpReceiver::start(&python);
    Retried::global().attempts_total.inc();
    let exporter = exporter_to("otlp_retry", Otlp::new(&receiver.base_url(), "otlp-test").unwrap());
    exporter.start().unwrap();
    let _ = exporter.flush_blocking().unwrap();
    let before = receiver.requests().len();

    // 503 with Retry-After, then a partial success: two attempts, the
    // rejected points dropped and counted, no third request.
    receiver.script(r#"{"status": 503, "retry_after": "1"}"#);
    receiver.script(r#"{"status": 200, "rejected_data_points": 2, "error_message": "two too old"}"#);
    let report = exporter.flush_blocking().unwrap().remove(0);
    assert!(report.outcome.is_delivered(), "{report:?}");
    assert_eq!((report.attempts, report.dropped), (2, 2), "{report:?}");
    assert!(report.duration >= Duration::from_secs(1), "Retry-After honoured: {report:?}");
    let answered: Vec<u64> = receiver.requests()[before..].iter().map(|r| r["answered"].as_u64().unwrap()).collect();
    assert_eq!(answered, [503, 200]);
    assert_eq!(registry_value("metrics_export_samples_dropped_total", &[("sink", "otlp_retry")]), 2.0);

    // 500 and 400 are not OTLP's retryable statuses: one attempt each,
    // every point dropped.
    for status in [500, 400] {
        receiver.script(&format!(r#"{{"status": {status}}}"#));
        let report = exporter.flush_blocking().unwrap().remove(0);
        let Outcome::Rejected(error) = &report.outcome else { panic!("{status}: {report:?}") };
        assert!(error.message().contains(&status.to_string()), "{error}");
        assert_eq!(report.attempts, 1);
        assert!(report.dropped >= 5, "{report:?}");
    }
    exporter.shutdown().unwrap();
}

#[test]
fn https_needs_the_ca_and_presents_the_client_certificate() {
    let Some(python) = python() else { return };
    let dir = tests::TempDir::new("otlp-tls");
    let authority = Authority::new("otlp test CA");
    let ca = authority.write_cert(&dir.join("ca.pem"));
    let server = authority.server(dir.path(), "server");
    let client = authority.client(dir.path(), "client");
    let receiver = OtlpReceiver::start_tls(&python, &server.cert, &server.key, Some(&ca));
    let url = receiver.base_url();
    assert!(url.starts_with("https://"), "{url}");

    // With the CA and a client certificate: delivered.
    let transport = Transport::new().ca_file(&ca).unwrap().client_cert(&client.cert, &client.key).unwrap();
    let exporter = exporter_to("otlp_tls", Otlp::new(&url, "otlp-test").unwrap().transport(&transport).unwrap());
    exporter.start().unwrap();
    let report = exporter.flush_blocking().unwrap().remove(0);
    assert!(report.outcome.is_delivered(), "{report:?}\n{}", receiver.log());
    exporter.shutdown().unwrap();
    let (_, attributes) = last_request(&receiver);
    assert_eq!(attributes[0].1, "otlp-test");

    // Without the CA (the platform's roots do not hold it): a clear,
    // counted error, not retried.
    let exporter = exporter_to("otlp_untrusted", Otlp::new(&url, "otlp-test").unwrap());
    exporter.start().unwrap();
    let report = exporter.flush_blocking().unwrap().remove(0);
    let Outcome::Rejected(error) = &report.outcome else { panic!("{report:?}") };
    assert!(error.message().contains("TLS handshake with localhost"), "{error}");
    assert!(error.message().contains("UnknownIssuer"), "{error}");
    assert_eq!(report.attempts, 1);
    exporter.shutdown().unwrap();
    let counted =
        registry_value("metrics_export_deliveries_total", &[("sink", "otlp_untrusted"), ("result", "rejected")]);
    assert!(counted >= 1.0, "{counted}");

    // With the CA but no client certificate: the server refuses it.
    let transport = Transport::new().ca_file(&ca).unwrap();
    let exporter = exporter_to("otlp_anonymous", Otlp::new(&url, "otlp-test").unwrap().transport(&transport).unwrap());
    exporter.start().unwrap();
    let report = exporter.flush_blocking().unwrap().remove(0);
    assert!(!report.outcome.is_delivered(), "{report:?}");
    exporter.shutdown().unwrap();
}

#[test]
fn bad_settings_are_errors_when_the_sink_is_built() {
    let error = |result: Result<Otlp, metricate::export::ExportError>| result.unwrap_err().to_string();
    assert!(error(Otlp::new("not a url", "svc")).contains("is not a URL"));
    assert!(error(Otlp::new("http://127.0.0.1:4318", "")).contains("service.name is empty"));
    let dir = tests::TempDir::new("otlp-bad");
    std::fs::write(dir.join("empty.pem"), "").unwrap();
    let transport = Transport::new().ca_file(dir.join("empty.pem"));
    assert!(transport.unwrap_err().to_string().contains("no certificate found"));
    // TLS settings on a plain http URL would protect nothing: refused.
    let ca = Authority::new("bad settings CA").write_cert(&dir.join("ca.pem"));
    let with_ca = Transport::new().ca_file(&ca).unwrap();
    let plain = Otlp::new("http://127.0.0.1:4318", "svc").unwrap().transport(&with_ca);
    assert!(error(plain).contains("applies to https:// only"));
    assert!(Otlp::new("https://localhost:4318", "svc").unwrap().transport(&with_ca).is_ok());
}
