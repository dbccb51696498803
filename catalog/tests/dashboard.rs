//! `catalog dashboard`: the Grafana dashboards of a catalogue of every kind
//! (`tests/data/dashboard/every-kind.json`): which dashboards, the panels
//! and queries of each metric type, units, template variables, the layout,
//! the overview, determinism, and the command writing the files.
//!
//! `tests/tests/grafana_dashboards.rs` in the workspace's tests crate checks
//! the same files against Grafana's own dashboard schema.

use std::path::{Path, PathBuf};

use metricate_catalog::cli::{BAD_INPUT, CLEAN, run};
use metricate_catalog::dashboard::{Dashboard, Options, SCHEMA_VERSION, dashboards};
use metricate_catalog::json::Catalog;
use serde_json::Value;

fn fixture_path() -> String {
    format!("{}/tests/data/dashboard/every-kind.json", env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> Catalog {
    Catalog::from_json(&std::fs::read_to_string(fixture_path()).unwrap()).unwrap()
}

fn rendered() -> Vec<(Dashboard, Value)> {
    dashboards(&fixture(), &Options::default())
        .into_iter()
        .map(|d| {
            let value = serde_json::from_str(&d.json).unwrap_or_else(|e| panic!("{}: {e}", d.file_name));
            (d, value)
        })
        .collect()
}

fn model(uid: &str) -> Value {
    rendered().into_iter().find(|(d, _)| d.uid == uid).unwrap_or_else(|| panic!("no dashboard {uid}")).1
}

fn panels(model: &Value) -> &Vec<Value> {
    model["panels"].as_array().unwrap()
}

fn panel<'m>(model: &'m Value, title: &str) -> &'m Value {
    let titles: Vec<&str> = panels(model).iter().map(|p| p["title"].as_str().unwrap()).collect();
    panels(model).iter().find(|p| p["title"] == title).unwrap_or_else(|| panic!("no panel {title:?} in {titles:?}"))
}

fn exprs(panel: &Value) -> Vec<&str> {
    panel["targets"].as_array().unwrap().iter().map(|t| t["expr"].as_str().unwrap()).collect()
}

fn unit(panel: &Value) -> &str {
    panel["fieldConfig"]["defaults"]["unit"].as_str().unwrap()
}

fn variable<'m>(model: &'m Value, name: &str) -> &'m Value {
    let list = model["templating"]["list"].as_array().unwrap();
    list.iter().find(|v| v["name"] == name).unwrap_or_else(|| panic!("no variable {name}"))
}

