//! Constant labels (`metricate::ConstantLabels`): both text encoders write
//! them first in every series of every kind (counters, families, histogram
//! buckets, sums and counts, summary quantiles, info metrics, state sets,
//! OpenMetrics `_created` and exemplar lines), escaped; the output parses
//! with the catalogue's strict exposition parser; a registry without
//! constant labels encodes exactly as before; snapshots carry them; the
//! checks of names and values (L1, L2, L3, L7, twice) and of registered
//! labels (D1).
//!
//! The process-wide labels (`set_constant_labels`) are set once per
//! process: they are tested in `constant_labels_process.rs`, a binary of
//! their own.

use metricate::encode::{self, Format, OpenMetrics, PrometheusText};
use metricate::{
    BuildInfo, ConstantLabels, Counter, ExemplarCounter, Family, Gauge, Histogram, Info, LabelSet, LabelValue, Metrics,
    Registry, StateSet, Summary,
};
use metricate_catalog::exposition;

// ---------------------------------------------------------------------------
// Metrics of every kind.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Code {
    #[label(rename = "2xx")]
    Success,
    #[label(rename = "5xx")]
    Failure,
}

/// Two labels, so that the encoders' odometer over label values runs.
#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
    code: Code,
}

#[derive(Clone, Copy, LabelSet)]
struct ByMethod {
    method: Method,
}

/// An own label value that needs escaping, next to escaped constants.
#[derive(Clone, Copy, Debug, LabelValue)]
enum Tricky {
    #[label(rename = "say \"hi\"")]
    Quote,
}

#[derive(Clone, Copy, LabelSet)]
struct ByTricky {
    value: Tricky,
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Mode {
    Primary,
    Replica,
}

#[derive(Clone, Copy, LabelSet)]
struct Role {
    mode: Mode,
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Phase {
    Starting,
    Running,
}

#[derive(Metrics)]
#[metrics(subsystem = "cl_enc")]
struct Kinds {
    /// Jobs done.
    jobs_total: Counter,
    /// Items waiting.
    queue_depth: Gauge,
    /// Requests served.
    requests_total: Family<Request, Counter>,
    /// Calls made, by one label.
    calls_total: Family<ByMethod, Counter>,
    /// Lookups, with a value that needs escaping.
    lookups_total: Family<ByTricky, Counter>,
    /// Time per request.
    #[metric(buckets = [0.1, 1.0])]
    latency_seconds: Family<ByMethod, Histogram>,
    /// Sizes of payloads.
    #[metric(buckets = [1.0])]
    payload_bytes: Histogram,
    /// Time waited.
    #[metric(quantiles = [0.5, 0.9])]
    wait_seconds: Summary,
    /// The node's role.
    role_info: Info<Role>,
    /// The lifecycle phase.
    phase: StateSet<Phase>,
    /// Retries, with their latest exemplar.
    retries_total: ExemplarCounter,
    /// Errors, written only once recorded to.
    #[metric(quiet)]
    errors_total: Family<Request, Counter>,
}

fn populated() -> Kinds {
    let m = Kinds::new_unregistered();
    m.jobs_total.inc_by(3);
    m.queue_depth.set(2.5);
    m.requests_total.with(Request { method: Method::Get, code: Code::Success }).inc_by(7);
    m.requests_total.with(Request { method: Method::Post, code: Code::Failure }).inc();
    m.lookups_total.with(ByTricky { value: Tricky::Quote }).inc();
    m.calls_total.with(ByMethod { method: Method::Post }).inc_by(5);
    for v in [0.05, 0.5, 5.0] {
        m.latency_seconds.with(ByMethod { method: Method::Get }).observe(v);
    }
    m.payload_bytes.observe(0.5);
    m.payload_bytes.observe(4.0);
    m.wait_seconds.observe(0.25);
    m.wait_seconds.observe(0.25);
    m.role_info.set(Role { mode: Mode::Primary });
    m.role_info.set(Role { mode: Mode::Replica });
    m.phase.set(Phase::Starting);
    m.phase.set(Phase::Running);
    m.retries_total.inc_with_exemplar(&[("trace_id", "4bf92f")]);
    m.errors_total.with(Request { method: Method::Post, code: Code::Failure }).inc();
    m
}

fn registry_of(group: &Kinds) -> Registry<'_> {
    let mut registry = Registry::new();
    registry.register_group(group).unwrap();
    registry
}

fn billing() -> ConstantLabels {
    ConstantLabels::new().with("service", "billing").unwrap().with("region", "eu-west-1").unwrap()
}

const BILLING: &str = r#"service="billing",region="eu-west-1""#;

fn text(format: Format, exposition: &(impl encode::Exposition + ?Sized)) -> String {
    let mut out = Vec::new();
    format.encode(exposition, &mut out);
    String::from_utf8(out).unwrap()
}

/// `text` with `constants` written first in every sample line: after the
/// `{` of a line with labels, or as `{constants}` after the name of one
/// without.
fn with_inserted(text: &str, constants: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with('#') {
            out.push_str(line);
        } else {
            let at = line.find(['{', ' ']).unwrap();
            out.push_str(&line[..at]);
            if line[at..].starts_with('{') {
                out.push('{');
                out.push_str(constants);
                out.push(',');
                out.push_str(&line[at + 1..]);
            } else {
                out.push('{');
                out.push_str(constants);
                out.push('}');
                out.push_str(&line[at..]);
            }
        }
        out.push('\n');
    }
    out
}

