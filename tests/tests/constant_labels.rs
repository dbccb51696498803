//! Constant labels reach every sink, checked at the real receiving end: a
//! registry with constant labels is snapshotted and the snapshot handed to
//! each sink's `deliver` (the exporter delivers the global registry only;
//! a sink takes any snapshot).
//!
//! - remote-write: PromQL on a real Prometheus finds every series pushed
//!   with the constant labels (values with quotes and backslashes intact),
//!   and an external label of the same name does not replace them;
//! - OTLP: the official OpenTelemetry decoder sees them first among the
//!   attributes of every data point of every kind, not as resource
//!   attributes;
//! - StatsD: Etsy's daemon keys the series with them, folded into the name
//!   or as DogStatsD tags;
//! - the Pushgateway and the textfile collector's file carry them too.

use std::time::Duration;

use metricate::export::{Otlp, Pushgateway, RemoteWrite, Sink, Statsd, TagStyle, Textfile};
use metricate::{
    ConstantLabels, Counter, Family, Gauge, Histogram, Info, LabelSet, LabelValue, Metrics, Registry, Snapshot,
    StateSet, Summary,
};
use serde_json::Value;
use tests::labels::{ByKind, Kind};
use tests::otlp::OtlpReceiver;
use tests::prometheus::Prometheus;
use tests::statsd::Daemon;

#[allow(dead_code)] // Only `Replica` is set.
#[derive(Clone, Copy, Debug, LabelValue)]
enum Mode {
    Primary,
    Replica,
}

#[derive(Clone, Copy, Debug, LabelSet)]
struct Role {
    mode: Mode,
}

#[allow(dead_code)] // Only `Running` is set; the state set exposes both.
#[derive(Clone, Copy, Debug, LabelValue)]
enum Phase {
    Starting,
    Running,
}

/// What every test delivers, a fresh instance each, through a registry of
/// its own.
#[derive(Metrics)]
#[metrics(subsystem = "cl_sinks")]
struct Shipped {
    /// Jobs done.
    jobs_total: Family<ByKind, Counter>,
    /// Load now.
    load_ratio: Gauge,
    /// Time per job.
    #[metric(buckets = [0.1, 1.0])]
    job_duration_seconds: Family<ByKind, Histogram>,
    /// Time waited.
    #[metric(quantiles = [0.5, 0.9])]
    wait_seconds: Summary,
    /// The node's role.
    role_info: Info<Role>,
    /// The lifecycle phase.
    phase: StateSet<Phase>,
}

fn populated() -> Shipped {
    let m = Shipped::new_unregistered();
    m.jobs_total.with(ByKind { kind: Kind::Full }).inc_by(7);
    m.jobs_total.with(ByKind { kind: Kind::Incremental }).inc_by(40);
    m.load_ratio.set(0.75);
    for v in [0.05, 0.5, 5.0] {
        m.job_duration_seconds.with(ByKind { kind: Kind::Full }).observe(v);
    }
    m.wait_seconds.observe(0.25);
    m.role_info.set(Role { mode: Mode::Replica });
    m.phase.set(Phase::Running);
    m
}

/// A snapshot of `group` through a registry with these constant labels.
fn snapshot(group: &Shipped, labels: &ConstantLabels) -> Snapshot {
    let mut registry = Registry::new();
    registry.register_group(group).unwrap();
    let registry = registry.with_constant_labels(labels.clone()).unwrap();
    let snapshot = registry.snapshot(|_| true);
    assert_eq!(snapshot.constant_labels(), labels);
    snapshot
}

/// Delivers `snapshot` through `sink` once, on a runtime of its own.
fn deliver(sink: &mut impl Sink, snapshot: &Snapshot) -> metricate::export::Delivered {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(30), sink.deliver(snapshot)).await })
        .expect("the delivery ends within 30 s")
        .unwrap_or_else(|e| panic!("{} to {}: {e}", sink.kind(), sink.destination()))
}

/// A value with a quote, a backslash and a space: sinks send values as
/// they are (only the text formats escape them).
const NOTE: &str = "say \"hi\" C:\\dir";