fn variable_names(model: &Value) -> Vec<&str> {
    model["templating"]["list"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect()
}

#[test]
fn an_overview_then_a_dashboard_per_subsystem_then_general() {
    let rendered = rendered();
    let files: Vec<&str> = rendered.iter().map(|(d, _)| d.file_name.as_str()).collect();
    assert_eq!(
        files,
        [
            "metricate-overview.json",
            "metricate-http.json",
            "metricate-jobs.json",
            "metricate-sensors.json",
            "metricate-general.json"
        ]
    );
    let subsystems: Vec<Option<&str>> = rendered.iter().map(|(d, _)| d.subsystem.as_deref()).collect();
    assert_eq!(subsystems, [None, Some("http"), Some("jobs"), Some("sensors"), Some("")]);
    for (dashboard, model) in &rendered {
        assert_eq!(model["uid"], dashboard.uid.as_str());
        assert_eq!(model["title"], dashboard.title.as_str());
        assert!(dashboard.uid.len() <= 40, "{}", dashboard.uid);
        assert_eq!(model["schemaVersion"], SCHEMA_VERSION);
        let slug = dashboard.uid.strip_prefix("metricate-").unwrap();
        assert_eq!(dashboard.title, format!("Metrics: {slug}"));
        assert_eq!(model["tags"], serde_json::json!(["metricate", slug]));
        assert!(dashboard.json.ends_with("}\n") && !dashboard.json.ends_with("\n\n"), "{}", dashboard.file_name);
        // Pretty-printed as serde_json does, so that a diff of two versions reads well.
        assert_eq!(format!("{}\n", serde_json::to_string_pretty(model).unwrap()).len(), dashboard.json.len());
        let datasource = variable(model, "datasource");
        assert_eq!((&datasource["type"], &datasource["query"]), (&"datasource".into(), &"prometheus".into()));
    }
    const { assert!(SCHEMA_VERSION >= 39) };
}

#[test]
fn a_counter_is_a_rate_and_an_error_ratio_per_label_with_error_values() {
    let http = model("metricate-http");
    let rate = panel(&http, "trc_http_requests_total: rate");
    assert_eq!(rate["type"], "timeseries");
    assert_eq!(
        exprs(rate),
        ["sum by (method, status, route) (rate(trc_http_requests_total{method=~\"$method\", status=~\"$status\", \
             route=~\"$route\"}[$__rate_interval]))"]
    );
    assert_eq!(rate["targets"][0]["legendFormat"], "{{method}} {{status}} {{route}}");
    assert_eq!(unit(rate), "ops");
    assert_eq!(rate["fieldConfig"]["defaults"]["min"], 0);
    let ratio = panel(&http, "trc_http_requests_total: error ratio");
    // The ratio does not filter on its own label: that is what it splits.
    assert_eq!(
        exprs(ratio),
        ["sum(rate(trc_http_requests_total{method=~\"$method\", route=~\"$route\", \
             status=~\"500|503\"}[$__rate_interval])) / sum(rate(trc_http_requests_total{method=~\"$method\", \
             route=~\"$route\"}[$__rate_interval]))"]
    );
    assert_eq!(unit(ratio), "percentunit");
    assert_eq!(
        (&ratio["fieldConfig"]["defaults"]["min"], &ratio["fieldConfig"]["defaults"]["max"]),
        (&0.into(), &1.into())
    );
    // Two labels with error values: two ratios. A counter without any: none.
    let jobs = model("metricate-jobs");
    let by_result = panel(&jobs, "trc_jobs_total: error ratio by result");
    assert!(exprs(by_result)[0].starts_with("sum(rate(trc_jobs_total{code=~\"$code\", result=~\"error|timeout\"}"));
    let by_code = panel(&jobs, "trc_jobs_total: error ratio by code");
    assert!(exprs(by_code)[0].starts_with("sum(rate(trc_jobs_total{result=~\"$result\", code=~\"1\"}"));
    assert!(panels(&http).iter().all(|p| p["title"] != "trc_http_response_bytes_total: error ratio"));
    let titles: Vec<&str> = panels(&http).iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles.iter().filter(|t| t.contains("error ratio")).count(), 1, "{titles:?}");
}

#[test]
fn units_follow_the_declared_unit() {
    let (http, sensors, general) = (model("metricate-http"), model("metricate-sensors"), model("metricate-general"));
    // Counters: the rate of their unit.
    assert_eq!(unit(panel(&http, "trc_http_response_bytes_total: rate")), "Bps");
    assert_eq!(unit(panel(&sensors, "trc_energy_joules_total: rate")), "watt");
    assert_eq!(unit(panel(&general, "trc_cpu_seconds_total: rate")), "percentunit");
    // Gauges and histograms: the unit itself.
    assert_eq!(unit(panel(&sensors, "trc_temperature_celsius")), "celsius");
    assert_eq!(unit(panel(&sensors, "trc_load_ratio")), "percentunit");
    assert_eq!(unit(panel(&sensors, "trc_distance_furlongs")), "short");
    assert_eq!(unit(panel(&http, "trc_http_request_duration_seconds: p50, p95, p99")), "s");
    let heatmap = panel(&http, "trc_http_request_duration_seconds: buckets");
    assert_eq!(heatmap["options"]["yAxis"]["unit"], "s");
}

