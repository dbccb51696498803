//! The Pushgateway sink against a real Prometheus Pushgateway on loopback:
//! every family of the registry arrives with the job and grouping labels
//! and the registry's values, grouping values with `/` round-trip, `PUT`
//! replaces the group, `POST` merges into it, shutdown can `DELETE` it, and
//! across an outage the exporter counts failures and retries and then
//! delivers the exact totals.

use std::collections::BTreeMap;
use std::time::Duration;

use metricate::encode::{self, PrometheusText};
use metricate::export::{Exporter, PushMethod, Pushgateway as PushSink, Sink};
use metricate::{Counter, Family, Histogram, IntGauge, Metrics, Snapshot};
use metricate_catalog::exposition::{self, Exposition, Format};
use tests::labels::{ByKind, Kind};
use tests::pushgateway::Pushgateway;
use tests::{registry_value, wait_until};

/// What the first test pushes and compares.
#[derive(Metrics)]
#[metrics(subsystem = "pushed")]
struct Pushed {
    /// Backups taken.
    backups_total: Family<ByKind, Counter>,
    /// Time a backup took.
    #[metric(buckets = [1.0, 10.0, 60.0])]
    backup_duration_seconds: Family<ByKind, Histogram>,
    /// Files in the last backup.
    files: IntGauge,
}

/// What the outage test counts.
#[derive(Metrics)]
#[metrics(subsystem = "outage")]
struct Outage {
    /// Events recorded while the gateway comes and goes.
    events_total: Counter,
}

/// What the method test pushes.
#[derive(Metrics)]
#[metrics(subsystem = "methods")]
struct Methods {
    /// Pushes.
    pushes_total: Counter,
}

