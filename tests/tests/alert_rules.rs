//! The rules `catalog rules` generates, checked by Prometheus's own tools:
//!
//! - `promtool check rules` accepts the rule files of a fixture with an
//!   alert of every kind (`catalog/tests/golden/alerts.json`) and the demo's
//!   committed `demo/rules/rules.yml`;
//! - `promtool test rules` passes the generated unit tests (each alert stays
//!   silent before its `for` has passed, fires after, and stays silent on
//!   series at or below its threshold), and fails them when the rules are
//!   broken: thresholds moved, `for` dropped, the error values changed;
//! - a real Prometheus scraping the demo and loading its rules: every
//!   recording rule returns data (the demo delivering to a textfile too, as
//!   with `--textfile-dir`, so that its delivery metrics have series), and a
//!   burst of server errors recorded through the demo's own metrics (the
//!   test's control) takes `TrcApiErrorRatioHigh` to `pending`, then, its
//!   `for` of five minutes later, to `firing` in the alerts API. The rule
//!   file is the committed one, as it is: this test takes over five minutes.
//!
//! Under `CI=true` a missing `promtool` or `prometheus` fails the tests.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use demo::metrics::api::{Http, HttpMethod, HttpRequest, HttpStatus, PathTemplate};
use metricate::export::{Exporter, Textfile};
use metricate_catalog::alerting::{Options, rule_file, rule_tests};
use metricate_catalog::json::Catalog;
use tests::TempDir;
use tests::prometheus::Prometheus;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/tests/golden/alerts.json");
const DEMO_RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../demo/rules/rules.yml");
const DEMO_TESTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../demo/rules/rules_test.yml");