#[test]
fn remote_write_series_carry_the_constant_labels_in_prometheus() {
    let Some(binary) = tests::prometheus() else { return };
    let mut prometheus = Prometheus::start_with(&binary, "", &["--web.enable-remote-write-receiver"]);
    prometheus.wait_ready();
    let group = populated();
    let labels = ConstantLabels::new().with("service", "cl-rw").unwrap().with("note", NOTE).unwrap();
    let snapshot = snapshot(&group, &labels);
    let url = format!("http://{}/api/v1/write", prometheus.addr());
    // An external label of a constant label's name: the series' own value
    // stays, as Prometheus treats its external labels.
    let mut sink = RemoteWrite::new(&url)
        .unwrap()
        .external_label("instance", "cl-test")
        .unwrap()
        .external_label("service", "external")
        .unwrap();
    let delivered = deliver(&mut sink, &snapshot);
    assert!(delivered.samples >= 20, "{delivered:?}");

    let value =
        |promql: &str| prometheus.value(promql).unwrap_or_else(|| panic!("{promql}: no value\n{}", prometheus.log()));
    let note = r#"note="say \"hi\" C:\\dir""#;
    assert_eq!(value(&format!(r#"trc_cl_sinks_jobs_total{{service="cl-rw",{note},kind="full"}}"#)), 7.0);
    assert_eq!(value(r#"trc_cl_sinks_jobs_total{service="cl-rw",kind="incremental",instance="cl-test"}"#), 40.0);
    assert_eq!(value(r#"trc_cl_sinks_load_ratio{service="cl-rw"}"#), 0.75);
    assert_eq!(value(r#"trc_cl_sinks_job_duration_seconds_bucket{service="cl-rw",kind="full",le="1.0"}"#), 2.0);
    assert_eq!(value(r#"trc_cl_sinks_job_duration_seconds_bucket{service="cl-rw",kind="full",le="+Inf"}"#), 3.0);
    assert_eq!(value(r#"trc_cl_sinks_job_duration_seconds_count{service="cl-rw",kind="full"}"#), 3.0);
    assert_eq!(value(r#"trc_cl_sinks_wait_seconds_count{service="cl-rw"}"#), 1.0);
    assert!(value(r#"trc_cl_sinks_wait_seconds{service="cl-rw",quantile="0.5"}"#) > 0.2);
    assert_eq!(value(r#"trc_cl_sinks_role_info{service="cl-rw",mode="replica"}"#), 1.0);
    assert_eq!(value(r#"trc_cl_sinks_phase{service="cl-rw",trc_cl_sinks_phase="running"}"#), 1.0);

    // Every series pushed has both, with the values as given.
    let all = value(r#"count({__name__=~"trc_cl_sinks_.*"})"#);
    assert_eq!(all, delivered.samples as f64);
    assert_eq!(value(&format!(r#"count({{__name__=~"trc_cl_sinks_.*",service="cl-rw",{note}}})"#)), all);
    assert!(prometheus.query(r#"{service="external"}"#).is_empty(), "the external label replaced a constant one");
    let series = prometheus.query("trc_cl_sinks_load_ratio");
    assert_eq!(series.len(), 1, "{series:?}");
    let metric = &series[0]["metric"];
    assert_eq!(
        (&metric["service"], &metric["note"], &metric["instance"]),
        (&"cl-rw".into(), &NOTE.into(), &"cl-test".into())
    );
}

/// The attributes of a data point, in order.
fn attributes(point: &Value) -> Vec<(String, String)> {
    point["attributes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|kv| {
                    let value = kv["value"]["string_value"].as_str().unwrap_or_else(|| panic!("not a string: {kv}"));
                    (kv["key"].as_str().unwrap().to_owned(), value.to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn otlp_data_points_carry_the_constant_labels_as_attributes() {
    let Some(python) = tests::otlp_python(env!("CARGO_TARGET_TMPDIR")) else { return };
    let receiver = OtlpReceiver::start(&python);
    let group = populated();
    let labels = ConstantLabels::new().with("service", "cl-otlp").unwrap().with("note", NOTE).unwrap();
    let snapshot = snapshot(&group, &labels);
    let mut sink = Otlp::new(&receiver.base_url(), "cl-test").unwrap();
    let delivered = deliver(&mut sink, &snapshot);

    let requests = receiver.requests();
    let request = &requests.last().unwrap_or_else(|| panic!("no request decoded\n{}", receiver.log()))["request"];
    let resource = &request["resource_metrics"][0];
    // Not resource attributes: `service.name` is the sink's.
    let resource_keys: Vec<&str> =
        resource["resource"]["attributes"].as_array().unwrap().iter().map(|kv| kv["key"].as_str().unwrap()).collect();
    assert!(!resource_keys.contains(&"service") && !resource_keys.contains(&"note"), "{resource_keys:?}");

    let constants = [("service".to_owned(), "cl-otlp".to_owned()), ("note".to_owned(), NOTE.to_owned())];
    let mut points = 0u64;
    let mut kinds = Vec::new();
    for metric in resource["scope_metrics"][0]["metrics"].as_array().unwrap() {
        let name = metric["name"].as_str().unwrap();
        let (kind, data) = ["sum", "gauge", "histogram", "summary"]
            .iter()
            .find_map(|k| metric.get(*k).map(|d| (*k, d)))
            .unwrap_or_else(|| panic!("{name}: no data: {metric}"));
        kinds.push(kind);
        for point in data["data_points"].as_array().unwrap() {
            let attributes = attributes(point);
            assert_eq!(attributes[..2], constants, "{name}: {point}");
            points += 1;
        }
    }
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds, ["gauge", "histogram", "sum", "summary"]);
    assert_eq!(points, delivered.samples);

    // The series' own labels follow.
    let metric = |name: &str| {
        resource["scope_metrics"][0]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {request:#}"))
            .clone()
    };
    let jobs: Vec<Vec<(String, String)>> =
        metric("trc_cl_sinks_jobs")["sum"]["data_points"].as_array().unwrap().iter().map(attributes).collect();
    assert!(jobs.iter().any(|a| a[2..] == [("kind".to_owned(), "full".to_owned())] && a.len() == 3), "{jobs:?}");
    let phase: Vec<Vec<(String, String)>> =
        metric("trc_cl_sinks_phase")["gauge"]["data_points"].as_array().unwrap().iter().map(attributes).collect();
    assert!(phase.iter().all(|a| a.len() == 3 && a[2].0 == "trc_cl_sinks_phase"), "{phase:?}");
    let summary = &metric("trc_cl_sinks_wait_seconds")["summary"]["data_points"][0];
    assert_eq!(attributes(summary), constants, "{summary}");
}

fn statsd() -> Option<Daemon> {
    tests::statsd_daemon(env!("CARGO_TARGET_TMPDIR")).map(|install| Daemon::start(&install))
}

#[test]
fn statsd_series_carry_the_constant_labels_folded_or_tagged() {
    let Some(daemon) = statsd() else { return };
    let group = populated();
    // A value with a space: StatsD names and tags have no room for one.
    let labels = ConstantLabels::new().with("service", "cl-statsd").unwrap().with("region", "eu west").unwrap();
    let snapshot = snapshot(&group, &labels);

    let mut folded = Statsd::new(&daemon.addr().to_string()).unwrap().prefix("folded").unwrap();
    deliver(&mut folded, &snapshot);
    let mut tagged =
        Statsd::new(&daemon.addr().to_string()).unwrap().prefix("tagged").unwrap().tags(TagStyle::DogStatsd);
    deliver(&mut tagged, &snapshot);

    let folded_counters = [
        ("folded.trc_cl_sinks_jobs_total.service.cl-statsd.region.eu_west.kind.full", 7.0),
        ("folded.trc_cl_sinks_jobs_total.service.cl-statsd.region.eu_west.kind.incremental", 40.0),
        ("folded.trc_cl_sinks_job_duration_seconds.service.cl-statsd.region.eu_west.kind.full.count", 3.0),
        ("folded.trc_cl_sinks_wait_seconds.service.cl-statsd.region.eu_west.count", 1.0),
    ];
    // Etsy's daemon keys a tagged line as `name;tag=value;...`, in order.
    let tagged_counters = [
        ("tagged.trc_cl_sinks_jobs_total;service=cl-statsd;region=eu_west;kind=full", 7.0),
        ("tagged.trc_cl_sinks_jobs_total;service=cl-statsd;region=eu_west;kind=incremental", 40.0),
        ("tagged.trc_cl_sinks_job_duration_seconds.count;service=cl-statsd;region=eu_west;kind=full", 3.0),
        ("tagged.trc_cl_sinks_wait_seconds.count;service=cl-statsd;region=eu_west", 1.0),
    ];
    let expected: Vec<(&str, f64)> = folded_counters.iter().chain(&tagged_counters).copied().collect();
    tests::wait_until("the daemon holds every counter", Duration::from_secs(30), || {
        let counters = daemon.counters();
        expected.iter().all(|(key, _)| counters.contains_key(*key))
    });
    let counters = daemon.counters();
    for (key, value) in &expected {
        assert_eq!(counters.get(*key), Some(value), "{key} in {counters:#?}");
    }
    let gauges = daemon.gauges();
    assert_eq!(
        gauges.get("folded.trc_cl_sinks_load_ratio.service.cl-statsd.region.eu_west"),
        Some(&0.75),
        "{gauges:#?}"
    );
    assert_eq!(
        gauges.get("tagged.trc_cl_sinks_load_ratio;service=cl-statsd;region=eu_west"),
        Some(&0.75),
        "{gauges:#?}"
    );
    assert_eq!(
        gauges.get("folded.trc_cl_sinks_role_info.service.cl-statsd.region.eu_west.mode.replica"),
        Some(&1.0),
        "{gauges:#?}"
    );
    assert_eq!(
        gauges.get("tagged.trc_cl_sinks_phase;service=cl-statsd;region=eu_west;trc_cl_sinks_phase=running"),
        Some(&1.0),
        "{gauges:#?}"
    );

    // Every line of ours names both, as the datagrams show.
    let datagrams = daemon.datagrams();
    let lines: Vec<String> = datagrams
        .iter()
        .flat_map(|d| String::from_utf8_lossy(d).lines().map(str::to_owned).collect::<Vec<_>>())
        .filter(|l| l.contains("trc_cl_sinks_"))
        .collect();
    assert!(lines.len() >= 16, "{lines:?}");
    for line in &lines {
        if line.starts_with("folded.") {
            let name = line.split(':').next().unwrap();
            assert!(name.contains(".service.cl-statsd.region.eu_west"), "{line}");
        } else {
            assert!(line.contains("|#service:cl-statsd,region:eu_west"), "{line}");
        }
    }
    assert!(
        lines.contains(&"tagged.trc_cl_sinks_jobs_total:7|c|#service:cl-statsd,region:eu_west,kind:full".to_owned())
    );
    assert_eq!(daemon.counters().get("statsd.bad_lines_seen"), Some(&0.0), "{}", daemon.log());
}

#[test]
fn the_pushgateway_and_the_textfile_carry_the_constant_labels() {
    let group = populated();
    let labels = ConstantLabels::new().with("service", "cl-text").unwrap().with("note", NOTE).unwrap();
    let snapshot = snapshot(&group, &labels);
    let constants = r#"service="cl-text",note="say \"hi\" C:\\dir""#;

    let dir = tests::TempDir::new("constant-labels-textfile");
    let mut textfile = Textfile::new(dir.path(), "constant").unwrap();
    deliver(&mut textfile, &snapshot);
    let written = std::fs::read_to_string(textfile.path()).unwrap();
    assert!(written.contains(&format!("\ntrc_cl_sinks_jobs_total{{{constants},kind=\"full\"}} 7\n")), "{written}");
    assert!(written.contains(&format!("\ntrc_cl_sinks_load_ratio{{{constants}}} 0.75\n")), "{written}");

    let Some(binary) = tests::pushgateway() else { return };
    let gateway = tests::pushgateway::Pushgateway::start(&binary);
    let mut sink = Pushgateway::new(&gateway.url(), "cl_job").unwrap();
    deliver(&mut sink, &snapshot);
    let metrics = gateway.metrics();
    // The Pushgateway adds its grouping labels (`job`, `instance`) and
    // sorts the labels by name.
    let jobs = metrics
        .lines()
        .find(|l| l.starts_with("trc_cl_sinks_jobs_total{") && l.contains("kind=\"full\""))
        .unwrap_or_else(|| panic!("no jobs series in\n{metrics}"));
    assert!(jobs.contains("service=\"cl-text\""), "{jobs}");
    assert!(jobs.contains(r#"note="say \"hi\" C:\\dir""#), "{jobs}");
    assert!(jobs.ends_with(" 7"), "{jobs}");
    assert!(jobs.contains("job=\"cl_job\""), "{jobs}");
}