fn parse(text: &str) -> Exposition {
    exposition::parse(text, Format::Prometheus).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

/// Every sample of the gateway's exposition in the group `job`, by name and
/// labels (without the group's labels).
fn group(
    exposition: &Exposition,
    job: &str,
    grouping: &[(&str, &str)],
) -> BTreeMap<(String, Vec<(String, String)>), f64> {
    let mut samples = BTreeMap::new();
    for family in &exposition.families {
        for sample in &family.samples {
            if sample.label("job") != Some(job) {
                continue;
            }
            assert!(
                grouping.iter().all(|(name, value)| sample.label(name) == Some(*value)),
                "{} lacks the grouping labels {grouping:?}: {:?}",
                sample.name,
                sample.labels
            );
            let labels = sample
                .labels
                .iter()
                .filter(|(name, _)| name != "job" && !grouping.iter().any(|(g, _)| g == name))
                .cloned();
            samples.insert((sample.name.clone(), normalized(labels.collect())), sample.value);
        }
    }
    samples
}

/// Labels sorted, with `le` as a number (the gateway writes `1` where the
/// encoder writes `1.0`).
fn normalized(mut labels: Vec<(String, String)>) -> Vec<(String, String)> {
    for (name, value) in &mut labels {
        if name == "le" {
            *value = value.parse::<f64>().map_or_else(|_| value.clone(), |v| v.to_string());
        }
    }
    labels.sort();
    labels
}

fn text_of(snapshot: &Snapshot) -> String {
    let mut out = Vec::new();
    encode::encode(snapshot, &mut PrometheusText::new(), &mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn a_delivery_holds_every_family_with_the_group_labels_and_the_registrys_values() {
    let Some(binary) = tests::pushgateway() else { return };
    let gateway = Pushgateway::start(&binary);
    let pushed = Pushed::global();
    pushed.backups_total.with(ByKind { kind: Kind::Full }).inc_by(3);
    pushed.backups_total.with(ByKind { kind: Kind::Incremental }).inc_by(11);
    pushed.backup_duration_seconds.with(ByKind { kind: Kind::Full }).observe(42.5);
    pushed.backup_duration_seconds.with(ByKind { kind: Kind::Incremental }).observe(0.5);
    pushed.files.set(1_234);

    let grouping = [("instance", "db/3"), ("zone", "")];
    let sink = PushSink::new(&gateway.url(), "nightly")
        .unwrap()
        .grouping("instance", "db/3")
        .unwrap()
        .grouping("zone", "")
        .unwrap();
    assert!(sink.destination().contains("/instance@base64/ZGIvMw==/zone@base64/="));
    let exporter = Exporter::builder().interval(Duration::from_secs(3600)).sink(sink).build().unwrap();
    // A family with a series before the delivery has it at the delivery
    // (a touched series stays touched).
    let registry = metricate::global().unwrap();
    let before = registry.snapshot(|_| true);
    exporter.start().unwrap();
    let reports = exporter.flush_blocking().unwrap();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].outcome.is_delivered(), "{reports:?}");
    assert!(reports[0].bytes > 0);

    let at_gateway = parse(&gateway.metrics());
    let delivered = group(&at_gateway, "nightly", &grouping);
    // Every family with a series is in the group (the gateway keeps no
    // family without samples).
    for family in before.families().iter().filter(|f| !f.series().is_empty()) {
        let name = family.descriptor().name;
        assert!(delivered.keys().any(|(sample, _)| sample.starts_with(name)), "{name} is not at the gateway");
    }
    // The test's own families hold the registry's values, sample by sample:
    // nothing records to them after the delivery.
    let ours = parse(&text_of(&registry.snapshot(|d| d.subsystem == "pushed")));
    let expected: BTreeMap<(String, Vec<(String, String)>), f64> = ours
        .families
        .iter()
        .flat_map(|f| &f.samples)
        .map(|s| ((s.name.clone(), normalized(s.labels.clone())), s.value))
        .collect();
    assert_eq!(expected.len(), 2 + 2 * 6 + 1, "{expected:?}");
    for (key, value) in &expected {
        assert_eq!(delivered.get(key), Some(value), "{key:?}");
    }
    exporter.shutdown().unwrap();
}

#[test]
fn put_replaces_the_group_post_merges_into_it_and_shutdown_can_delete_it() {
    let Some(binary) = tests::pushgateway() else { return };
    let gateway = Pushgateway::start(&binary);
    Methods::global().pushes_total.inc();
    let families = |job: &str| -> Vec<String> {
        let exposition = parse(&gateway.metrics());
        let mut names: Vec<String> = exposition
            .families
            .iter()
            .filter(|f| f.samples.iter().any(|s| s.label("job") == Some(job)))
            .map(|f| f.name.clone())
            .filter(|name| !name.starts_with("push_"))
            .collect();
        names.sort();
        names
    };
    let push = |method: PushMethod, self_metrics: bool, delete: bool| {
        let sink = PushSink::new(&gateway.url(), "methods").unwrap().method(method).delete_on_shutdown(delete);
        let exporter = Exporter::builder()
            .interval(Duration::from_secs(3600))
            .self_metrics(self_metrics)
            .sink(sink)
            .build()
            .unwrap();
        exporter.start().unwrap();
        let reports = exporter.flush_blocking().unwrap();
        assert!(reports[0].outcome.is_delivered(), "{reports:?}");
        exporter.shutdown().unwrap();
    };
    let is_runtime = |name: &String| name.starts_with("metrics_export_");

    // PUT with the runtime's metrics, then PUT without them: replaced, gone.
    push(PushMethod::Put, true, false);
    let with = families("methods");
    assert!(with.iter().any(is_runtime) && with.iter().any(|n| n == "trc_methods_pushes_total"), "{with:?}");
    push(PushMethod::Put, false, false);
    let replaced = families("methods");
    assert!(!replaced.iter().any(is_runtime), "{replaced:?}");
    assert!(replaced.iter().any(|n| n == "trc_methods_pushes_total"));

    // PUT with them, then POST without them: merged, still there.
    push(PushMethod::Put, true, false);
    push(PushMethod::Post, false, false);
    let merged = families("methods");
    assert_eq!(merged, with);

    // DELETE at shutdown: the group is gone.
    push(PushMethod::Put, false, true);
    assert_eq!(families("methods"), Vec::<String>::new());
}

#[test]
fn across_an_outage_failures_and_retries_are_counted_and_the_totals_arrive_exactly() {
    let Some(binary) = tests::pushgateway() else { return };
    let mut gateway = Pushgateway::start(&binary);
    let events = &Outage::global().events_total;
    let sink = PushSink::new(&gateway.url(), "outage").unwrap();
    let exporter = Exporter::builder()
        .named_sink("outage", sink, Some(Duration::from_millis(200)))
        .timeout(Duration::from_secs(1))
        .max_retries(2)
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .build()
        .unwrap();
    exporter.start().unwrap();
    let at_gateway = |gateway: &Pushgateway| -> Option<f64> {
        let exposition = parse(&gateway.metrics());
        let family = exposition.family("trc_outage_events_total")?;
        family.samples.iter().find(|s| s.label("job") == Some("outage")).map(|s| s.value)
    };
    events.inc_by(5);
    wait_until("the first events reach the gateway", Duration::from_secs(30), || at_gateway(&gateway) == Some(5.0));

    let failed_before = registry_value("metrics_export_deliveries_total", &[("sink", "outage"), ("result", "failed")]);
    let retries_before = registry_value("metrics_export_delivery_retries_total", &[("sink", "outage")]);
    gateway.stop();
    for _ in 0..1_000 {
        events.inc();
    }
    wait_until("failed deliveries are counted", Duration::from_secs(30), || {
        registry_value("metrics_export_deliveries_total", &[("sink", "outage"), ("result", "failed")])
            >= failed_before + 2.0
    });
    let retries = registry_value("metrics_export_delivery_retries_total", &[("sink", "outage")]);
    assert!(retries >= retries_before + 4.0, "two retries per failed delivery: {retries_before} -> {retries}");
    // Visible from `/metrics` alone: the exposition says so.
    let mut exposition = Vec::new();
    encode::encode(metricate::global().unwrap(), &mut PrometheusText::new(), &mut exposition);
    let exposition = String::from_utf8(exposition).unwrap();
    assert!(exposition.contains("metrics_export_deliveries_total{sink=\"outage\",result=\"failed\"}"));

    events.inc_by(7);
    gateway.restart();
    wait_until("the exact totals reach the restarted gateway", Duration::from_secs(30), || {
        at_gateway(&gateway) == Some(1_012.0)
    });
    exporter.shutdown().unwrap();
}