/// Every sample of a parsed exposition starts with these labels, in order.
fn assert_every_sample_starts_with(text: &str, format: exposition::Format, constants: &[(&str, &str)]) {
    let parsed = exposition::parse(text, format).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut samples = 0;
    for family in &parsed.families {
        for sample in &family.samples {
            let first: Vec<(&str, &str)> =
                sample.labels.iter().take(constants.len()).map(|(n, v)| (n.as_str(), v.as_str())).collect();
            assert_eq!(first, constants, "{} (line {})\n{text}", sample.name, sample.line);
            samples += 1;
        }
    }
    assert!(samples > 20, "{samples} samples\n{text}");
}

// ---------------------------------------------------------------------------
// The encoders.
// ---------------------------------------------------------------------------

#[test]
fn prometheus_text_writes_the_constant_labels_first_in_every_series() {
    let kinds = populated();
    let registry = registry_of(&kinds).with_constant_labels(billing()).unwrap();
    let out = text(Format::Prometheus, &registry);
    for line in [
        // No labels of its own.
        r#"metrics_cl_enc_jobs_total{service="billing",region="eu-west-1"} 3"#,
        r#"metrics_cl_enc_queue_depth{service="billing",region="eu-west-1"} 2.5"#,
        // A family: the constant labels, then its own.
        r#"metrics_cl_enc_requests_total{service="billing",region="eu-west-1",method="get",code="2xx"} 7"#,
        r#"metrics_cl_enc_requests_total{service="billing",region="eu-west-1",method="get",code="5xx"} 0"#,
        r#"metrics_cl_enc_requests_total{service="billing",region="eu-west-1",method="post",code="5xx"} 1"#,
        r#"metrics_cl_enc_lookups_total{service="billing",region="eu-west-1",value="say \"hi\""} 1"#,
        r#"metrics_cl_enc_calls_total{service="billing",region="eu-west-1",method="get"} 0"#,
        r#"metrics_cl_enc_calls_total{service="billing",region="eu-west-1",method="post"} 5"#,
        // Histogram buckets: constant labels, own labels, then `le`.
        r#"metrics_cl_enc_latency_seconds_bucket{service="billing",region="eu-west-1",method="get",le="0.1"} 1"#,
        r#"metrics_cl_enc_latency_seconds_bucket{service="billing",region="eu-west-1",method="get",le="1.0"} 2"#,
        r#"metrics_cl_enc_latency_seconds_bucket{service="billing",region="eu-west-1",method="get",le="+Inf"} 3"#,
        r#"metrics_cl_enc_latency_seconds_sum{service="billing",region="eu-west-1",method="get"} 5.55"#,
        r#"metrics_cl_enc_latency_seconds_count{service="billing",region="eu-west-1",method="get"} 3"#,
        r#"metrics_cl_enc_latency_seconds_count{service="billing",region="eu-west-1",method="post"} 0"#,
        // A histogram without labels of its own.
        r#"metrics_cl_enc_payload_bytes_bucket{service="billing",region="eu-west-1",le="1.0"} 1"#,
        r#"metrics_cl_enc_payload_bytes_bucket{service="billing",region="eu-west-1",le="+Inf"} 2"#,
        r#"metrics_cl_enc_payload_bytes_sum{service="billing",region="eu-west-1"} 4.5"#,
        r#"metrics_cl_enc_payload_bytes_count{service="billing",region="eu-west-1"} 2"#,
        // A summary: constant labels, then `quantile`.
        r#"metrics_cl_enc_wait_seconds_sum{service="billing",region="eu-west-1"} 0.5"#,
        r#"metrics_cl_enc_wait_seconds_count{service="billing",region="eu-west-1"} 2"#,
        // An info metric (a gauge in this format) and a state set.
        r#"metrics_cl_enc_role_info{service="billing",region="eu-west-1",mode="replica"} 1"#,
        r#"metrics_cl_enc_phase{service="billing",region="eu-west-1",metrics_cl_enc_phase="starting"} 0"#,
        r#"metrics_cl_enc_phase{service="billing",region="eu-west-1",metrics_cl_enc_phase="running"} 1"#,
        // An exemplar counter (no exemplars in this format).
        r#"metrics_cl_enc_retries_total{service="billing",region="eu-west-1"} 1"#,
        // A quiet family: only the series recorded to.
        r#"metrics_cl_enc_errors_total{service="billing",region="eu-west-1",method="post",code="5xx"} 1"#,
    ] {
        assert!(out.lines().any(|l| l == line), "missing `{line}` in\n{out}");
    }
    for quantile in ["0.5", "0.9"] {
        let start =
            format!(r#"metrics_cl_enc_wait_seconds{{service="billing",region="eu-west-1",quantile="{quantile}"}} "#);
        assert!(out.lines().any(|l| l.starts_with(&start)), "missing `{start}` in\n{out}");
    }
    assert_eq!(out.matches("metrics_cl_enc_errors_total{").count(), 1, "{out}");
    assert_every_sample_starts_with(
        &out,
        exposition::Format::Prometheus,
        &[("service", "billing"), ("region", "eu-west-1")],
    );
}

#[test]
fn openmetrics_writes_the_constant_labels_first_in_every_series() {
    let kinds = populated();
    let registry = registry_of(&kinds).with_constant_labels(billing()).unwrap().with_created_samples(true);
    let out = text(Format::OpenMetrics, &registry);
    for line in [
        r#"metrics_cl_enc_jobs_total{service="billing",region="eu-west-1"} 3"#,
        r#"metrics_cl_enc_queue_depth{service="billing",region="eu-west-1"} 2.5"#,
        r#"metrics_cl_enc_requests_total{service="billing",region="eu-west-1",method="get",code="2xx"} 7"#,
        r#"metrics_cl_enc_requests_total{service="billing",region="eu-west-1",method="post",code="5xx"} 1"#,
        r#"metrics_cl_enc_lookups_total{service="billing",region="eu-west-1",value="say \"hi\""} 1"#,
        r#"metrics_cl_enc_latency_seconds_bucket{service="billing",region="eu-west-1",method="get",le="0.1"} 1"#,
        r#"metrics_cl_enc_latency_seconds_bucket{service="billing",region="eu-west-1",method="get",le="+Inf"} 3"#,
        r#"metrics_cl_enc_latency_seconds_count{service="billing",region="eu-west-1",method="get"} 3"#,
        r#"metrics_cl_enc_latency_seconds_sum{service="billing",region="eu-west-1",method="get"} 5.55"#,
        r#"metrics_cl_enc_payload_bytes_bucket{service="billing",region="eu-west-1",le="1.0"} 1"#,
        r#"metrics_cl_enc_payload_bytes_count{service="billing",region="eu-west-1"} 2"#,
        r#"metrics_cl_enc_payload_bytes_sum{service="billing",region="eu-west-1"} 4.5"#,
        r#"metrics_cl_enc_wait_seconds_count{service="billing",region="eu-west-1"} 2"#,
        r#"metrics_cl_enc_wait_seconds_sum{service="billing",region="eu-west-1"} 0.5"#,
        r#"metrics_cl_enc_role_info{service="billing",region="eu-west-1",mode="replica"} 1"#,
        r#"metrics_cl_enc_phase{service="billing",region="eu-west-1",metrics_cl_enc_phase="running"} 1"#,
        r#"metrics_cl_enc_errors_total{service="billing",region="eu-west-1",method="post",code="5xx"} 1"#,
    ] {
        assert!(out.lines().any(|l| l == line), "missing `{line}` in\n{out}");
    }
    assert!(out.contains("# TYPE metrics_cl_enc_role info\n"), "{out}");
    assert!(out.contains("# TYPE metrics_cl_enc_phase stateset\n"), "{out}");
    for quantile in ["0.5", "0.9"] {
        let start =
            format!(r#"metrics_cl_enc_wait_seconds{{service="billing",region="eu-west-1",quantile="{quantile}"}} "#);
        assert!(out.lines().any(|l| l.starts_with(&start)), "missing `{start}` in\n{out}");
    }
    // `_created`: the constant labels too, then the series' own.
    for start in [
        r#"metrics_cl_enc_jobs_created{service="billing",region="eu-west-1"} "#,
        r#"metrics_cl_enc_requests_created{service="billing",region="eu-west-1",method="get",code="2xx"} "#,
        r#"metrics_cl_enc_latency_seconds_created{service="billing",region="eu-west-1",method="get"} "#,
        r#"metrics_cl_enc_wait_seconds_created{service="billing",region="eu-west-1"} "#,
    ] {
        assert!(out.lines().any(|l| l.starts_with(start)), "missing `{start}` in\n{out}");
    }
    // An exemplar keeps its own labels only: the series' are before it.
    let retries = out.lines().find(|l| l.starts_with("metrics_cl_enc_retries_total")).unwrap();
    assert!(
        retries.starts_with(
            r#"metrics_cl_enc_retries_total{service="billing",region="eu-west-1"} 1 # {trace_id="4bf92f"} 1"#
        ),
        "{retries}"
    );
    assert!(out.ends_with("# EOF\n"));
    assert_every_sample_starts_with(
        &out,
        exposition::Format::OpenMetrics,
        &[("service", "billing"), ("region", "eu-west-1")],
    );
}

#[test]
fn every_line_is_the_line_without_constants_with_them_inserted() {
    let kinds = populated();
    let plain = registry_of(&kinds).with_created_samples(true);
    let constant = registry_of(&kinds).with_constant_labels(billing()).unwrap().with_created_samples(true);
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let without = text(format, &plain);
        let with = text(format, &constant);
        assert_eq!(with, with_inserted(&without, BILLING), "{format:?}");
        // Quiet too.
        let mut quiet_without = Vec::new();
        format.encode_quiet(&plain, &mut quiet_without);
        let mut quiet_with = Vec::new();
        format.encode_quiet(&constant, &mut quiet_with);
        assert_eq!(
            String::from_utf8(quiet_with).unwrap(),
            with_inserted(&String::from_utf8(quiet_without).unwrap(), BILLING),
            "{format:?} quiet"
        );
    }
}

#[test]
fn one_constant_label_without_labels_of_its_own() {
    let kinds = populated();
    let labels = ConstantLabels::new().with("service", "x").unwrap();
    let registry = registry_of(&kinds).with_constant_labels(labels).unwrap();
    let prometheus = text(Format::Prometheus, &registry);
    assert!(prometheus.contains("\nmetrics_cl_enc_jobs_total{service=\"x\"} 3\n"), "{prometheus}");
    assert!(prometheus.contains("\nmetrics_cl_enc_requests_total{service=\"x\",method=\"get\",code=\"2xx\"} 7\n"));
    let openmetrics = text(Format::OpenMetrics, &registry);
    assert!(openmetrics.contains("\nmetrics_cl_enc_jobs_total{service=\"x\"} 3\n"), "{openmetrics}");
    assert!(openmetrics.contains("\nmetrics_cl_enc_payload_bytes_count{service=\"x\"} 2\n"), "{openmetrics}");
}

#[test]
fn values_are_escaped_and_parse_back_to_what_was_given() {
    const RAW: &str = "say \"hi\" C:\\dir\\ two\nlines zürich";
    const ESCAPED: &str = r#"note="say \"hi\" C:\\dir\\ two\nlines zürich""#;
    let kinds = populated();
    let labels = ConstantLabels::new().with("note", RAW).unwrap();
    let registry = registry_of(&kinds).with_constant_labels(labels).unwrap();
    for (format, parse) in
        [(Format::Prometheus, exposition::Format::Prometheus), (Format::OpenMetrics, exposition::Format::OpenMetrics)]
    {
        let out = text(format, &registry);
        let line = format!("metrics_cl_enc_jobs_total{{{ESCAPED}}} 3");
        assert!(out.lines().any(|l| l == line), "missing `{line}` in\n{out}");
        let line = format!(r#"metrics_cl_enc_lookups_total{{{ESCAPED},value="say \"hi\""}} 1"#);
        assert!(out.lines().any(|l| l == line), "missing `{line}` in\n{out}");
        // No raw line break inside a label value: every line is a sample or
        // metadata.
        assert!(out.lines().all(|l| l.starts_with("metrics_cl_enc_") || l.starts_with('#')), "{out}");
        assert_every_sample_starts_with(&out, parse, &[("note", RAW)]);
    }
}

#[test]
fn without_constant_labels_the_output_is_unchanged() {
    let kinds = populated();
    let plain = registry_of(&kinds);
    let empty = registry_of(&kinds).with_constant_labels(ConstantLabels::new()).unwrap();
    let parsed_empty = ConstantLabels::parse("").unwrap();
    assert!(parsed_empty.is_empty());
    let from_parsed = registry_of(&kinds).with_constant_labels(parsed_empty).unwrap();
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let before = text(format, &plain);
        assert!(before.contains("\nmetrics_cl_enc_jobs_total 3\n"), "{before}");
        assert!(before.contains("\nmetrics_cl_enc_payload_bytes_sum 4.5\n"), "{before}");
        assert!(!before.contains("service="), "{before}");
        assert_eq!(text(format, &empty), before, "{format:?}");
        assert_eq!(text(format, &from_parsed), before, "{format:?}");
    }
    // A snapshot (which keeps no exemplars) encodes as before too.
    assert_eq!(text(Format::Prometheus, &plain.snapshot(|_| true)), text(Format::Prometheus, &plain));
}

/// One encoder reused across expositions with and without constant labels
/// writes what a fresh one writes: `begin` sets (and clears) them.
#[test]
fn a_reused_encoder_takes_each_expositions_constant_labels() {
    let kinds = populated();
    let plain = registry_of(&kinds);
    let constant = registry_of(&kinds).with_constant_labels(billing()).unwrap();
    let other = registry_of(&kinds).with_constant_labels(ConstantLabels::parse("service=other").unwrap()).unwrap();
    let mut prometheus = PrometheusText::new();
    let mut openmetrics = OpenMetrics::new();
    for registry in [&constant, &plain, &other, &plain, &constant] {
        let mut out = Vec::new();
        encode::encode(registry, &mut prometheus, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), text(Format::Prometheus, registry));
        let mut out = Vec::new();
        encode::encode(registry, &mut openmetrics, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), text(Format::OpenMetrics, registry));
    }
}

