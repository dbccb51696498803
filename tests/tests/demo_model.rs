//! The demo exercises every metric type, and independent consumers read
//! each one from its scrape: the summary `trc_workload_step_seconds` (with
//! its quantiles), the info metric `trc_build_info`, the state set
//! `trc_agent_lifecycle`, the exemplars of
//! `trc_http_request_duration_seconds`'s buckets, and the constant label
//! `service="demo"` on every series.
//!
//! - `promtool check metrics` accepts the Prometheus text. (promtool reads
//!   that format only: given OpenMetrics it stops at `# TYPE … stateset`.)
//! - Python's `prometheus_client` parses the Prometheus text
//!   (`prometheus_client.parser`) and the OpenMetrics text with its strict
//!   parser (`prometheus_client.openmetrics.parser`); what it parsed is
//!   checked type by type.
//! - A real Prometheus, started with `--enable-feature=exemplar-storage` on
//!   a free loopback port and scraping the demo every second (it negotiates
//!   OpenMetrics), answers PromQL over the histogram
//!   (`histogram_quantile`), the summary's `quantile="0.5"` series, the info
//!   metric and the state set, and its query exemplars API returns
//!   exemplars with a `trace_id`.
//!
//! Under `CI=true` a missing tool fails the test (see `tests::missing`);
//! elsewhere the test says it skipped. Prometheus runs in a scratch
//! directory removed with it and is killed by pid when the test ends, failed
//! or not. Every wait polls a condition for a generous liveness bound (60 s);
//! no assertion is about how long something took. Each test prints how long
//! its phases took.

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tests::prometheus::Prometheus;
use tests::{http_get, promtool, python_with_prometheus_client, run_with_stdin};

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0";

/// How long any condition may take to hold: a liveness bound.
const LIVENESS: Duration = Duration::from_secs(60);

/// The summary, the info metric (its OpenMetrics family and its sample),
/// the state set and the histogram with exemplars.
const SUMMARY: &str = "trc_workload_step_seconds";
const INFO_FAMILY: &str = "trc_build";
const INFO: &str = "trc_build_info";
const STATESET: &str = "trc_agent_lifecycle";
const HISTOGRAM: &str = "trc_http_request_duration_seconds";