#[test]
fn gauges_sum_counts_and_take_the_largest_of_other_units() {
    let (jobs, sensors) = (model("metricate-jobs"), model("metricate-sensors"));
    assert_eq!(exprs(panel(&jobs, "trc_queue_depth")), ["sum by (queue) (trc_queue_depth{queue=~\"$queue\"})"]);
    assert_eq!(
        exprs(panel(&sensors, "trc_temperature_celsius")),
        ["max by (zone, datasource) (trc_temperature_celsius{zone=~\"$zone\", \
             datasource=~\"$label_datasource\"})"]
    );
    assert_eq!(exprs(panel(&sensors, "trc_load_ratio")), ["max(trc_load_ratio)"]);
    // A Unix time shows how long ago it was.
    let age = panel(&jobs, "trc_queue_last_run_timestamp_seconds: age");
    assert_eq!(exprs(age), ["time() - max by (queue) (trc_queue_last_run_timestamp_seconds{queue=~\"$queue\"})"]);
    assert_eq!(unit(age), "s");
}

#[test]
fn a_histogram_is_percentiles_and_a_heatmap() {
    let http = model("metricate-http");
    let quantiles = panel(&http, "trc_http_request_duration_seconds: p50, p95, p99");
    let buckets = "rate(trc_http_request_duration_seconds_bucket{method=~\"$method\"}[$__rate_interval])";
    assert_eq!(
        exprs(quantiles),
        [0.5, 0.95, 0.99].map(|q| format!("histogram_quantile({q}, sum by (le) ({buckets}))"))
    );
    let legends: Vec<&Value> = quantiles["targets"].as_array().unwrap().iter().map(|t| &t["legendFormat"]).collect();
    assert_eq!(legends, ["p50", "p95", "p99"]);
    let heatmap = panel(&http, "trc_http_request_duration_seconds: buckets");
    assert_eq!(heatmap["type"], "heatmap");
    assert_eq!(heatmap["targets"][0]["format"], "heatmap");
    assert_eq!(
        exprs(heatmap),
        ["sum by (le) (increase(trc_http_request_duration_seconds_bucket{method=~\"$method\"}[$__rate_interval]))"]
    );
    assert_eq!(heatmap["options"]["calculate"], false);
    // Side by side on one line.
    assert_eq!(quantiles["gridPos"]["y"], heatmap["gridPos"]["y"]);
}

#[test]
fn a_summary_is_its_quantiles_or_its_mean() {
    let jobs = model("metricate-jobs");
    let step = panel(&jobs, "trc_step_seconds: quantiles");
    assert_eq!(
        exprs(step),
        ["0.5", "0.9", "0.99"]
            .map(|q| format!("max by (result) (trc_step_seconds{{quantile=\"{q}\", result=~\"$result\"}})"))
    );
    assert_eq!(step["targets"][2]["legendFormat"], "p99 {{result}}");
    assert_eq!(unit(step), "s");
    let wait = panel(&jobs, "trc_step_wait_seconds: mean");
    assert_eq!(
        exprs(wait),
        [
            "sum(rate(trc_step_wait_seconds_sum[$__rate_interval])) / sum(rate(trc_step_wait_seconds_count[$__rate_interval]))"
        ]
    );
}

#[test]
fn an_info_metric_is_a_table_and_a_state_set_a_timeline() {
    let general = model("metricate-general");
    let info = panel(&general, "trc_build_info");
    assert_eq!(info["type"], "table");
    assert_eq!(exprs(info), ["trc_build_info{version=~\"$version\", rustc=~\"$rustc\"}"]);
    assert_eq!((&info["targets"][0]["format"], &info["targets"][0]["instant"]), (&"table".into(), &true.into()));
    assert_eq!(info["transformations"][0]["id"], "organize");
    let jobs = model("metricate-jobs");
    let phase = panel(&jobs, "trc_phase");
    assert_eq!(phase["type"], "state-timeline");
    assert_eq!(exprs(phase), ["max by (trc_phase) (trc_phase{worker=~\"$worker\"})"]);
    assert_eq!(phase["targets"][0]["legendFormat"], "{{trc_phase}}");
    let mapping = &phase["fieldConfig"]["defaults"]["mappings"][0];
    assert_eq!((&mapping["type"], &mapping["options"]["1"]["text"]), (&"value".into(), &"current".into()));
}

#[test]
fn descriptions_are_the_help_and_deprecations_say_so() {
    let http = model("metricate-http");
    let rate = panel(&http, "trc_http_requests_total: rate");
    assert_eq!(rate["description"], "HTTP requests handled, by \"method\" and status.");
    let hits = panel(&http, "trc_http_hits_total: rate (deprecated)");
    assert_eq!(
        hits["description"],
        "Requests, counted before routing.\n\nDeprecated: counts health checks too. Use `trc_http_requests_total` \
         instead."
    );
}