fn fixture() -> Catalog {
    Catalog::from_json(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
}

/// Runs promtool with `args`; its exit status and output.
fn promtool(promtool: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(promtool).args(args).output().expect("promtool runs");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// Writes `rules` and `tests` into `dir` and runs `promtool test rules`.
fn unit_test(binary: &Path, dir: &TempDir, rules: &str, tests: &str) -> (bool, String) {
    std::fs::write(dir.join("rules.yml"), rules).unwrap();
    std::fs::write(dir.join("rules_test.yml"), tests).unwrap();
    promtool(binary, &["test", "rules", dir.join("rules_test.yml").to_str().unwrap()])
}

#[test]
fn promtool_accepts_the_rules_and_passes_their_tests() {
    let Some(binary) = tests::promtool() else { return };
    let dir = TempDir::new("alert-rules");
    let options = Options::default();
    let rules = rule_file(&fixture(), &options).unwrap();
    let tests = rule_tests(&fixture(), &options, "rules.yml").unwrap();
    std::fs::write(dir.join("rules.yml"), &rules).unwrap();
    let (ok, output) = promtool(&binary, &["check", "rules", dir.join("rules.yml").to_str().unwrap()]);
    assert!(ok, "promtool check rules refused the fixture's rules:\n{output}\n{rules}");
    assert!(output.contains("SUCCESS: 12 rules found"), "{output}");
    let (ok, output) = unit_test(&binary, &dir, &rules, &tests);
    assert!(ok, "the generated unit tests failed:\n{output}");
    // Six alerts, two tests each.
    assert_eq!(tests.matches("\n  - name: ").count(), 12, "{tests}");

    let (ok, output) = promtool(&binary, &["check", "rules", DEMO_RULES]);
    assert!(ok, "promtool check rules refused the demo's rules:\n{output}");
    let (ok, output) = promtool(&binary, &["test", "rules", DEMO_TESTS]);
    assert!(ok, "the demo's rule tests failed:\n{output}");
}

#[test]
fn broken_rules_fail_the_generated_tests() {
    let Some(binary) = tests::promtool() else { return };
    let dir = TempDir::new("alert-rules-broken");
    let options = Options::default();
    let rules = rule_file(&fixture(), &options).unwrap();
    let tests = rule_tests(&fixture(), &options, "rules.yml").unwrap();
    let broken = [
        // A threshold the firing series never reach.
        ("a higher error ratio threshold", "error_ratio5m > 0.05\"", "error_ratio5m > 0.99\""),
        // A threshold the silent series cross.
        ("a lower gauge threshold", "app_queue_depth > 100\"", "app_queue_depth > 99\""),
        // Firing before its `for` has passed.
        ("no `for`", "for: 10m\n", "for: 0s\n"),
        // Other failure values.
        ("other failure values", r#"status=~\"500|503\""#, r#"status=~\"404\""#),
        // A latency threshold above the firing observations.
        ("a higher latency threshold", r#"quantile=\"0.95\"} > 0.5"#, r#"quantile=\"0.95\"} > 5"#),
        // `absent` of another series.
        ("absent of another metric", "absent(app_heartbeats_total)", "absent(app_heartbeat_total)"),
    ];
    for (what, from, to) in broken {
        assert!(rules.contains(from), "{what}: `{from}` not in the rules:\n{rules}");
        let (ok, output) = unit_test(&binary, &dir, &rules.replace(from, to), &tests);
        assert!(!ok, "the tests passed with {what}:\n{output}");
        assert!(output.contains("FAILED"), "{what}: {output}");
    }
}

#[test]
fn a_real_prometheus_evaluates_the_demo_rules_and_fires_an_alert() {
    let Some(binary) = tests::prometheus() else { return };
    let committed = std::fs::read_to_string(DEMO_RULES).unwrap();
    let demo = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap())).expect("the demo starts");
    // The demo as run with `--textfile-dir`: its delivery metrics have
    // series, which the rules over them read.
    let textfile = TempDir::new("alert-rules-textfile");
    let sink = Textfile::new(textfile.path(), "demo").unwrap();
    let exporter = Exporter::builder().interval(Duration::from_secs(1)).sink(sink).build().unwrap();
    exporter.start().unwrap();
    let job = format!("  - job_name: demo\n    static_configs:\n      - targets: ['{}']\n", demo.local_addr());
    let mut prometheus = Prometheus::start_with_rules(&binary, &job, &committed);
    prometheus.wait_ready();
    prometheus.wait_for(r#"up{job="demo"}"#, Duration::from_secs(60), |v| v == 1.0);

    // Every recording rule returns data within a minute (of the first one's
    // wait; they are evaluated together).
    let records: Vec<String> =
        committed.lines().filter_map(|l| l.trim_start().strip_prefix("- record: ")).map(str::to_owned).collect();
    assert!(records.len() >= 20, "{} recording rules", records.len());
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut without: Vec<&String> = records.iter().collect();
    while !without.is_empty() {
        without.retain(|record| prometheus.query(&format!("{record}{{job=\"demo\"}}")).is_empty());
        assert!(
            without.is_empty() || std::time::Instant::now() < deadline,
            "recording rules without data after a minute: {without:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    // Nothing fires on the demo's own workload.
    assert!(
        !prometheus.alerts().iter().any(|(name, state)| name == "TrcApiErrorRatioHigh" && state == "firing"),
        "{:?}",
        prometheus.alerts()
    );

    // The control: a burst of server errors, recorded as the API would.
    let failing = HttpRequest {
        method: HttpMethod::Get,
        path_template: PathTemplate::Apps,
        status: HttpStatus::ServiceUnavailable,
    };
    let state = |prometheus: &Prometheus| {
        prometheus.alerts().into_iter().find(|(name, _)| name == "TrcApiErrorRatioHigh").map(|(_, state)| state)
    };
    let burst = || Http::global().requests_total.with(failing).inc_by(1_000);
    // Pending first: the ratio is above 5 % at once, the alert waits its `for`.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        burst();
        match state(&prometheus).as_deref() {
            Some("pending") => break,
            other => assert!(std::time::Instant::now() < deadline, "not pending within a minute: {other:?}"),
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let pending = std::time::Instant::now();
    // Firing once the condition has held for the rule's `for` (5 minutes),
    // and not before; the deadline is only a liveness bound.
    let deadline = pending + Duration::from_secs(15 * 60);
    loop {
        burst();
        match state(&prometheus).as_deref() {
            Some("firing") => break,
            other => assert!(
                std::time::Instant::now() < deadline,
                "TrcApiErrorRatioHigh did not fire: {other:?}\n{}",
                prometheus.log()
            ),
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    let held = pending.elapsed();
    assert!(held >= Duration::from_secs(5 * 60 - 5), "fired {held:?} after pending, before its `for` of 5 minutes");
    let ratio = prometheus.value(r#"job:trc_http_requests:error_ratio5m{job="demo"}"#).expect("the ratio is recorded");
    assert!(ratio > 0.05, "{ratio}");
    exporter.shutdown().unwrap();
}