/// Starts the demo and waits (within [`LIVENESS`]) until its scrape shows
/// every type moving: the summary's quantiles and a bucket's exemplar.
fn start_demo() -> demo::Running {
    let demo = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap())).expect("the demo starts");
    let deadline = Instant::now() + LIVENESS;
    loop {
        let text = scrape(demo.local_addr(), OPENMETRICS);
        let quantile = format!("{SUMMARY}{{service=\"demo\",component=\"api\",quantile=\"0.5\"}} ");
        let quantiles = text.lines().any(|l| l.strip_prefix(&quantile).is_some_and(|v| v != "NaN"));
        let exemplar = text.lines().any(|l| l.starts_with(&format!("{HISTOGRAM}_bucket{{")) && l.contains(" # {"));
        if quantiles && exemplar {
            return demo;
        }
        assert!(Instant::now() < deadline, "the workload moved no summary or exemplar within {LIVENESS:?}:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn scrape(addr: SocketAddr, accept: &str) -> String {
    let response = http_get(addr, "/metrics", &[("Accept", accept)]).expect("scrape");
    assert_eq!(response.status, 200, "{}", response.text());
    response.text()
}

#[test]
fn promtool_accepts_the_text_exposition_of_every_type() {
    let Some(promtool) = promtool() else { return };
    let started = Instant::now();
    let demo = start_demo();
    let text = scrape(demo.local_addr(), "text/plain");
    // Every type is in it, the way the Prometheus text format writes it.
    for line in [
        format!("# TYPE {SUMMARY} summary\n"),
        format!("# TYPE {INFO} gauge\n"),
        format!("# TYPE {STATESET} gauge\n"),
        format!("# TYPE {HISTOGRAM} histogram\n"),
        "# TYPE trc_workload_threads gauge\n".to_owned(),
    ] {
        assert!(text.contains(&line), "no `{}`", line.trim_end());
    }
    let out = run_with_stdin(&promtool, &["check", "metrics"], text.as_bytes()).unwrap();
    assert!(out.success && out.stdout.trim().is_empty(), "promtool: {}\n{}", out.stdout, out.stderr);
    demo.shutdown().unwrap();
    eprintln!("promtool check metrics: accepted in {:?} (the demo's start included)", started.elapsed());
}

/// Parses standard input with the `prometheus_client` parser of the format
/// in `argv[1]` and prints what the test checks, as JSON.
const PARSE: &str = r#"
import json, math, sys
if sys.argv[1] == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
else:
    from prometheus_client.parser import text_string_to_metric_families as parse
families = list(parse(sys.stdin.read()))
report = {"families": len(families), "samples": 0, "types": {}, "without_service": [], "quantiles": {},
          "summary_samples": [], "info": [], "stateset": {}, "exemplars": 0, "exemplar": None}
for family in families:
    report["types"][family.name] = family.type
    for s in family.samples:
        report["samples"] += 1
        if s.labels.get("service") != "demo" and len(report["without_service"]) < 5:
            report["without_service"].append([s.name, s.labels])
        if family.name == "trc_workload_step_seconds":
            report["summary_samples"].append(s.name)
            if "quantile" in s.labels:
                values = report["quantiles"].setdefault(s.labels["quantile"], [])
                values.append(None if math.isnan(s.value) else s.value)
        if s.name == "trc_build_info":
            report["info"].append({"labels": s.labels, "value": s.value})
        if family.name == "trc_agent_lifecycle":
            report["stateset"][s.labels["trc_agent_lifecycle"]] = s.value
        if family.name == "trc_http_request_duration_seconds" and s.exemplar is not None:
            report["exemplars"] += 1
            if report["exemplar"] is None:
                timestamp = None if s.exemplar.timestamp is None else float(s.exemplar.timestamp)
                report["exemplar"] = {"sample": s.name, "labels": s.exemplar.labels, "value": s.exemplar.value,
                                      "timestamp": timestamp}
print(json.dumps(report))
"#;

/// What `prometheus_client` parsed of `text`, in `format`.
fn parse_with_python(python: &std::path::Path, format: &str, text: &str) -> Value {
    let out = run_with_stdin(python, &["-c", PARSE, format], text.as_bytes()).unwrap();
    assert!(out.success, "the {format} parser refused the scrape: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

/// The checks both formats share: every family parsed, every sample with
/// the service label, the summary's quantiles, the info metric's labels
/// and the state set's one current state.
fn check_parsed(format: &str, report: &Value, text: &str) {
    assert_eq!(report["families"], tests::declared_types(text).len(), "{format}: the parser saw every family");
    assert!(report["samples"].as_u64().unwrap() > 1_000, "{format}: {}", report["samples"]);
    assert_eq!(report["without_service"], serde_json::json!([]), "{format}: samples without service=\"demo\"");
    assert_eq!(report["types"][SUMMARY], "summary", "{format}");
    assert_eq!(report["types"]["trc_workload_threads"], "gauge", "{format}");
    assert_eq!(report["types"][HISTOGRAM], "histogram", "{format}");

    // The summary: quantiles 0.5, 0.9 and 0.99 of each of the four
    // components, each a number, increasing; and its _sum and _count.
    let quantiles = report["quantiles"].as_object().unwrap();
    let mut keys: Vec<&String> = quantiles.keys().collect();
    keys.sort();
    assert_eq!(keys, ["0.5", "0.9", "0.99"], "{format}");
    for (q, values) in quantiles {
        let values = values.as_array().unwrap();
        assert_eq!(values.len(), 4, "{format}: quantile {q} of each component");
        assert!(values.iter().all(|v| v.as_f64().is_some_and(|v| v > 0.0)), "{format}: quantile {q}: {values:?}");
    }
    let names = report["summary_samples"].as_array().unwrap();
    for suffix in ["_sum", "_count"] {
        let name = format!("{SUMMARY}{suffix}");
        assert_eq!(names.iter().filter(|n| **n == name.as_str()).count(), 4, "{format}: {name}");
    }

    // The info metric: one sample of value 1 with the build's labels.
    let info = report["info"].as_array().unwrap();
    assert_eq!(info.len(), 1, "{format}: {info:?}");
    assert_eq!(info[0]["value"], 1.0, "{format}");
    let labels = &info[0]["labels"];
    assert_eq!(labels["version"], env!("CARGO_PKG_VERSION"), "{format}: {labels}");
    for label in ["rustc", "target", "revision"] {
        assert!(labels[label].as_str().is_some_and(|v| !v.is_empty()), "{format}: {label} in {labels}");
    }

    // The state set: every state, exactly one of them current.
    let states = report["stateset"].as_object().unwrap();
    let mut keys: Vec<&String> = states.keys().collect();
    keys.sort();
    assert_eq!(keys, ["draining", "running", "starting", "stopped"], "{format}");
    assert_eq!(states.values().filter(|v| v.as_f64() == Some(1.0)).count(), 1, "{format}: {states:?}");
    assert!(states.values().all(|v| matches!(v.as_f64(), Some(0.0 | 1.0))), "{format}: {states:?}");
}

#[test]
fn python_prometheus_client_parses_every_type_in_both_formats() {
    let Some(python) = python_with_prometheus_client() else { return };
    let started = Instant::now();
    let demo = start_demo();
    let ready = started.elapsed();

    // The Prometheus text: no info or state set types there (gauges), and
    // no exemplars.
    let text = scrape(demo.local_addr(), "text/plain; version=0.0.4");
    let report = parse_with_python(&python, "prometheus", &text);
    check_parsed("Prometheus text", &report, &text);
    assert_eq!(report["types"][INFO], "gauge");
    assert_eq!(report["types"][STATESET], "gauge");
    assert_eq!(report["exemplars"], 0, "the Prometheus text has no exemplars");

    // OpenMetrics, with the strict parser.
    let text = scrape(demo.local_addr(), OPENMETRICS);
    assert!(text.ends_with("# EOF\n"));
    let report = parse_with_python(&python, "openmetrics", &text);
    check_parsed("OpenMetrics", &report, &text);
    assert_eq!(report["types"][INFO_FAMILY], "info");
    assert_eq!(report["types"][STATESET], "stateset");
    // An exemplar on a bucket: the trace id of a request, 32 hex digits,
    // with the observation and when it was made.
    assert!(report["exemplars"].as_u64().unwrap() >= 1, "no exemplar parsed");
    let exemplar = &report["exemplar"];
    assert_eq!(exemplar["sample"], format!("{HISTOGRAM}_bucket"), "{exemplar}");
    let trace_id = exemplar["labels"]["trace_id"].as_str().unwrap_or_else(|| panic!("no trace_id: {exemplar}"));
    assert!(trace_id.len() == 32 && trace_id.bytes().all(|b| b.is_ascii_hexdigit()), "{trace_id}");
    assert!(exemplar["value"].as_f64().is_some_and(|v| v > 0.0), "{exemplar}");
    assert!(exemplar["timestamp"].as_f64().is_some_and(|t| t > 1.0e9), "{exemplar}");

    demo.shutdown().unwrap();
    eprintln!(
        "prometheus_client: both formats parsed and checked in {:?} (the demo moved every type in {ready:?})",
        started.elapsed()
    );
}

/// The result of `/api/v1/query_exemplars` from a minute before the last
/// `window` to a minute from now.
fn query_exemplars(prometheus: &Prometheus, query: &str, window: Duration) -> Vec<Value> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let (start, end) = (now.saturating_sub(window.as_secs() + 60), now + 60);
    let path = format!("/api/v1/query_exemplars?query={query}&start={start}&end={end}");
    let response = http_get(prometheus.addr(), &path, &[]).expect("the exemplars API answers");
    assert_eq!(response.status, 200, "{path}: {}", response.text());
    let body: Value = serde_json::from_slice(&response.body).expect("the API answers JSON");
    assert_eq!(body["status"], "success", "{path}: {body}");
    body["data"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_real_prometheus_queries_quantiles_and_exemplars() {
    let Some(binary) = tests::prometheus() else { return };
    let started = Instant::now();
    let demo = start_demo();
    let job = format!("  - job_name: demo\n    static_configs:\n      - targets: ['{}']\n", demo.local_addr());
    let mut prometheus = Prometheus::start_with(&binary, &job, &["--enable-feature=exemplar-storage"]);
    prometheus.wait_ready();
    prometheus.wait_for(r#"up{job="demo"}"#, LIVENESS, |v| v == 1.0);
    let up = started.elapsed();

    // The histogram: a finite quantile over the rate of its buckets.
    let p90 = prometheus.wait_for(
        "histogram_quantile(0.9, sum by (le) (rate(trc_http_request_duration_seconds_bucket[1m])))",
        LIVENESS,
        f64::is_finite,
    );
    assert!(p90 > 0.0, "p90 {p90}");
    let quantile = started.elapsed();

    // The summary: its median series, per component.
    let median = prometheus.wait_for(
        r#"trc_workload_step_seconds{job="demo",component="api",quantile="0.5"}"#,
        LIVENESS,
        f64::is_finite,
    );
    assert!(median > 0.0, "median {median}");
    let medians = prometheus.query(r#"trc_workload_step_seconds{job="demo",quantile="0.5"}"#);
    assert_eq!(medians.len(), 4, "one median per component: {medians:?}");
    let summary = started.elapsed();

    // The info metric and the state set, as OpenMetrics ingestion stores
    // them, and the constant label on every series scraped.
    assert_eq!(prometheus.value(r#"trc_build_info{job="demo",service="demo",revision!=""}"#), Some(1.0));
    assert_eq!(prometheus.value(r#"sum(trc_agent_lifecycle{job="demo"})"#), Some(1.0));
    assert!(prometheus.value(r#"count(trc_http_requests_total{job="demo",service="demo"})"#).is_some_and(|n| n > 0.0));
    let unlabelled = prometheus
        .query(r#"count by (__name__) ({job="demo",__name__=~"trc_.+|process_.+|metrics_export_.+",service!="demo"})"#);
    assert!(unlabelled.is_empty(), "series without service=\"demo\": {unlabelled:?}");

    // The exemplars: at least one, with the trace id of its request.
    let deadline = Instant::now() + LIVENESS;
    let exemplars = loop {
        let series = query_exemplars(&prometheus, "trc_http_request_duration_seconds_bucket", started.elapsed());
        let exemplars: Vec<Value> =
            series.iter().flat_map(|s| s["exemplars"].as_array().cloned().unwrap_or_default()).collect();
        if exemplars.iter().any(|e| e["labels"]["trace_id"].is_string()) {
            assert!(series.iter().all(|s| s["seriesLabels"]["service"] == "demo"), "{series:?}");
            break exemplars;
        }
        assert!(Instant::now() < deadline, "no exemplar with a trace_id within {LIVENESS:?}:\n{}", prometheus.log());
        std::thread::sleep(Duration::from_millis(250));
    };
    let exemplar = exemplars.iter().find(|e| e["labels"]["trace_id"].is_string()).unwrap();
    let trace_id = exemplar["labels"]["trace_id"].as_str().unwrap();
    assert!(trace_id.len() == 32 && trace_id.bytes().all(|b| b.is_ascii_hexdigit()), "{exemplar}");
    let exemplars_found = started.elapsed();

    drop(prometheus);
    demo.shutdown().unwrap();
    eprintln!(
        "Prometheus: target up after {up:?}, histogram_quantile finite ({p90}) after {quantile:?}, the summary's \
         median ({median}) after {summary:?}, {} exemplars (e.g. trace_id={trace_id}) after {exemplars_found:?}",
        exemplars.len()
    );
}
