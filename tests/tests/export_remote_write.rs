//! The remote-write sink against a real Prometheus receiving remote writes
//! (`--web.enable-remote-write-receiver`): PromQL on it returns the
//! counters, gauges and histogram buckets with the values the registry had
//! at the delivery, with the external labels, across several requests, and
//! `histogram_quantile` over the pushed buckets is finite.

use std::time::Duration;

use metricate::export::{Exporter, RemoteWrite};
use metricate::{Counter, Family, Gauge, Histogram, Metrics};
use tests::labels::{ByKind, Kind};
use tests::prometheus::Prometheus;
use tests::{registry_value, wait_until};

/// What the test writes.
#[derive(Metrics)]
#[metrics(subsystem = "written")]
struct Written {
    /// Jobs done.
    jobs_total: Family<ByKind, Counter>,
    /// Load now.
    load_ratio: Gauge,
    /// Time per job.
    #[metric(buckets = [0.1, 1.0, 10.0])]
    job_duration_seconds: Family<ByKind, Histogram>,
}

#[test]
fn promql_reads_what_the_sink_wrote() {
    let Some(binary) = tests::prometheus() else { return };
    let mut prometheus = Prometheus::start_with(&binary, "", &["--web.enable-remote-write-receiver"]);
    prometheus.wait_ready();
    let written = Written::global();
    written.jobs_total.with(ByKind { kind: Kind::Full }).inc_by(7);
    written.jobs_total.with(ByKind { kind: Kind::Incremental }).inc_by(40);
    written.load_ratio.set(0.75);
    for v in [0.05, 0.5, 0.5, 5.0, 50.0] {
        written.job_duration_seconds.with(ByKind { kind: Kind::Full }).observe(v);
    }
    let url = format!("http://{}/api/v1/write", prometheus.addr());
    // Small requests, so that a delivery takes several.
    let sink = RemoteWrite::new(&url)
        .unwrap()
        .external_label("instance", "rw-test")
        .unwrap()
        .max_samples_per_request(7)
        .unwrap();
    let exporter = Exporter::builder().interval(Duration::from_secs(3600)).sink(sink).build().unwrap();
    exporter.start().unwrap();
    let reports = exporter.flush_blocking().unwrap();
    assert!(reports[0].outcome.is_delivered(), "{reports:?}\n{}", prometheus.log());
    exporter.shutdown().unwrap();

    let value =
        |promql: &str| prometheus.value(promql).unwrap_or_else(|| panic!("{promql}: no value\n{}", prometheus.log()));
    assert_eq!(value(r#"trc_written_jobs_total{kind="full",instance="rw-test"}"#), 7.0);
    assert_eq!(value(r#"trc_written_jobs_total{kind="incremental",instance="rw-test"}"#), 40.0);
    assert_eq!(value(r#"trc_written_load_ratio{instance="rw-test"}"#), 0.75);
    assert_eq!(value(r#"trc_written_job_duration_seconds_count{kind="full"}"#), 5.0);
    assert_eq!(value(r#"trc_written_job_duration_seconds_sum{kind="full"}"#), 56.05);
    assert_eq!(value(r#"trc_written_job_duration_seconds_bucket{kind="full",le="1.0"}"#), 3.0);
    assert_eq!(value(r#"trc_written_job_duration_seconds_bucket{kind="full",le="+Inf"}"#), 5.0);
    let quantile =
        value(r#"histogram_quantile(0.5, sum by (le) (trc_written_job_duration_seconds_bucket{kind="full"}))"#);
    assert!(quantile.is_finite() && quantile > 0.1 && quantile <= 1.0, "{quantile}");
}

/// What the outage test counts.
#[derive(Metrics)]
#[metrics(subsystem = "rw_outage")]
struct Outage {
    /// Events recorded while the receiver comes and goes.
    events_total: Counter,
}

#[test]
fn after_an_outage_later_samples_arrive_and_the_total_matches() {
    let Some(binary) = tests::prometheus() else { return };
    let mut prometheus = Prometheus::start_with(&binary, "", &["--web.enable-remote-write-receiver"]);
    prometheus.wait_ready();
    let events = &Outage::global().events_total;
    let url = format!("http://{}/api/v1/write", prometheus.addr());
    let exporter = Exporter::builder()
        .named_sink("rw_outage", RemoteWrite::new(&url).unwrap(), Some(Duration::from_millis(200)))
        .timeout(Duration::from_secs(1))
        .max_retries(1)
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .build()
        .unwrap();
    exporter.start().unwrap();
    let total = |prometheus: &Prometheus| prometheus.value("trc_rw_outage_events_total");
    events.inc_by(5);
    prometheus.wait_for("trc_rw_outage_events_total", Duration::from_secs(60), |v| v == 5.0);

    let failed = || registry_value("metrics_export_deliveries_total", &[("sink", "rw_outage"), ("result", "failed")]);
    let dropped = || registry_value("metrics_export_samples_dropped_total", &[("sink", "rw_outage")]);
    let sent = || registry_value("metrics_export_samples_sent_total", &[("sink", "rw_outage")]);
    // The exporter counts a delivery when the receiver's answer is back,
    // just after the receiver has the samples.
    wait_until("samples sent are counted", Duration::from_secs(60), || sent() > 0.0);
    let before = (failed(), dropped());
    prometheus.stop();
    events.inc_by(1_000);
    wait_until("failed deliveries counted while the receiver is down", Duration::from_secs(60), || {
        failed() >= before.0 + 2.0
    });
    // What the failed deliveries would have sent is dropped and counted:
    // at least this family's sample each time.
    assert!(dropped() >= before.1 + 2.0, "{} dropped samples", dropped());
    events.inc_by(7);
    prometheus.restart();
    prometheus.wait_for("trc_rw_outage_events_total", Duration::from_secs(60), |v| v == 1_012.0);
    assert_eq!(total(&prometheus), Some(1_012.0));
    exporter.shutdown().unwrap();
}