#[test]
fn labels_become_variables_and_every_query_filters_on_them() {
    let http = model("metricate-http");
    assert_eq!(variable_names(&http), ["datasource", "method", "status", "route"]);
    let method = variable(&http, "method");
    assert_eq!(method["type"], "custom");
    // The values of every metric with the label, each once, and `unknown` when it may appear.
    assert_eq!(method["query"], "GET,POST,unknown,PUT");
    assert_eq!(
        (&method["multi"], &method["includeAll"], &method["allValue"]),
        (&true.into(), &true.into(), &".*".into())
    );
    let values: Vec<&Value> = method["options"].as_array().unwrap().iter().map(|o| &o["value"]).collect();
    assert_eq!(values, ["$__all", "GET", "POST", "unknown", "PUT"]);
    // A label bounded at run time: the values Prometheus has.
    let route = variable(&http, "route");
    assert_eq!(route["type"], "query");
    assert_eq!(route["query"], "label_values(trc_http_requests_total, route)");
    assert_eq!(route["datasource"]["uid"], "${datasource}");
    // The build's labels too; a histogram's are looked up in its `_count`.
    assert_eq!(variable(&model("metricate-general"), "rustc")["query"], "label_values(trc_build_info, rustc)");
    // Commas in a value are escaped; a label named `datasource` gets another name.
    let sensors = model("metricate-sensors");
    assert_eq!(variable_names(&sensors), ["datasource", "zone", "label_datasource"]);
    assert_eq!(variable(&sensors, "zone")["query"], "a.b,c|d,x\\,y");
    assert_eq!(variable(&sensors, "label_datasource")["label"], "datasource");
    // A state set's state is no variable; its other labels are.
    // In the order the labels first appear, the metrics sorted by name.
    assert_eq!(variable_names(&model("metricate-jobs")), ["datasource", "result", "code", "worker", "queue"]);
}

