//! The `catalog` command: `render`, `diff` and `check`, their output and exit
//! status, in-process through `metricate_catalog::cli::run` and once through the real
//! binary.

use std::path::PathBuf;
use std::process::Command;

use metricate_catalog::cli::{BAD_INPUT, CLEAN, VIOLATIONS, run};

/// Runs the command; returns (status, stdout, stderr).
fn catalog(args: &[&str]) -> (u8, String, String) {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = run(&args, &mut out, &mut err);
    (status, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

fn golden(name: &str) -> String {
    format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory of one test, under the target directory (never in
/// the system's temp dir): emptied when made, removed when the test ends.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("catalog-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["render"],
        &["render", "--from", "x.json"],
        &["render", "--from", "/nonexistent.json", "--format", "markdown"],
        &["render", "--from", "a", "--from", "b", "--format", "json"],
        &["diff", "only-one.json"],
        &["diff", "--format", "yaml", "a", "b"],
        &["check"],
        &["check", "--bogus", "x"],
        &["check", "--max-series", "many", "x"],
        &["check", "/nonexistent.prom"],
    ] {
        let (status, out, err) = catalog(args);
        assert_eq!(status, BAD_INPUT, "{args:?}: {out}{err}");
        assert!(err.starts_with("catalog: "), "{args:?}: {err}");
    }
    let (status, out, _) = catalog(&["--help"]);
    assert_eq!(status, CLEAN);
    assert!(out.contains("catalog check [--catalog FILE]"));
}

#[test]
fn render_writes_each_format() {
    let dir = scratch("render");
    let source = golden("diff-new.json");
    let (status, markdown, _) = catalog(&["render", "--from", &source, "--format", "markdown"]);
    assert_eq!(status, CLEAN);
    assert!(markdown.contains("trc_tasks_total"), "{markdown}");
    let (_, json, _) = catalog(&["render", "--from", &source, "--format", "json"]);
    let reread = metricate_catalog::json::Catalog::from_json(&json).unwrap();
    assert_eq!(
        reread,
        metricate_catalog::json::Catalog::from_json(&std::fs::read_to_string(&source).unwrap()).unwrap()
    );
    let out = dir.join("catalog.html").display().to_string();
    let (status, stdout, _) = catalog(&["render", "--from", &source, "--format", "html", "--out", &out]);
    assert_eq!((status, stdout.as_str()), (CLEAN, ""));
    assert!(std::fs::read_to_string(&out).unwrap().contains("trc_queue_depth"));
    let (status, _, err) = catalog(&["render", "--from", &source, "--format", "pdf"]);
    assert_eq!(status, BAD_INPUT);
    assert!(err.contains("unknown format `pdf`"));
    let not_a_catalog = write(&dir, "other.json", "{\"schema\": \"other\", \"schema_version\": 1, \"metrics\": []}");
    let (status, _, err) = catalog(&["render", "--from", &not_a_catalog, "--format", "json"]);
    assert_eq!(status, BAD_INPUT);
    assert!(err.contains("not a metrics catalogue"), "{err}");
}

#[test]
fn diff_exit_status_follows_the_declared_versions() {
    let (old, new) = (golden("diff-old.json"), golden("diff-new.json"));
    let (status, out, _) = catalog(&["diff", &old, &new]);
    assert_eq!(status, VIOLATIONS, "{out}");
    assert!(out.contains("major removed label value trc_http_requests_total: `patch` of label `method`\n"), "{out}");
    assert!(out.contains("the catalogue needs a major bump"));
    assert!(out.contains("error: trc_http_requests_total: its changes need a major bump"), "{out}");
    let (status, out, _) = catalog(&["diff", &old, &old]);
    assert_eq!((status, out.as_str()), (CLEAN, "no changes\n"));

    let (status, out, _) = catalog(&["diff", "--format", "json", &old, &new]);
    assert_eq!(status, VIOLATIONS);
    let document: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(document["bump"], "major");
    assert_eq!(document["changes"].as_array().unwrap().len(), 6);
    assert_eq!(document["problems"][0]["metric"], "trc_http_requests_total");
    assert_eq!(document["problems"][0]["declared"], "minor");

    // A release that covers its changes passes.
    let dir = scratch("diff");
    let fixed = std::fs::read_to_string(&new).unwrap().replacen("\"version\": \"1.1.0\"", "\"version\": \"2.0.0\"", 1);
    let fixed = write(&dir, "fixed.json", &fixed);
    let without_removal = std::fs::read_to_string(&old).unwrap();
    let mut old_catalog = metricate_catalog::json::Catalog::from_json(&without_removal).unwrap();
    old_catalog.metrics.retain(|m| m.name != "trc_jobs_total");
    let old_fixed = write(&dir, "old.json", &old_catalog.to_json());
    let (status, out, _) = catalog(&["diff", &old_fixed, &fixed]);
    assert_eq!(status, CLEAN, "{out}");
}

const GOOD: &str = "\
# HELP trc_jobs_total Jobs run.
# TYPE trc_jobs_total counter
trc_jobs_total{result=\"ok\"} 3
trc_jobs_total{result=\"error\"} 1
# HELP trc_job_duration_seconds Time to run a job.
# TYPE trc_job_duration_seconds histogram
trc_job_duration_seconds_bucket{le=\"0.1\"} 1
trc_job_duration_seconds_bucket{le=\"1.0\"} 3
trc_job_duration_seconds_bucket{le=\"+Inf\"} 4
trc_job_duration_seconds_sum 2.5
trc_job_duration_seconds_count 4
";

const BAD: &str = "\
# HELP trc_Jobs Jobs run.
# TYPE trc_Jobs counter
trc_Jobs 1
# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{user_id=\"42\",le=\"x\"} 1
# HELP trc_latency_ms Latency.
# TYPE trc_latency_ms gauge
trc_latency_ms 12
# TYPE trc_queue_total gauge
trc_queue_total{__shard=\"a\",Zone=\"\"} 1
# HELP trc_items_count Items.
# TYPE trc_items_count gauge
trc_items_count 3
# HELP trc_io_seconds I/O.
# TYPE trc_io_seconds histogram
trc_io_seconds_bucket{le=\"+Inf\"} 2
trc_io_seconds_sum 1
trc_io_seconds_count 2
# HELP trc_wide Many labels.
# TYPE trc_wide gauge
trc_wide{a=\"1\",b=\"1\",c=\"1\",d=\"1\",e=\"1\",f=\"1\",g=\"1\",h=\"1\",i=\"1\",j=\"1\",k=\"1\"} 1
# HELP trc_events_total Events seen.
# TYPE trc_events_total counter
trc_events_total 5
# HELP trc_events A gauge named like the counter's OpenMetrics family.
# TYPE trc_events gauge
trc_events 0
";

#[test]
fn check_reports_each_rule_with_its_id() {
    let dir = scratch("check");
    let good = write(&dir, "good.prom", GOOD);
    let (status, out, _) = catalog(&["check", "--namespace", "trc", &good]);
    assert_eq!(status, CLEAN, "{out}");
    assert!(out.ends_with("2 families, no violations\n"), "{out}");

    let bad = write(&dir, "bad.prom", BAD);
    let (status, out, _) = catalog(&["check", "--namespace", "trc", "--format", "json", &bad]);
    assert_eq!(status, VIOLATIONS);
    let document: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, String)> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["family"].as_str().unwrap().to_owned()))
        .collect();
    let has = |rule: &str, family: &str| found.iter().any(|(r, f)| r == rule && f == family);
    for (rule, family) in [
        ("N1", "trc_Jobs"),
        ("N3", "trc_Jobs"),
        ("N2", "http_requests_total"),
        ("L3", "http_requests_total"),
        ("L2", "http_requests_total"),
        ("N4", "trc_latency_ms"),
        ("N3", "trc_queue_total"),
        ("N7", "trc_queue_total"),
        ("L1", "trc_queue_total"),
        ("L7", "trc_queue_total"),
        ("N6", "trc_items_count"),
        ("H1", "trc_io_seconds"),
        ("L5", "trc_wide"),
        ("D1", "trc_events"),
    ] {
        assert!(has(rule, family), "no {rule} for {family} in {found:?}");
    }
    // The text output names the rule and the line.
    let (_, text, _) = catalog(&["check", "--namespace", "trc", &bad]);
    assert!(text.contains(&format!("{bad}:6: L3: label `user_id` is forbidden")), "{text}");

    // N2 is checked only when namespaces are given; any of them will do.
    let (_, text, _) = catalog(&["check", &bad]);
    assert!(!text.contains("N2:"), "{text}");
    let (_, text, _) = catalog(&["check", "--namespace", "trc", "--namespace", "http", &bad]);
    assert!(!text.contains("N2:"), "{text}");

    // The metrics runtime's own families keep their prefix in every program:
    // N2 accepts it beside the namespaces given, and only it.
    let runtime = write(
        &dir,
        "runtime.prom",
        "# HELP metrics_export_scrapes_total Scrapes.\n# TYPE metrics_export_scrapes_total counter\n\
         metrics_export_scrapes_total 1\n# HELP metrics_exports_total Not the runtime's.\n\
         # TYPE metrics_exports_total counter\nmetrics_exports_total 1\n",
    );
    let (status, text, _) = catalog(&["check", "--namespace", "trc", &runtime]);
    assert_eq!(status, VIOLATIONS, "{text}");
    assert!(text.contains("N2: metric `metrics_exports_total` does not start"), "{text}");
    assert!(!text.contains("`metrics_export_scrapes_total`"), "{text}");

    // So do the standard process metrics, by their exact names only.
    let process = write(
        &dir,
        "process.prom",
        "# HELP process_open_fds Open.\n# TYPE process_open_fds gauge\nprocess_open_fds 9\n\
         # HELP process_open_files Not standard.\n# TYPE process_open_files gauge\nprocess_open_files 9\n",
    );
    let (status, text, _) = catalog(&["check", "--namespace", "trc", &process]);
    assert_eq!(status, VIOLATIONS, "{text}");
    assert!(text.contains("N2: metric `process_open_files` does not start"), "{text}");
    assert!(!text.contains("`process_open_fds`"), "{text}");

    // L6: the series limit.
    let (status, text, _) = catalog(&["check", "--max-series", "1", &good]);
    assert_eq!(status, VIOLATIONS);
    assert!(text.contains("L6: metric `trc_jobs_total` has 2 series, more than its limit of 1"), "{text}");
}

#[test]
fn parse_errors_exit_2_with_a_position() {
    let dir = scratch("parse");
    let broken = write(&dir, "broken.prom", "# TYPE trc_jobs_total counter\ntrc_jobs_total{result=\"ok} 1\n");
    let (status, out, err) = catalog(&["check", &broken]);
    assert_eq!(status, BAD_INPUT, "{out}");
    assert!(err.starts_with(&format!("{broken}:2:")), "{err}");
    assert!(err.contains("not valid Prometheus text"), "{err}");
    let (status, out, _) = catalog(&["check", "--format", "json", &broken]);
    assert_eq!(status, BAD_INPUT);
    let document: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(document["error"]["line"], 2);

    // `--openmetrics` is strict: the same text without `# EOF` fails.
    let good = write(&dir, "good.prom", GOOD);
    let (status, _, err) = catalog(&["check", "--openmetrics", &good]);
    assert_eq!(status, BAD_INPUT);
    assert!(err.contains("not valid OpenMetrics"), "{err}");
}

#[test]
fn check_against_a_catalogue() {
    let dir = scratch("compliance");
    let catalogue = golden("diff-new.json");
    let exposition = "\
# HELP trc_http_requests_total HTTP requests.
# TYPE trc_http_requests_total counter
trc_http_requests_total{method=\"get\"} 1
trc_http_requests_total{method=\"delete\"} 1
# HELP trc_tasks_total Tasks run, exposed as the wrong type.
# TYPE trc_tasks_total gauge
trc_tasks_total 1
# HELP trc_surprise_total Not declared.
# TYPE trc_surprise_total counter
trc_surprise_total 1
";
    let path = write(&dir, "live.prom", exposition);
    let (status, out, _) = catalog(&["check", "--catalog", &catalogue, "--format", "json", &path]);
    assert_eq!(status, VIOLATIONS, "{out}");
    let document: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, String)> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["family"].as_str().unwrap().to_owned()))
        .collect();
    for expected in [
        ("C1", "trc_io_seconds"),
        ("C1", "trc_queue_depth"),
        ("C2", "trc_surprise_total"),
        ("C3", "trc_http_requests_total"),
        ("C4", "trc_tasks_total"),
    ] {
        assert!(found.contains(&(expected.0.to_owned(), expected.1.to_owned())), "no {expected:?} in {found:?}");
    }
    let c3 = document["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "C3").unwrap();
    assert_eq!(
        c3["message"],
        "C3: label `method` of metric `trc_http_requests_total` has the value `delete`, which is not declared"
    );

    // An OpenMetrics counter family with no sample (a quiet family nothing
    // has recorded to) is still the declared `_total` metric: exposed (no
    // C1), declared (no C2), named by the rules (no N3).
    let quiet =
        write(&dir, "quiet.om", "# TYPE trc_http_requests counter\n# HELP trc_http_requests HTTP requests.\n# EOF\n");
    let (status, out, _) = catalog(&["check", "--catalog", &catalogue, "--format", "json", &quiet]);
    assert_eq!(status, VIOLATIONS, "{out}");
    let document: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = document["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["rule"] == "C1" && f["family"] == "trc_io_seconds"), "{out}");
    assert!(!findings.iter().any(|f| f["family"].as_str().unwrap().starts_with("trc_http_requests")), "{out}");
}

#[test]
fn info_metrics_and_state_sets_are_gauges_in_the_text_format() {
    let dir = scratch("model");
    let metric = |name: &str, kind: &str, label: Option<(&str, &[&str])>| {
        serde_json::json!({
            "name": name, "type": kind, "unit": null, "help": "h", "subsystem": "",
            "labels": label.map(|(n, v)| vec![serde_json::json!({"name": n, "values": v})]).unwrap_or_default(),
            "series": 1, "version": "1.0.0", "deprecated": null,
            "source": {"file": "src/lib.rs", "line": 1, "column": 1, "module": "app"},
        })
    };
    let catalogue = serde_json::json!({
        "schema": "metrics-catalog", "schema_version": 1,
        "metrics": [
            metric("trc_build_info", "info", Some(("version", &["1.2.3"]))),
            metric("trc_phase", "stateset", Some(("trc_phase", &["running", "stopped"]))),
        ],
    });
    let catalogue = write(&dir, "catalogue.json", &catalogue.to_string());
    let text = write(
        &dir,
        "live.prom",
        "# HELP trc_build_info h\n# TYPE trc_build_info gauge\ntrc_build_info{version=\"1.2.3\"} 1\n\
         # HELP trc_phase h\n# TYPE trc_phase gauge\ntrc_phase{trc_phase=\"running\"} 1\ntrc_phase{trc_phase=\"stopped\"} 0\n",
    );
    let (status, out, err) = catalog(&["check", "--catalog", &catalogue, &text]);
    assert_eq!(status, 0, "{out}{err}");
    let openmetrics = write(
        &dir,
        "live.om",
        "# TYPE trc_build info\n# HELP trc_build h\ntrc_build_info{version=\"1.2.3\"} 1\n\
         # TYPE trc_phase stateset\n# HELP trc_phase h\ntrc_phase{trc_phase=\"running\"} 1\ntrc_phase{trc_phase=\"stopped\"} 0\n# EOF\n",
    );
    let (status, out, err) = catalog(&["check", "--openmetrics", "--catalog", &catalogue, &openmetrics]);
    assert_eq!(status, 0, "{out}{err}");
    // A gauge that is declared a gauge may not take `_info`; nor may an
    // OpenMetrics gauge pass for a state set.
    let wrong = write(
        &dir,
        "wrong.om",
        "# TYPE trc_phase gauge\n# HELP trc_phase h\ntrc_phase{trc_phase=\"running\"} 1\n# EOF\n",
    );
    let (status, out, _) = catalog(&["check", "--openmetrics", "--catalog", &catalogue, &wrong]);
    assert_eq!(status, VIOLATIONS, "{out}");
    assert!(out.contains("C4"), "{out}");
}

#[test]
fn the_binary_exits_with_the_status() {
    let binary = env!("CARGO_BIN_EXE_catalog");
    let (old, new) = (golden("diff-old.json"), golden("diff-new.json"));
    let status = Command::new(binary).args(["diff", &old, &new]).output().unwrap().status;
    assert_eq!(status.code(), Some(1));
    let status = Command::new(binary).args(["diff", &old, &old]).output().unwrap().status;
    assert_eq!(status.code(), Some(0));
    let output = Command::new(binary).arg("nope").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown command `nope`"));
}

/// A crate whose policy forbids `tenant`, allows two labels and two series,
/// and an exposition of its that breaks all three.
fn policy_fixture(name: &str) -> (Scratch, String) {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("app/src")).unwrap();
    write(
        &dir.join("app"),
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[package.metadata.metrics]\nnamespace = \"app\"\n\
         forbidden_labels = [\"tenant\"]\nmax_labels = 2\nmax_series = 2\n",
    );
    let line = |tenant: &str| format!("app_jobs_total{{tenant=\"{tenant}\",queue=\"q\",kind=\"k\"}} 1\n");
    let samples = ["a", "b", "c"].map(line).concat();
    let exposition =
        write(&dir, "app.prom", &format!("# HELP app_jobs_total Jobs run.\n# TYPE app_jobs_total counter\n{samples}"));
    (dir, exposition)
}

/// The rules of the findings in `check`'s JSON output, in order.
fn rules_found(json: &str) -> Vec<String> {
    let document: serde_json::Value = serde_json::from_str(json).unwrap();
    document["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn check_applies_the_policy_of_the_manifest_as_the_derives_read_it() {
    let (dir, exposition) = policy_fixture("manifest");
    let app = dir.join("app");
    let manifest = app.join("Cargo.toml").display().to_string();
    // The manifest's forbidden label (L3), label limit (L5) and series limit (L6).
    for given in [manifest.clone(), app.display().to_string()] {
        let (status, json, err) = catalog(&["check", "--manifest", &given, "--format", "json", &exposition]);
        assert_eq!(status, VIOLATIONS, "{json}{err}");
        assert_eq!(rules_found(&json), ["L5", "L6", "L3"], "{json}");
        assert!(json.contains("L3: label `tenant` is forbidden"), "{json}");
    }
    // `--max-series` still sets the series limit.
    let (_, json, _) =
        catalog(&["check", "--manifest", &manifest, "--max-series", "10", "--format", "json", &exposition]);
    assert_eq!(rules_found(&json), ["L5", "L3"], "{json}");

    // Without `--manifest`: the nearest manifest at or above the working
    // directory (the binary, so that the test's own stays where it is).
    let binary = env!("CARGO_BIN_EXE_catalog");
    let check_in = |cwd: &std::path::Path| {
        let output = Command::new(binary)
            .args(["check", "--format", "json", &exposition])
            .current_dir(cwd)
            .env_remove("METRICS_POLICY_MANIFEST")
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(rules_found(&check_in(&app.join("src"))), ["L5", "L6", "L3"]);
    // Outside the crate its policy does not apply.
    assert_eq!(rules_found(&check_in(&dir)), Vec::<String>::new());

    // A manifest that is not there, or sets a bad key, is bad input.
    let missing = dir.join("none/Cargo.toml").display().to_string();
    let (status, _, err) = catalog(&["check", "--manifest", &missing, &exposition]);
    assert_eq!(status, BAD_INPUT);
    assert!(err.contains(&format!("there is no manifest at {missing}")), "{err}");
    let bad =
        write(&dir, "Cargo.toml", "[workspace]\n[workspace.metadata.metrics]\nnamespace = \"x\"\nmax_lables = 3\n");
    let (status, _, err) = catalog(&["check", "--manifest", &bad, &exposition]);
    assert_eq!(status, BAD_INPUT);
    assert!(
        err.contains("`max_lables` in [workspace.metadata.metrics]") && err.contains("is not a policy key"),
        "{err}"
    );
}
