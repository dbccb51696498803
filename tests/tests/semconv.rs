//! The semantic-convention rendering (`catalog render --format semconv`):
//! its text for a small catalogue, and every rendering (a fixture of every
//! kind, the golden catalogues, the demo's committed catalogue) validated
//! against Weaver's published JSON schema, kept in `catalog/tests/data/weaver/`, by
//! Python `jsonschema` in the virtual environment
//! `scripts/install-test-deps.sh` creates under the target directory
//! (`semconv-venv`). Broken files must fail the same validation.
//!
//! Without that environment the Python tests skip with a message, except
//! under `CI=true`, where they fail.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use metricate_catalog::json::{Catalog, Deprecated, Metric, MetricLabel, MetricSource, SCHEMA, SCHEMA_VERSION};
use metricate_catalog::render::semconv;
use serde_json::Value;

fn label(name: &str, values: &[&str]) -> MetricLabel {
    MetricLabel {
        name: name.to_owned(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
        unknown: false,
        cap: None,
        build: false,
        errors: Vec::new(),
    }
}

fn metric(name: &str, kind: &str, help: &str) -> Metric {
    Metric {
        name: name.to_owned(),
        kind: metricate_catalog::MetricKind::from_type_word(kind).unwrap(),
        unit: None,
        help: help.to_owned(),
        subsystem: String::new(),
        labels: vec![],
        buckets: vec![],
        quantiles: Vec::new(),
        max_age_seconds: None,
        age_buckets: None,
        exemplars: false,
        created: false,
        alerts: vec![],
        series: 1,
        version: "1.0.0".to_owned(),
        deprecated: None,
        quiet: false,
        source: MetricSource {
            file: "src/lib.rs".to_owned(),
            line: 1,
            column: 1,
            module: "app".to_owned(),
            function: None,
        },
    }
}

fn catalog(metrics: Vec<Metric>) -> Catalog {
    Catalog { schema: SCHEMA.to_owned(), schema_version: SCHEMA_VERSION, metrics }
}

/// Every kind, and every case of the mapping: labels shared with other
/// values, `unknown`, capped and build labels, values that are no
/// identifiers, deprecations with and without a replacement, units with and
/// without a UCUM spelling, versions of every stability, two metrics with
/// one OpenTelemetry name, and help text YAML would misread unquoted.
#[allow(clippy::too_many_lines)] // one literal per metric of the fixture
fn fixture() -> Catalog {
    let mut requests = metric(
        "trc_http_requests_total",
        "counter",
        "HTTP requests: \"quoted\", back\\slash, # not a comment, yes, 1e3,\nnext line\ttab \u{7} é 🦀 \u{2028}.",
    );
    requests.subsystem = "http".into();
    requests.labels =
        vec![MetricLabel { unknown: true, ..label("method", &["GET", "POST"]) }, label("status", &["200", "5xx"])];
    requests.version = "1.2.0".into();
    requests.quiet = true;

    let mut hits = metric("trc_http_hits_total", "counter", "Requests, counted before routing.");
    hits.subsystem = "http".into();
    hits.deprecated = Some(Deprecated {
        reason: "counts health checks too".to_owned(),
        replacement: Some("trc_http_requests_total".to_owned()),
    });

    let mut depth = metric("trc_queue_depth", "gauge", "Jobs waiting.");
    depth.version = "0.4.0".into();
    depth.deprecated = Some(Deprecated { reason: String::new(), replacement: None });

    let mut io = metric("trc_io_seconds", "histogram", "Time one I/O took.");
    io.unit = Some("seconds".to_owned());
    io.buckets = vec![0.005, 0.1, 1.0, 2.5];
    io.labels = vec![label("result", &["ok", "error"])];

    let mut step = metric("trc_step_seconds", "summary", "Time one step took.");
    step.unit = Some("seconds".to_owned());
    step.quantiles = vec![0.5, 0.9, 0.99];
    step.max_age_seconds = Some(600);
    step.age_buckets = Some(5);
    step.labels = vec![label("result", &["ok", "timeout"])];
    step.version = "2.0.0-beta.1".into();

    let mut build = metric("trc_build_info", "info", "The build.");
    build.labels =
        vec![MetricLabel { build: true, ..label("version", &[]) }, MetricLabel { build: true, ..label("rustc", &[]) }];

    let mut phase = metric("trc_phase", "stateset", "Where the worker is.");
    phase.labels = vec![label("trc_phase", &["starting", "running", "stopped"])];

    let mut peers = metric("trc_peers", "gauge", "Peers by node and zone.");
    peers.labels =
        vec![MetricLabel { cap: Some(64), ..label("node_id", &[]) }, label("zone", &["a\"b", "/", "yes", "é", "A B"])];

    let mut distance = metric("trc_distance_furlongs", "gauge", "How far.");
    distance.unit = Some("furlongs".to_owned());

    let mut temperature = metric("trc_temperature_celsius", "gauge", "How warm.");
    temperature.unit = Some("celsius".to_owned());
    temperature.version = "3.0.0-rc.1".into();

    let jobs = metric("trc_jobs_total", "counter", "Jobs run.");
    let jobs_gauge = metric("trc_jobs", "gauge", "Jobs running.");

    catalog(vec![requests, hits, depth, io, step, build, phase, peers, distance, temperature, jobs, jobs_gauge])
}

#[test]
fn a_small_catalogue_renders_as_expected() {
    let mut requests = metric("trc_http_requests_total", "counter", "HTTP requests handled.");
    requests.subsystem = "http".into();
    requests.labels = vec![label("method", &["get", "post"])];
    let mut hits = metric("trc_http_hits_total", "counter", "Requests, counted before routing.");
    hits.version = "0.3.0".into();
    hits.deprecated = Some(Deprecated {
        reason: "counts health checks too".to_owned(),
        replacement: Some("trc_http_requests_total".to_owned()),
    });
    let expected = [
        "# The metrics of a metricate catalogue as OpenTelemetry semantic conventions, in the",
        "# registry syntax OpenTelemetry Weaver reads. Written by `catalog render --format semconv`:",
        "# regenerate it instead of editing it.",
        "groups:",
        "  - id: \"registry.metricate\"",
        "    type: attribute_group",
        "    display_name: \"Metric labels\"",
        "    brief: \"The labels of the catalogue's metrics: one attribute per label name, referenced by the metrics \
         that have it.\"",
        "    attributes:",
        "      - id: \"method\"",
        "        type:",
        "          members:",
        "            - id: \"get\"",
        "              value: \"get\"",
        "              stability: stable",
        "            - id: \"post\"",
        "              value: \"post\"",
        "              stability: stable",
        "        stability: stable",
        "        brief: \"The `method` label of `trc_http_requests_total`.\"",
        "  - id: \"metric.trc_http_hits\"",
        "    type: metric",
        "    metric_name: \"trc_http_hits\"",
        "    brief: \"Requests, counted before routing.\"",
        "    note: \"Prometheus: counter `trc_http_hits_total`.\"",
        "    stability: development",
        "    deprecated:",
        "      reason: renamed",
        "      renamed_to: \"trc_http_requests\"",
        "      note: \"counts health checks too.\"",
        "    instrument: counter",
        "    unit: \"\"",
        "    annotations:",
        "      metricate:",
        "        prometheus_name: \"trc_http_hits_total\"",
        "        prometheus_type: \"counter\"",
        "        version: \"0.3.0\"",
        "  - id: \"metric.trc_http_requests\"",
        "    type: metric",
        "    metric_name: \"trc_http_requests\"",
        "    brief: \"HTTP requests handled.\"",
        "    note: \"Prometheus: counter `trc_http_requests_total`.\"",
        "    stability: stable",
        "    instrument: counter",
        "    unit: \"\"",
        "    annotations:",
        "      metricate:",
        "        prometheus_name: \"trc_http_requests_total\"",
        "        prometheus_type: \"counter\"",
        "        subsystem: \"http\"",
        "        version: \"1.0.0\"",
        "    attributes:",
        "      - ref: \"method\"",
        "        requirement_level: required",
        "",
    ];
    assert_eq!(semconv(&catalog(vec![requests, hits])), expected.join("\n"));
}

#[test]
fn an_empty_catalogue_has_no_groups() {
    assert!(semconv(&catalog(vec![])).ends_with("\ngroups: []\n"));
}

#[test]
fn the_output_is_independent_of_the_catalogue_order() {
    let mut reversed = fixture();
    reversed.metrics.reverse();
    assert_eq!(semconv(&reversed), semconv(&fixture()));
}

#[test]
fn the_mapping_of_each_kind() {
    let text = semconv(&fixture());
    let group = |id: &str| -> String {
        let start = text.find(&format!("\n  - id: \"{id}\"\n")).unwrap_or_else(|| panic!("no group {id}:\n{text}"));
        let rest = &text[start + 1..];
        let end = rest[1..].find("\n  - id: ").map_or(rest.len(), |i| i + 2);
        rest[..end].to_owned()
    };
    // A summary is a histogram, with a note that says so.
    let step = group("metric.trc_step_seconds");
    assert!(step.contains("\n    instrument: histogram\n    unit: \"s\"\n"), "{step}");
    assert!(step.contains("quantiles 0.5, 0.9, 0.99 over the last 10 min"), "{step}");
    assert!(step.contains("OpenTelemetry has no summary instrument"), "{step}");
    assert!(step.contains("\n    stability: beta\n"), "{step}");
    assert!(step.contains("\n        quantiles: [0.5, 0.9, 0.99]\n"), "{step}");
    // Its `result` has fewer values than the attribute: its reference lists them.
    assert!(step.contains("note: \"On this metric: `ok`, `timeout`.\""), "{step}");
    // Info metrics and state sets are gauges.
    assert!(group("metric.trc_build_info").contains("\n    instrument: gauge\n"));
    let phase = group("metric.trc_phase");
    assert!(phase.contains("\n    instrument: gauge\n"), "{phase}");
    assert!(phase.contains("note: \"The state: 1 for the current state, 0 for the others.\""), "{phase}");
    let io = group("metric.trc_io_seconds");
    assert!(io.contains("\n    instrument: histogram\n    unit: \"s\"\n"), "{io}");
    assert!(io.contains("\n        buckets: [0.005, 0.1, 1, 2.5]\n"), "{io}");
    // Units as the OTLP sink sends them: none for a unit without a UCUM spelling.
    assert!(group("metric.trc_temperature_celsius").contains("\n    stability: release_candidate\n"));
    assert!(group("metric.trc_temperature_celsius").contains("\n    unit: \"Cel\"\n"));
    let distance = group("metric.trc_distance_furlongs");
    assert!(distance.contains("\n    unit: \"\"\n"), "{distance}");
    assert!(distance.contains("Its unit, `furlongs`, has no UCUM spelling here"), "{distance}");
    // A deprecation without a replacement is obsoleted.
    let depth = group("metric.trc_queue_depth");
    assert!(depth.contains("\n    stability: development\n    deprecated:\n      reason: obsoleted\n    instrument:"));
    // Two metrics named `trc_jobs` in OpenTelemetry: the counter's group takes its Prometheus name.
    let (counter, gauge) = (group("metric.trc_jobs_total"), group("metric.trc_jobs"));
    assert!(
        counter.contains("\n    metric_name: \"trc_jobs\"\n") && gauge.contains("\n    metric_name: \"trc_jobs\"\n")
    );
    assert!(counter.contains("has the OpenTelemetry name `trc_jobs` too"), "{counter}");
    // Capped and build labels are strings; enums get an `unknown` member when
    // a metric may have it.
    let registry = group("registry.metricate");
    assert!(registry.contains("\n      - id: \"node_id\"\n        type: string\n"), "{registry}");
    assert!(registry.contains("        examples: [\"other\"]\n"), "{registry}");
    assert!(registry.contains("\n      - id: \"rustc\"\n        type: string\n"), "{registry}");
    assert!(
        registry.contains(
            "            - id: \"unknown\"\n              value: \"unknown\"\n              brief: \"The value was \
             missing.\"\n"
        ),
        "{registry}"
    );
    assert!(registry.contains("            - id: \"a_b\"\n              value: \"a\\\"b\"\n"), "{registry}");
    assert!(registry.contains("            - id: \"value\"\n              value: \"/\"\n"), "{registry}");
    assert!(registry.contains("            - id: \"a_b_2\"\n              value: \"A B\"\n"), "{registry}");
}

#[test]
fn the_cli_renders_the_format() {
    let path = golden("diff-old.json");
    let args: Vec<String> = ["render", "--from", &path, "--format", "semconv"].map(String::from).to_vec();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(metricate_catalog::cli::run(&args, &mut out, &mut err), metricate_catalog::cli::CLEAN);
    let expected = semconv(&Catalog::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap());
    assert_eq!(String::from_utf8(out).unwrap(), expected);
    assert!(err.is_empty());
}

fn golden(name: &str) -> String {
    format!("{}/../catalog/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn weaver(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/data/weaver").join(name)
}

/// The interpreter of the validator's virtual environment: the target
/// directory's `semconv-venv` (the parent of `CARGO_TARGET_TMPDIR`, as
/// `scripts/install-test-deps.sh` uses `$CARGO_TARGET_DIR` or `target/`),
/// when it imports what the validator needs. Missing, it fails the test
/// under CI and skips it otherwise.
fn python() -> Option<PathBuf> {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let python = tmp.parent().unwrap_or(tmp).join("semconv-venv/bin/python3");
    let works = python.is_file()
        && Command::new(&python)
            .args(["-I", "-c", "import jsonschema, referencing, yaml"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if works {
        return Some(python);
    }
    tests::missing(&format!(
        "the semantic-convention validator's Python environment ({}, with jsonschema and PyYAML, which \
         scripts/install-test-deps.sh creates from catalog/tests/data/weaver/requirements.txt)",
        python.display()
    ))
}

/// Validates a registry file against Weaver's schema: the document as JSON,
/// or the validator's errors.
fn validate(python: &Path, yaml: &str) -> Result<Value, String> {
    let mut child = Command::new(python)
        .arg("-I")
        .arg(weaver("validate.py"))
        .arg(weaver("semconv.schema.json"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let mut stdin = child.stdin.take().unwrap();
    let input = yaml.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        Some(0) => Ok(serde_json::from_slice(&output.stdout).expect("the validator writes the document as JSON")),
        Some(1) => Err(stderr),
        _ => panic!("the validator failed ({}): {stderr}", output.status),
    }
}

/// Validates the rendering of `catalog` and checks that it reads back as
/// written: every metric's name, help and labels, every attribute defined
/// once and every reference defined.
fn assert_valid(python: &Path, what: &str, catalog: &Catalog) {
    let yaml = semconv(catalog);
    let document = validate(python, &yaml).unwrap_or_else(|e| panic!("{what}: not valid:\n{e}"));
    let groups = document["groups"].as_array().unwrap();
    let mut ids: Vec<&str> = groups.iter().map(|g| g["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let count = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), count, "{what}: a group id is repeated");
    let attributes: Vec<&Value> = groups
        .iter()
        .filter(|g| g["type"] == "attribute_group")
        .flat_map(|g| g["attributes"].as_array().unwrap())
        .collect();
    let metrics: Vec<&Value> = groups.iter().filter(|g| g["type"] == "metric").collect();
    assert_eq!(metrics.len(), catalog.metrics.len(), "{what}");
    for group in metrics {
        let name = group["annotations"]["metricate"]["prometheus_name"].as_str().unwrap();
        let metric = catalog.metric(name).unwrap_or_else(|| panic!("{what}: no metric {name}"));
        assert_eq!(group["brief"], metric.help.trim(), "{what}: {name}");
        let otel = if metric.kind == metricate_catalog::MetricKind::Counter {
            name.strip_suffix("_total").unwrap_or(name)
        } else {
            name
        };
        assert_eq!(group["metric_name"], otel, "{what}: {name}");
        let references: Vec<&str> = group["attributes"]
            .as_array()
            .map(|a| a.iter().map(|r| r["ref"].as_str().unwrap()).collect())
            .unwrap_or_default();
        let labels: Vec<&str> = metric.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(references, labels, "{what}: {name}");
        for label in &metric.labels {
            let matching: Vec<&&Value> = attributes.iter().filter(|a| a["id"] == label.name.as_str()).collect();
            assert_eq!(matching.len(), 1, "{what}: attribute {} is defined {} times", label.name, matching.len());
            let attribute = matching[0];
            if let Some(members) = attribute["type"]["members"].as_array() {
                let values: Vec<&str> = members.iter().map(|m| m["value"].as_str().unwrap()).collect();
                for value in &label.values {
                    assert!(values.contains(&value.as_str()), "{what}: {name}: `{value}` of {} is lost", label.name);
                }
            } else {
                assert_eq!(attribute["type"], "string", "{what}: {name}: {}", label.name);
            }
        }
    }
}

#[test]
fn the_renderings_validate_against_weavers_schema() {
    let Some(python) = python() else { return };
    assert_valid(&python, "the fixture", &fixture());
    assert_valid(&python, "an empty catalogue", &catalog(vec![]));
    for name in ["diff-old.json", "diff-new.json"] {
        let text = std::fs::read_to_string(golden(name)).unwrap();
        assert_valid(&python, name, &Catalog::from_json(&text).unwrap());
    }
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo/METRICS.json");
    let text = std::fs::read_to_string(&demo).unwrap_or_else(|e| panic!("{}: {e}", demo.display()));
    let demo = Catalog::from_json(&text).unwrap();
    assert!(demo.metrics.len() > 50, "the demo's catalogue has {} metrics", demo.metrics.len());
    assert_valid(&python, "the demo's catalogue", &demo);
}

/// The rendering with the first line `edit` changes changed (or removed,
/// when it returns `None`).
fn broken(text: &str, edit: impl Fn(&str) -> Option<Option<String>>) -> String {
    let mut done = false;
    let mut out = String::new();
    for line in text.lines() {
        match (done, edit(line)) {
            (false, Some(replacement)) => {
                done = true;
                if let Some(replacement) = replacement {
                    out.push_str(&replacement);
                    out.push('\n');
                }
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    assert!(done, "no line to break");
    out
}

#[test]
fn broken_files_fail_the_validation() {
    let Some(python) = python() else { return };
    let text = semconv(&fixture());
    let replace = |from: &'static str, to: &'static str| {
        move |line: &str| line.contains(from).then(|| Some(line.replace(from, to)))
    };
    let remove = |prefix: &'static str| move |line: &str| line.starts_with(prefix).then_some(None);
    let cases: [(&str, String, &str); 7] = [
        // The schema alone lets this one through, as a generic convention:
        // the check of each metric group as a metric catches it.
        (
            "an unknown instrument",
            broken(&text, replace("instrument: counter", "instrument: countr")),
            "'countr' is not one of",
        ),
        ("a metric without a unit", broken(&text, remove("    unit: ")), "'unit' is a required property"),
        ("a metric without a brief", broken(&text, remove("    brief: \"Peers")), "'brief' is a required property"),
        (
            "a group without an id",
            broken(&text, replace("  - id: \"metric.", "  - name: \"metric.")),
            "'id' is a required property",
        ),
        (
            "an unknown stability",
            broken(&text, replace("    stability: stable", "    stability: experimental")),
            "'experimental' is not one of",
        ),
        (
            "an enum member without a stability",
            broken(&text, remove("              stability: ")),
            "'stability' is a required property",
        ),
        (
            "a key given twice",
            broken(&text, replace("    type: metric", "    type: metric\n    type: metric")),
            "duplicate key",
        ),
    ];
    for (what, yaml, message) in cases {
        match validate(&python, &yaml) {
            Ok(_) => panic!("{what}: the broken file validates"),
            Err(errors) => assert!(errors.contains(message), "{what}: expected {message:?} in\n{errors}"),
        }
    }
    let unterminated = broken(&text, replace("    brief: \"Peers by node and zone.\"", "    brief: \"Peers by node"));
    let errors = validate(&python, &unterminated).expect_err("an unterminated string");
    assert!(errors.starts_with("not YAML"), "{errors}");
}