#[test]
fn subsets_keep_the_registrys_constant_labels() {
    let kinds = populated();
    let registry = registry_of(&kinds).with_constant_labels(billing()).unwrap();
    for subset in [registry.without_runtime_metrics(), registry.without_process_metrics()] {
        assert_eq!(subset.constant_labels(), &billing());
        assert_eq!(text(Format::Prometheus, &subset), text(Format::Prometheus, &registry));
    }
}

// ---------------------------------------------------------------------------
// Snapshots.
// ---------------------------------------------------------------------------

#[test]
fn snapshots_carry_the_constant_labels_and_encode_with_them() {
    let kinds = populated();
    let registry = registry_of(&kinds).with_constant_labels(billing()).unwrap().with_created_samples(true);
    let snapshot = registry.snapshot(|_| true);
    assert_eq!(snapshot.constant_labels(), &billing());
    assert_eq!(
        snapshot.constant_labels().iter().collect::<Vec<_>>(),
        [("service", "billing"), ("region", "eu-west-1")]
    );

    let requests = snapshot.family("metrics_cl_enc_requests_total").unwrap();
    let get = requests.find(&[("method", "get"), ("code", "2xx")]).unwrap();
    assert_eq!(
        snapshot.labels_of(get).collect::<Vec<_>>(),
        [("service", "billing"), ("region", "eu-west-1"), ("method", "get"), ("code", "2xx")]
    );
    // The series' own labels stay its own.
    assert_eq!(get.labels().collect::<Vec<_>>(), [("method", "get"), ("code", "2xx")]);
    let jobs = &snapshot.family("metrics_cl_enc_jobs_total").unwrap().series()[0];
    assert_eq!(snapshot.labels_of(jobs).collect::<Vec<_>>(), [("service", "billing"), ("region", "eu-west-1")]);
    let phase = &snapshot.family("metrics_cl_enc_phase").unwrap().series()[1];
    assert_eq!(
        snapshot.labels_of(phase).collect::<Vec<_>>(),
        [("service", "billing"), ("region", "eu-west-1"), ("metrics_cl_enc_phase", "running")]
    );

    // A snapshot encodes as the registry does, but for the summary (whose
    // window each read moves on) and the exemplar counter (a snapshot keeps
    // no exemplars).
    let compared =
        |d: &metricate::Descriptor| !["metrics_cl_enc_wait_seconds", "metrics_cl_enc_retries_total"].contains(&d.name);
    let live = registry.snapshot(compared);
    let mut from_registry_filter = Registry::new();
    for entry in registry.iter().filter(|e| compared(e.descriptor)) {
        from_registry_filter.register(entry.descriptor, entry.metric).unwrap();
    }
    let from_registry = from_registry_filter.with_constant_labels(billing()).unwrap().with_created_samples(true);
    for format in [Format::Prometheus, Format::OpenMetrics] {
        assert_eq!(text(format, &live), text(format, &from_registry), "{format:?}");
    }
    let whole = text(Format::Prometheus, &snapshot);
    assert!(whole.contains("\nmetrics_cl_enc_jobs_total{service=\"billing\",region=\"eu-west-1\"} 3\n"), "{whole}");

    // A delta keeps them.
    kinds.jobs_total.inc_by(2);
    let later = registry.snapshot(|d| d.name == "metrics_cl_enc_jobs_total");
    let delta = later.delta(&snapshot);
    assert_eq!(delta.constant_labels(), &billing());
    assert_eq!(delta.counter("metrics_cl_enc_jobs_total", &[]), Some(2.0));
    let delta_text = text(Format::Prometheus, &delta);
    assert!(
        delta_text.contains("metrics_cl_enc_jobs_total{service=\"billing\",region=\"eu-west-1\"} 2\n"),
        "{delta_text}"
    );

    // So do a filtered snapshot and a view's.
    let filtered = later.filter(|d| d.name == "metrics_cl_enc_jobs_total");
    assert_eq!(filtered.constant_labels(), &billing());
    assert_eq!(
        text(Format::Prometheus, &filtered),
        "# HELP metrics_cl_enc_jobs_total Jobs done.\n# TYPE metrics_cl_enc_jobs_total counter\n\
         metrics_cl_enc_jobs_total{service=\"billing\",region=\"eu-west-1\"} 5\n"
    );
    let view = metricate::SnapshotView::new(&registry);
    kinds.jobs_total.inc();
    let seen = view.snapshot();
    assert_eq!(seen.constant_labels(), &billing());
    assert_eq!(seen.counter("metrics_cl_enc_jobs_total", &[]), Some(1.0));

    // A registry without them: a snapshot without them.
    let plain = registry_of(&kinds).snapshot(|_| true);
    assert!(plain.constant_labels().is_empty());
    let jobs = &plain.family("metrics_cl_enc_jobs_total").unwrap().series()[0];
    assert_eq!(plain.labels_of(jobs).count(), 0);
}