/// Every dashboard: each query of a metric filters on the variable of each
/// of its labels (an error ratio on all but its own label), every variable
/// a query names exists, and every panel that queries reads `${datasource}`.
#[test]
fn every_query_filters_on_its_metrics_labels_and_reads_the_datasource_variable() {
    let catalog = fixture();
    for (dashboard, model) in rendered() {
        let names = variable_names(&model);
        for panel in panels(&model) {
            let Some(targets) = panel["targets"].as_array() else {
                assert!(["row", "text", "alertlist"].contains(&panel["type"].as_str().unwrap()), "{panel}");
                continue;
            };
            assert_eq!(panel["datasource"]["uid"], "${datasource}", "{panel}");
            for target in targets {
                assert_eq!(target["datasource"]["uid"], "${datasource}", "{target}");
                let expr = target["expr"].as_str().unwrap();
                for (i, _) in expr.match_indices('$') {
                    let name: String =
                        expr[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    assert!(name == "__rate_interval" || names.contains(&name.as_str()), "{expr}: ${name}");
                }
                if dashboard.subsystem.is_none() {
                    continue;
                }
                let metric = catalog.metrics.iter().filter(|m| expr.contains(&m.name)).max_by_key(|m| m.name.len());
                let metric = metric.unwrap_or_else(|| panic!("{expr}: which metric?"));
                for label in &metric.labels {
                    let is_state = metric.kind == metricate_catalog::MetricKind::StateSet && label.name == metric.name;
                    let errors = format!("{}=~\"{}\"", label.name, label.errors.join("|"));
                    let ratio_of = !label.errors.is_empty() && expr.contains(&errors);
                    let variable = if label.name == "datasource" { "label_datasource" } else { &label.name };
                    let filter = format!("{}=~\"${variable}\"", label.name);
                    assert_eq!(expr.contains(&filter), !is_state && !ratio_of, "{expr}: {filter}");
                }
            }
        }
    }
}

#[test]
fn panels_tile_the_24_column_grid_with_unique_ids() {
    for (dashboard, model) in rendered() {
        let mut boxes: Vec<(i64, i64, i64, i64)> = Vec::new();
        let mut ids: Vec<i64> = Vec::new();
        for panel in panels(&model) {
            let grid = &panel["gridPos"];
            let [h, w, x, y] = ["h", "w", "x", "y"].map(|k| grid[k].as_i64().unwrap());
            assert!(w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= 24, "{}: {grid}", dashboard.uid);
            for &(bx, by, bw, bh) in &boxes {
                let apart = x + w <= bx || bx + bw <= x || y + h <= by || by + bh <= y;
                assert!(apart, "{}: {grid} overlaps {bx},{by},{bw},{bh}", dashboard.uid);
            }
            boxes.push((x, y, w, h));
            ids.push(panel["id"].as_i64().unwrap());
        }
        assert_eq!(ids, (1..=ids.len() as i64).collect::<Vec<_>>(), "{}", dashboard.uid);
    }
}

#[test]
fn the_overview_lists_alerts_error_ratios_and_links() {
    let overview = model("metricate-overview");
    assert_eq!(variable_names(&overview), ["datasource"]);
    let alerts = &panels(&overview)[0];
    assert_eq!(alerts["type"], "alertlist");
    assert_eq!(
        alerts["options"]["alertInstanceLabelFilter"],
        "{alertname=~\"TrcHttpSlow|TrcHttpErrorRatioHigh|TrcQueueBacklog|TrcBuildInfoAbsent\"}"
    );
    let rows: Vec<&Value> = panels(&overview).iter().filter(|p| p["type"] == "row").map(|p| &p["title"]).collect();
    assert_eq!(rows, ["http", "jobs", "sensors", "general"]);
    let links: Vec<&str> = panels(&overview)
        .iter()
        .filter(|p| p["type"] == "text")
        .map(|p| p["options"]["content"].as_str().unwrap())
        .collect();
    assert_eq!(links.len(), 4);
    assert!(links[0].starts_with("[Metrics: http](/d/metricate-http?"), "{}", links[0]);
    assert!(links[1].contains("): 6 metrics (1 counter, 2 gauges, 2 summaries, 1 state set)."), "{}", links[1]);
    // The series the rule file records, as the alerts read them.
    let ratio = panel(&overview, "trc_http_requests_total: error ratio");
    assert_eq!(exprs(ratio), ["job:trc_http_requests:error_ratio5m"]);
    assert!(ratio["links"][0]["url"].as_str().unwrap().starts_with("/d/metricate-http?"));
    let rate = panel(&overview, "trc_jobs_total: rate");
    assert_eq!(exprs(rate), ["job:trc_jobs:rate5m"]);
    let rules =
        metricate_catalog::alerting::rule_file(&fixture(), &metricate_catalog::alerting::Options::default()).unwrap();
    for record in ["job:trc_http_requests:error_ratio5m", "job:trc_jobs:rate5m"] {
        assert!(rules.contains(&format!("- record: {record}\n")), "{record} is not recorded:\n{rules}");
    }
    // Only counters with error values: no bytes, no histograms.
    let titled: Vec<&str> = panels(&overview).iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert!(!titled.iter().any(|t| t.contains("bytes") || t.contains("seconds")), "{titled:?}");
    // Without alerts, no alert list.
    let mut quiet = fixture();
    for metric in &mut quiet.metrics {
        metric.alerts.clear();
    }
    let without = dashboards(&quiet, &Options::default());
    assert!(!without.iter().any(|d| d.json.contains("\"alertlist\"")));
}

#[test]
fn the_output_is_deterministic_whatever_the_order_of_the_catalogue() {
    let once = dashboards(&fixture(), &Options::default());
    assert_eq!(dashboards(&fixture(), &Options::default()), once);
    let mut reversed = fixture();
    reversed.metrics.reverse();
    assert_eq!(dashboards(&reversed, &Options::default()), once);
}

#[test]
fn options_name_the_dashboards() {
    let options = Options { uid_prefix: "trc".to_owned(), title: "TRC control plane".to_owned() };
    let files = dashboards(&fixture(), &options);
    assert_eq!(files[1].uid, "trc-http");
    assert_eq!(files[1].title, "TRC control plane: http");
    assert_eq!(files[0].file_name, "trc-overview.json");
    let empty = Catalog::from_json(r#"{"schema": "metrics-catalog", "schema_version": 1, "metrics": []}"#).unwrap();
    let files = dashboards(&empty, &Options::default());
    assert_eq!(files.len(), 1);
    let overview: Value = serde_json::from_str(&files[0].json).unwrap();
    assert_eq!(overview["panels"], serde_json::json!([]));
}

// ---------------------------------------------------------------------------
// The command

fn catalog(args: &[&str]) -> (u8, String, String) {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = run(&args, &mut out, &mut err);
    (status, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

/// A scratch directory under the target directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("dashboard-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn path(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

#[test]
fn the_command_writes_one_file_per_dashboard() {
    let scratch = Scratch::new("cli");
    let out = scratch.0.join("nested/dashboards");
    let (status, stdout, stderr) = catalog(&["dashboard", "--from", &fixture_path(), "--out", path(&out)]);
    assert_eq!(status, CLEAN, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let expected = dashboards(&fixture(), &Options::default());
    let listed: Vec<String> = expected.iter().map(|d| out.join(&d.file_name).display().to_string()).collect();
    assert_eq!(stdout.lines().collect::<Vec<_>>(), listed);
    for dashboard in &expected {
        assert_eq!(std::fs::read_to_string(out.join(&dashboard.file_name)).unwrap(), dashboard.json);
    }
    let mut written: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    written.sort();
    assert_eq!(written.len(), expected.len());
    // Again, with options: the files are replaced, others left alone.
    let (status, stdout, _) = catalog(&[
        "dashboard",
        "--from",
        &fixture_path(),
        "--out",
        path(&out),
        "--uid-prefix",
        "trc",
        "--title",
        "TRC",
    ]);
    assert_eq!(status, CLEAN);
    assert!(stdout.contains("trc-overview.json\n"), "{stdout}");
    let text = std::fs::read_to_string(out.join("trc-jobs.json")).unwrap();
    assert!(text.contains("\"title\": \"TRC: jobs\""));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2 * expected.len());
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let scratch = Scratch::new("bad");
    std::fs::create_dir_all(&scratch.0).unwrap();
    let file = scratch.0.join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let not_json = scratch.0.join("not.json");
    std::fs::write(&not_json, "{\"schema\": ").unwrap();
    let fixture = fixture_path();
    let dir = scratch.0.join("out");
    let under_file = file.join("out");
    let cases: [(Vec<&str>, String); 7] = [
        (vec!["dashboard", "--from", &fixture], "`dashboard` needs `--out DIR`".to_owned()),
        (vec!["dashboard", "--out", path(&dir)], "`dashboard` needs `--from URL|FILE`".to_owned()),
        (
            vec!["dashboard", "--from", "/nonexistent/catalog.json", "--out", path(&dir)],
            "cannot read /nonexistent/catalog.json".to_owned(),
        ),
        (
            vec!["dashboard", "--from", path(&not_json), "--out", path(&dir)],
            format!("{}: not a metrics catalogue", not_json.display()),
        ),
        (
            vec!["dashboard", "--from", &fixture, "--out", path(&under_file)],
            format!("cannot create {}", under_file.display()),
        ),
        (
            vec!["dashboard", "--from", &fixture, "--out", path(&dir), "--uid-prefix", "no spaces"],
            "`--uid-prefix` takes 1 to 24 letters".to_owned(),
        ),
        (vec!["dashboard", "--from", &fixture, "--out", path(&dir), "extra"], "unexpected argument `extra`".to_owned()),
    ];
    for (args, message) in cases {
        let (status, stdout, stderr) = catalog(&args);
        assert_eq!(status, BAD_INPUT, "{args:?}: {stdout}{stderr}");
        assert!(stderr.starts_with(&format!("catalog: {message}")), "{args:?}: {stderr}");
    }
    assert!(!dir.exists(), "a failed command created {}", dir.display());
    let (_, usage, _) = catalog(&["--help"]);
    assert!(usage.contains("catalog dashboard --from URL|FILE --out DIR"), "{usage}");
}
