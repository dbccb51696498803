//! `catalog rules`: the rule file and its unit tests for the fixture of
//! every alert kind (`tests/golden/alerts.json`), compared byte for byte
//! with `tests/golden/alerts.rules.yml` and `alerts.rules_test.yml`
//! (`METRICS_CATALOG_UPDATE=1 cargo test -p metricate-catalog --features
//! cli,golden --test alerting` rewrites them); the command's files and errors; the runbooks of
//! the Markdown and HTML catalogues. promtool runs them in
//! `tests/tests/alert_rules.rs`.

use std::path::PathBuf;

use metricate_catalog::alerting::{Options, rule_file, rule_tests, runbooks};
use metricate_catalog::cli::{BAD_INPUT, CLEAN, run};
use metricate_catalog::golden::assert_generated_file;
use metricate_catalog::json::Catalog;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

fn fixture() -> Catalog {
    Catalog::from_json(&std::fs::read_to_string(golden("alerts.json")).unwrap()).unwrap()
}

fn catalog(args: &[&str]) -> (u8, String, String) {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = run(&args, &mut out, &mut err);
    (status, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

fn assert_golden(name: &str, generated: &str) {
    assert_generated_file(golden(name), generated);
}

#[test]
fn the_rules_and_their_tests_match_the_golden_files() {
    let rules = rule_file(&fixture(), &Options::default()).unwrap();
    assert_golden("alerts.rules.yml", &rules);
    let tests = rule_tests(&fixture(), &Options::default(), "alerts.rules.yml").unwrap();
    assert_golden("alerts.rules_test.yml", &tests);
}

#[test]
fn recording_rules_are_those_that_something_reads() {
    let rules = rule_file(&fixture(), &Options::default()).unwrap();
    let records: Vec<&str> = rules.lines().filter_map(|l| l.trim().strip_prefix("- record: ")).collect();
    assert_eq!(
        records,
        [
            // The latency histogram: p50, p95, p99.
            "job:app_http_request_duration_seconds:quantile5m",
            "job:app_http_request_duration_seconds:quantile5m",
            "job:app_http_request_duration_seconds:quantile5m",
            // The counter with marked failures: its rate and error ratio.
            "job:app_http_requests:rate5m",
            "job:app_http_requests:error_ratio5m",
            // The ratio of an alert over its own window and values.
            "job:app_jobs:error_ratio10m",
        ]
    );
    // No rule for the gauges, the heartbeat counter (no failure label).
    assert!(!rules.contains("record: job:app_queue_depth"));
    assert!(!rules.contains("record: job:app_heartbeats"));
    // Alerts read the recorded series.
    assert!(rules.contains(r#"expr: "job:app_http_requests:error_ratio5m > 0.05""#), "{rules}");
    assert!(rules.contains(r#"expr: "job:app_http_request_duration_seconds:quantile5m{quantile=\"0.95\"} > 0.5""#));
    assert!(rules.contains(r#"expr: "app_disk_free_bytes < 1000000000""#));
    assert!(rules.contains(r#"expr: "absent(app_heartbeats_total)""#));
    assert!(rules.contains(r#"runbook_url: "METRICS.md#alert-appapierrorratiohigh""#));
}

#[test]
fn the_command_writes_the_rules_and_the_tests_beside_them() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("catalog-rules-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let source = golden("alerts.json").display().to_string();
    let (out, tests) = (dir.join("rules.yml").display().to_string(), dir.join("rules_test.yml").display().to_string());
    let args = ["rules", "--from", &source, "--out", &out, "--tests", &tests, "--runbook-url", "https://x/c.html"];
    let (status, stdout, err) = catalog(&args);
    assert_eq!((status, stdout.as_str(), err.as_str()), (CLEAN, "", ""));
    let rules = std::fs::read_to_string(&out).unwrap();
    assert!(rules.contains("runbook_url: \"https://x/c.html#alert-appdisklow\""), "{rules}");
    assert!(std::fs::read_to_string(&tests).unwrap().contains("rule_files:\n  - \"rules.yml\"\n"));
    // Without --out, the rules go to stdout.
    let (status, stdout, _) = catalog(&["rules", "--from", &source]);
    assert_eq!(status, CLEAN);
    assert!(stdout.starts_with("# Recording and alerting rules"));

    // Two alerts of one name, an alert its metric cannot answer: exit 2.
    let mut broken = fixture();
    let copy = broken.metrics[0].alerts[0].clone();
    broken.metrics[1].alerts.push(copy.clone());
    let mut wrong = copy;
    wrong.name = "AppWrong".to_owned();
    wrong.condition = "quantile".to_owned();
    let gauge = broken.metrics.iter_mut().find(|m| m.kind == metricate_catalog::MetricKind::Gauge).unwrap();
    gauge.alerts.push(wrong);
    let path = dir.join("broken.json");
    std::fs::write(&path, broken.to_json()).unwrap();
    let (status, _, err) = catalog(&["rules", "--from", path.to_str().unwrap()]);
    assert_eq!(status, BAD_INPUT);
    assert!(err.contains("A5: alert `AppDiskLow` is declared twice"), "{err}");
    assert!(
        err.contains("alert `AppWrong`: A2: a quantile cannot be computed from `app_disk_free_bytes`, a gauge"),
        "{err}"
    );
    let (status, _, err) = catalog(&["rules", "--from", &source, "--tests", &tests]);
    assert_eq!(status, BAD_INPUT);
    assert!(err.contains("`--tests` needs `--out`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn runbooks_show_each_alert_with_its_query_and_metric() {
    let catalog = fixture();
    let books = runbooks(&catalog);
    let names: Vec<&str> = books.iter().map(|r| r.alert.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "AppApiErrorRatioHigh",
            "AppApiSlow",
            "AppDiskLow",
            "AppHeartbeatsAbsent",
            "AppJobFailures",
            "AppQueueBacklog"
        ]
    );
    assert_eq!(books[0].recordings.len(), 1);
    assert_eq!(books[0].recordings[0].record, "job:app_http_requests:error_ratio5m");
    // The quantile alert reads the one recorded quantile it names.
    assert_eq!(books[1].recordings.len(), 1);
    assert_eq!(books[1].recordings[0].labels, [("quantile".to_owned(), "0.95".to_owned())]);

    let markdown = metricate_catalog::render::markdown(&catalog);
    let section = &markdown[markdown.find("## Runbooks").expect("a Runbooks section")..];
    assert!(section.contains("### Alert `AppApiErrorRatioHigh`"), "{section}");
    assert!(section.contains("```promql\njob:app_http_requests:error_ratio5m > 0.05\n```"), "{section}");
    assert!(section.contains("- **Metric:** [`app_http_requests_total`](#app_http_requests_total), counter"));
    assert!(markdown.contains("- **Alerts:** [`AppApiErrorRatioHigh`](#alert-appapierrorratiohigh) (critical)"));
    assert!(markdown.contains("`500` (error), `503` (error)"));

    let html = metricate_catalog::render::html(&catalog);
    assert!(html.contains(r#"<article class="runbook" id="alert-appapislow">"#), "{html}");
    assert!(html.contains(r##"<a href="#alert-appdisklow"><code>AppDiskLow</code></a> (critical)"##));
    assert!(html.contains("<pre class=\"query\"><code>absent(app_heartbeats_total)</code></pre>"));
}