// ---------------------------------------------------------------------------
// The checks of names and values.
// ---------------------------------------------------------------------------

fn refused(name: &str, value: &str) -> String {
    match ConstantLabels::new().with(name, value) {
        Ok(labels) => panic!("`{name}` = `{value}` accepted: {labels:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn names_and_values_are_checked() {
    // L1: not snake case, or starting with `__`.
    for name in ["__x", "Service", "service-name", "", "9lives"] {
        let message = refused(name, "x");
        assert!(message.contains("L1:"), "{name}: {message}");
    }
    assert!(refused("__x", "x").contains("starts with `__`"));
    // L2: reserved.
    for name in ["job", "instance", "le", "quantile"] {
        let message = refused(name, "x");
        assert!(message.contains(&format!("L2: label `{name}` is reserved")), "{message}");
        assert!(message.contains("help"), "{message}");
    }
    // L3: forbidden by the default policy (exact names, compounds, `raw_`).
    for name in ["host", "hostname", "user_id", "backend_url", "raw_value", "trace_id"] {
        let message = refused(name, "x");
        assert!(message.contains(&format!("L3: label `{name}` is forbidden")), "{message}");
    }
    // L7: an empty value.
    let message = refused("service", "");
    assert!(message.contains("L7:") && message.contains("empty"), "{message}");
    // Twice.
    let twice = ConstantLabels::new().with("service", "a").unwrap().with("service", "b").unwrap_err();
    assert!(twice.to_string().contains("`service` is given twice"), "{twice}");
    assert!(twice.message.contains("help"), "{twice}");
    // Every message says what it is about.
    assert!(refused("job", "x").starts_with("constant label: "), "{}", refused("job", "x"));

    // Accepted: order kept, values as given.
    let labels = ConstantLabels::new().with("service", "billing").unwrap().with("env", "prod").unwrap();
    assert_eq!(labels.len(), 2);
    assert!(!labels.is_empty());
    assert_eq!(labels.iter().collect::<Vec<_>>(), [("service", "billing"), ("env", "prod")]);
    assert_eq!(format!("{labels:?}"), r#"{"service": "billing", "env": "prod"}"#);
    // Values are free text (only L7 applies): a value that looks forbidden is fine.
    assert!(ConstantLabels::new().with("service", "job").is_ok());
}

#[test]
fn the_macro_checks_values_at_run_time() {
    let service = String::from("billing");
    let labels = metricate::constant_labels!(service = service, env = "prod").unwrap();
    assert_eq!(labels.iter().collect::<Vec<_>>(), [("service", "billing"), ("env", "prod")]);
    let empty = String::new();
    let error = metricate::constant_labels!(service = empty).unwrap_err();
    assert!(error.message.contains("L7:"), "{error}");
    assert!(metricate::constant_labels!().unwrap().is_empty());
}

/// A raw identifier names the label without its `r#`, as the compile-time
/// check of the name reads it (and as `#[derive(LabelSet)]` names a field's
/// label).
#[test]
fn the_macro_takes_raw_identifiers() {
    let labels = metricate::constant_labels!(r#type = "batch");
    assert_eq!(labels.unwrap().iter().collect::<Vec<_>>(), [("type", "batch")]);
    // The same name once raw is the same label: refused when the crate
    // compiles (ui-tests/tests/fail/constant/given-twice-raw.rs).
}

#[test]
fn parse_reads_pairs_and_refuses_what_is_not_one() {
    let labels = ConstantLabels::parse("a=1,b=2").unwrap();
    assert_eq!(labels.iter().collect::<Vec<_>>(), [("a", "1"), ("b", "2")]);
    // White space around pairs and names is trimmed; empty pairs skipped.
    let labels = ConstantLabels::parse(" service = billing , ,env=prod,").unwrap();
    assert_eq!(labels.iter().collect::<Vec<_>>(), [("service", "billing"), ("env", "prod")]);
    // A value may hold `=`.
    let labels = ConstantLabels::parse("expr=a=b").unwrap();
    assert_eq!(labels.iter().collect::<Vec<_>>(), [("expr", "a=b")]);

    let error = ConstantLabels::parse("novalue").unwrap_err();
    assert!(error.message.contains("`novalue` is not `name=value`"), "{error}");
    assert!(error.message.contains("help"), "{error}");
    for (text, rule) in [("job=x", "L2:"), ("Service=x", "L1:"), ("host=x", "L3:"), ("service=", "L7:")] {
        let error = ConstantLabels::parse(text).unwrap_err();
        assert!(error.message.contains(rule), "{text}: {error}");
    }
    let error = ConstantLabels::parse("a=1,b=2,a=3").unwrap_err();
    assert!(error.message.contains("given twice"), "{error}");
}

/// `from_env` of a variable that is set: the test runs itself again with
/// the variable in its environment, rather than change its own while other
/// threads may read it (`set_var` is unsafe, and this workspace denies
/// unsafe code).
#[test]
fn from_env_reads_the_variable() {
    const VAR: &str = "METRICATE_CONSTANT_LABELS_TEST_FROM_ENV";
    const EXPECT: &str = "METRICATE_CONSTANT_LABELS_TEST_EXPECT";
    let Ok(expect) = std::env::var(EXPECT) else {
        let run = |value: &std::ffi::OsStr, expect: &str| {
            let status = std::process::Command::new(std::env::current_exe().unwrap())
                .env(VAR, value)
                .env(EXPECT, expect)
                .args(["from_env_reads_the_variable", "--exact", "--nocapture"])
                .status()
                .unwrap();
            assert!(status.success(), "{VAR}={value:?}: the check in the child failed (above)");
        };
        run("service=billing, env=prod".as_ref(), "ok");
        run("".as_ref(), "empty");
        run("job=billing".as_ref(), "L2: label `job` is reserved");
        run("service".as_ref(), "`service` is not `name=value`");
        run(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"service=\xff"), "is not valid UTF-8");
        return;
    };
    let result = ConstantLabels::from_env(VAR);
    match expect.as_str() {
        "ok" => assert_eq!(result.unwrap().iter().collect::<Vec<_>>(), [("service", "billing"), ("env", "prod")]),
        "empty" => assert!(result.unwrap().is_empty()),
        expect => {
            let error = result.unwrap_err();
            assert!(error.message.starts_with(VAR), "names the variable: {error}");
            assert!(error.message.contains(expect), "{error}");
        }
    }
}

#[test]
fn from_env_of_an_unset_variable_is_empty() {
    const UNSET: &str = "METRICATE_CONSTANT_LABELS_TEST_NEVER_SET_5C1D";
    assert!(std::env::var_os(UNSET).is_none());
    let labels = ConstantLabels::from_env(UNSET).unwrap();
    assert!(labels.is_empty());
    assert_eq!(labels, ConstantLabels::new());
}

// ---------------------------------------------------------------------------
// D1: a constant label that is also a label of a registered metric.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, LabelValue)]
enum Region {
    Eu,
    Us,
}

#[derive(Clone, Copy, LabelSet)]
struct ByRegion {
    region: Region,
}

#[derive(Metrics)]
#[metrics(subsystem = "cl_late")]
struct Late {
    /// Requests, by region.
    by_region_total: Family<ByRegion, Counter>,
    /// Requests.
    requests_total: Counter,
}

#[derive(Metrics)]
#[metrics(subsystem = "cl_build")]
struct Build {
    /// The build.
    build_info: BuildInfo,
}

#[test]
fn a_constant_label_that_a_registered_metric_has_is_refused() {
    let kinds = populated();
    // A label of a family.
    let error = registry_of(&kinds).with_constant_labels(ConstantLabels::parse("method=get").unwrap()).err().unwrap();
    assert!(
        error.message.starts_with("D1: constant label `method` is also a label of metric `metrics_cl_enc_"),
        "{error}"
    );
    assert!(error.message.contains("help"), "{error}");
    // The label of an info metric.
    let error = registry_of(&kinds).with_constant_labels(ConstantLabels::parse("mode=x").unwrap()).err().unwrap();
    assert!(error.message.contains("`mode` is also a label of metric `metrics_cl_enc_role_info`"), "{error}");
    // The state label of a state set, named after the metric.
    let error = registry_of(&kinds)
        .with_constant_labels(ConstantLabels::parse("metrics_cl_enc_phase=x").unwrap())
        .err()
        .unwrap();
    assert!(
        error.message.contains("`metrics_cl_enc_phase` is also the state label of metric `metrics_cl_enc_phase`"),
        "{error}"
    );
    // The labels the derive writes for a build info.
    let build = Build::new_unregistered();
    for name in ["version", "rustc", "target", "revision"] {
        let mut registry = Registry::new();
        registry.register_group(&build).unwrap();
        let labels = ConstantLabels::new().with(name, "x").unwrap();
        let error = registry.with_constant_labels(labels).err().unwrap();
        assert!(error.message.contains(&format!("`{name}` is also a label of metric `metrics_cl_build_build_info`")));
    }
    // Another name is fine.
    assert!(registry_of(&kinds).with_constant_labels(billing()).is_ok());
}

#[test]
fn a_metric_registered_after_with_a_constant_label_is_refused() {
    let late = Late::new_unregistered();
    late.by_region_total.with(ByRegion { region: Region::Eu }).inc();
    late.by_region_total.with(ByRegion { region: Region::Us }).inc();
    late.requests_total.inc_by(4);
    let mut registry = Registry::new().with_constant_labels(billing()).unwrap();
    let error = registry.register_group(&late).unwrap_err();
    assert!(error.collisions.is_empty(), "{error:?}");
    assert_eq!(error.label_conflicts.len(), 1, "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with("D1: constant label `region` is also a label of metric `metrics_cl_late_by_region_total`"),
        "{message}"
    );
    // The rest of the group is registered; the conflicting metric is not.
    assert!(registry.get("metrics_cl_late_requests_total").is_some());
    assert!(registry.get("metrics_cl_late_by_region_total").is_none());
    let out = text(Format::Prometheus, &registry);
    assert!(out.contains("metrics_cl_late_requests_total{service=\"billing\",region=\"eu-west-1\"} 4\n"), "{out}");
    assert!(!out.contains("by_region"), "{out}");

    // One metric at a time too.
    let mut registry = Registry::new().with_constant_labels(billing()).unwrap();
    let mut conflicts = 0;
    let mut added = 0;
    metricate::MetricGroup::for_each_metric(
        &late,
        &mut |descriptor, metric| match registry.register(descriptor, metric) {
            Ok(()) => added += 1,
            Err(error) => {
                assert_eq!(error.label_conflicts.len(), 1, "{error:?}");
                conflicts += 1;
            }
        },
    );
    assert_eq!((added, conflicts), (1, 1));
}
