//! The dashboards `catalog dashboard` writes, checked against Grafana's own
//! dashboard schema: the TypeScript types of the `@grafana/schema` package,
//! by the TypeScript compiler, both pinned in `tests/grafana/package-lock.json`
//! and installed under the target directory (`grafana-node`) by
//! `scripts/install-test-deps.sh`.
//!
//! The command writes the dashboards of the demo's committed catalogue, of a
//! fixture of every kind and of an empty catalogue into a directory under the
//! target directory; each file becomes a module `export const dashboard:
//! DashboardJson = <the file>;` beside `tests/grafana/dashboard.ts`, which
//! says what `DashboardJson` is (Grafana's `Dashboard`, each panel's options
//! of its panel type), and `tsc --noEmit` (strict, `tests/grafana/tsconfig.json`)
//! must find nothing wrong. Broken dashboards must fail the same check.
//!
//! Without the installation the tests skip with a message, except under
//! `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use metricate_catalog::dashboard::{Options, dashboards};
use metricate_catalog::json::Catalog;
use serde_json::Value;

fn repository(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The Node.js project of the check: the target directory's `grafana-node`
/// (the parent of `CARGO_TARGET_TMPDIR`, as `scripts/install-test-deps.sh`
/// uses `$CARGO_TARGET_DIR` or `target/`), installed from the committed lock
/// file. Missing or stale, it fails the test under CI and skips it
/// otherwise.
fn installation() -> Option<PathBuf> {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap_or(tmp).join("grafana-node");
    let lock = std::fs::read(repository("tests/grafana/package-lock.json")).unwrap();
    let works = dir.join("node_modules/typescript/bin/tsc").is_file()
        && dir.join("node_modules/@grafana/schema/package.json").is_file()
        && std::fs::read(dir.join("package-lock.json")).is_ok_and(|installed| installed == lock)
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if works {
        return Some(dir);
    }
    tests::missing(&format!(
        "an up-to-date installation of Grafana's dashboard schema and the TypeScript compiler ({}: \
         @grafana/schema and typescript as tests/grafana/package-lock.json pins them, which \
         scripts/install-test-deps.sh installs, and Node.js)",
        dir.display()
    ))
}

/// A directory of modules to type-check, under the installation (so that
/// `@grafana/schema` resolves from its `node_modules`), removed when dropped.
struct Check {
    installation: PathBuf,
    dir: PathBuf,
    modules: Vec<String>,
}

/// One diagnostic of the compiler: its first line and those that go on
/// with it.
struct Diagnostic {
    file: String,
    text: String,
}

impl Check {
    fn new(installation: &Path, name: &str) -> Check {
        let dir = installation.join("check").join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for file in ["dashboard.ts", "tsconfig.json"] {
            std::fs::copy(repository("tests/grafana").join(file), dir.join(file)).unwrap();
        }
        Check { installation: installation.to_owned(), dir, modules: Vec::new() }
    }

    /// Adds a dashboard's JSON as the module `<name>.ts`.
    fn add(&mut self, name: &str, json: &str) {
        let module = format!(
            "import type {{ DashboardJson }} from './dashboard';\n\nexport const dashboard: DashboardJson = {};\n",
            json.trim_end()
        );
        std::fs::write(self.dir.join(format!("{name}.ts")), module).unwrap();
        self.modules.push(name.to_owned());
    }

    /// Runs `tsc` on the modules: whether it passed, and its diagnostics.
    fn run(&self) -> (bool, Vec<Diagnostic>) {
        let tsc = self.installation.join("node_modules/typescript/bin/tsc");
        let output = Command::new("node")
            .arg(&tsc)
            .args(["--project", ".", "--pretty", "false", "--listFiles"])
            .current_dir(&self.dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run node {}: {e}", tsc.display()));
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.stderr.is_empty(), "tsc: {}", String::from_utf8_lossy(&output.stderr));
        // Every module was part of the program.
        for module in &self.modules {
            let path = self.dir.join(format!("{module}.ts"));
            let path = path.to_str().unwrap();
            assert!(stdout.lines().any(|l| l == path), "tsc did not check {path}:\n{stdout}");
        }
        let mut diagnostics: Vec<Diagnostic> = Vec::new();
        for line in stdout.lines() {
            if let Some((file, _)) = line.split_once(".ts(").filter(|_| line.contains("): error TS")) {
                diagnostics.push(Diagnostic { file: file.to_owned(), text: line.to_owned() });
            } else if let Some(last) = diagnostics.last_mut().filter(|_| line.starts_with(' ')) {
                last.text.push('\n');
                last.text.push_str(line);
            }
        }
        let errors = stdout.lines().filter(|l| l.contains(": error TS")).count();
        assert_eq!(errors, diagnostics.len(), "a diagnostic that names no module:\n{stdout}");
        (output.status.success(), diagnostics)
    }
}

impl Drop for Check {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        // The parent, when no other check uses it.
        let _ = std::fs::remove_dir(self.installation.join("check"));
    }
}

/// Writes a catalogue's dashboards with the command, into `out`; returns
/// the files written.
fn write_dashboards(catalogue: &Path, out: &Path) -> Vec<PathBuf> {
    let args: Vec<String> =
        ["dashboard", "--from", catalogue.to_str().unwrap(), "--out", out.to_str().unwrap()].map(String::from).to_vec();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = metricate_catalog::cli::run(&args, &mut stdout, &mut stderr);
    assert_eq!(status, metricate_catalog::cli::CLEAN, "{}", String::from_utf8_lossy(&stderr));
    String::from_utf8(stdout).unwrap().lines().map(PathBuf::from).collect()
}

fn panel_types(json: &str) -> Vec<String> {
    let model: Value = serde_json::from_str(json).unwrap();
    model["panels"].as_array().unwrap().iter().map(|p| p["type"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn the_dashboards_type_check_against_grafanas_schema() {
    let Some(installation) = installation() else { return };
    let mut check = Check::new(&installation, "valid");
    let empty = check.dir.join("empty.json");
    std::fs::write(&empty, "{\"schema\": \"metrics-catalog\", \"schema_version\": 1, \"metrics\": []}\n").unwrap();
    let demo = repository("demo/METRICS.json");
    let demo_catalog = Catalog::from_json(&std::fs::read_to_string(&demo).unwrap()).unwrap();
    assert!(demo_catalog.metrics.len() > 50, "the demo's catalogue has {} metrics", demo_catalog.metrics.len());
    let sources =
        [("demo", demo), ("fixture", repository("catalog/tests/data/dashboard/every-kind.json")), ("empty", empty)];
    let mut types: Vec<String> = Vec::new();
    let mut count = 0;
    for (name, catalogue) in &sources {
        let files = write_dashboards(catalogue, &check.dir.join("dashboards").join(name));
        assert!(!files.is_empty(), "{name}");
        for file in files {
            let json = std::fs::read_to_string(&file).unwrap();
            types.extend(panel_types(&json));
            let stem = file.file_stem().unwrap().to_str().unwrap();
            check.add(&format!("{name}-{stem}"), &json);
            count += 1;
        }
    }
    // The fixture and the demo use every panel type the command writes.
    types.sort();
    types.dedup();
    assert_eq!(types, ["alertlist", "heatmap", "row", "state-timeline", "table", "text", "timeseries"]);
    assert!(count > 15, "{count} dashboards");
    let (passed, diagnostics) = check.run();
    let text: Vec<&str> = diagnostics.iter().map(|d| d.text.as_str()).collect();
    assert!(passed && diagnostics.is_empty(), "not valid Grafana dashboards:\n{}", text.join("\n"));
}

/// Every metric of the demo's catalogue is in a query of its subsystem's
/// dashboard.
#[test]
fn every_metric_of_the_demo_has_a_panel() {
    let text = std::fs::read_to_string(repository("demo/METRICS.json")).unwrap();
    let catalog = Catalog::from_json(&text).unwrap();
    let files = dashboards(&catalog, &Options::default());
    for metric in &catalog.metrics {
        let subsystem = metric.subsystem.as_str();
        let dashboard = files.iter().find(|d| d.subsystem.as_deref() == Some(subsystem)).unwrap();
        let model: Value = serde_json::from_str(&dashboard.json).unwrap();
        let queried = model["panels"].as_array().unwrap().iter().any(|p| {
            p["targets"].as_array().is_some_and(|targets| {
                targets.iter().any(|t| {
                    let expr = t["expr"].as_str().unwrap();
                    expr.match_indices(metric.name.as_str()).any(|(i, _)| {
                        let after = expr[i + metric.name.len()..].chars().next();
                        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                            || expr[i + metric.name.len()..].starts_with("_bucket")
                            || expr[i + metric.name.len()..].starts_with("_sum")
                    })
                })
            })
        });
        assert!(queried, "{} is in no query of {}", metric.name, dashboard.file_name);
    }
}

fn fixture_models() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(repository("catalog/tests/data/dashboard/every-kind.json")).unwrap();
    let catalog = Catalog::from_json(&text).unwrap();
    dashboards(&catalog, &Options::default())
        .into_iter()
        .map(|d| (d.uid, serde_json::from_str(&d.json).unwrap()))
        .collect()
}

fn first<'m>(model: &'m mut Value, kind: &str) -> &'m mut Value {
    model["panels"].as_array_mut().unwrap().iter_mut().find(|p| p["type"] == kind).unwrap()
}

type Break = fn(&mut Value);

/// The broken dashboards: what breaks, in which dashboard, and what the
/// compiler says.
fn broken_cases() -> [(&'static str, &'static str, Break, &'static str); 15] {
    [
        (
            "gridpos-string",
            "metricate-http",
            |m| first(m, "timeseries")["gridPos"] = "0 0 12 8".into(),
            "Type 'string' is not assignable to type '{ h: number;",
        ),
        (
            "panels-not-an-array",
            "metricate-http",
            |m| m["panels"] = serde_json::json!({ "a": m["panels"][0].clone() }),
            "'\"a\"' does not exist in type",
        ),
        (
            "no-schema-version",
            "metricate-http",
            |m| drop(m.as_object_mut().unwrap().remove("schemaVersion")),
            "Property 'schemaVersion' is missing",
        ),
        (
            "misspelt-property",
            "metricate-http",
            |m| {
                let panel = first(m, "heatmap").as_object_mut().unwrap();
                let grid = panel.remove("gridPos").unwrap();
                panel.insert("gridpos".to_owned(), grid);
            },
            "'\"gridpos\"' does not exist in type",
        ),
        (
            "panel-without-type",
            "metricate-http",
            |m| drop(first(m, "timeseries").as_object_mut().unwrap().remove("type")),
            "Property 'type' is missing",
        ),
        (
            "unknown-panel-type",
            "metricate-http",
            |m| first(m, "timeseries")["type"] = "graph".into(),
            "Type '\"graph\"' is not assignable",
        ),
        (
            "unknown-variable-type",
            "metricate-http",
            |m| m["templating"]["list"][1]["type"] = "customs".into(),
            "Type '\"customs\"' is not assignable to type 'VariableType'",
        ),
        (
            "unknown-cursor-sync",
            "metricate-http",
            |m| m["graphTooltip"] = 7.into(),
            "Type '7' is not assignable to type 'DashboardCursorSync",
        ),
        (
            "link-without-tooltip",
            "metricate-http",
            |m| drop(m["links"][0].as_object_mut().unwrap().remove("tooltip")),
            "Property 'tooltip' is missing",
        ),
        (
            "numeric-unit",
            "metricate-http",
            |m| first(m, "timeseries")["fieldConfig"]["defaults"]["unit"] = 5.into(),
            "Type 'number' is not assignable to type 'string'",
        ),
        (
            "target-not-an-object",
            "metricate-http",
            |m| first(m, "timeseries")["targets"] = serde_json::json!(["up"]),
            "Type 'string' is not assignable to type '{ [x: string]: unknown; }'",
        ),
        (
            "unknown-option",
            "metricate-http",
            |m| first(m, "timeseries")["options"]["legnd"] = serde_json::json!({}),
            "'\"legnd\"' does not exist in type",
        ),
        (
            "unknown-heatmap-color-mode",
            "metricate-http",
            |m| first(m, "heatmap")["options"]["color"]["mode"] = "schemes".into(),
            "Type '\"schemes\"' is not assignable",
        ),
        (
            "unknown-mapping-type",
            "metricate-jobs",
            |m| first(m, "state-timeline")["fieldConfig"]["defaults"]["mappings"][0]["type"] = "values".into(),
            "Type '\"values\"' is not assignable",
        ),
        (
            "row-panels-not-an-array",
            "metricate-overview",
            |m| first(m, "row")["panels"] = "none".into(),
            "Type 'string' is not assignable",
        ),
    ]
}

#[test]
fn broken_dashboards_fail_the_check() {
    let Some(installation) = installation() else { return };
    let models = fixture_models();
    let model = |uid: &str| models.iter().find(|(u, _)| u == uid).unwrap().1.clone();
    let cases = broken_cases();
    let mut check = Check::new(&installation, "broken");
    for uid in ["metricate-http", "metricate-jobs", "metricate-overview"] {
        check.add(&format!("control-{uid}"), &serde_json::to_string_pretty(&model(uid)).unwrap());
    }
    for (name, uid, edit, _) in &cases {
        let mut broken = model(uid);
        edit(&mut broken);
        assert_ne!(broken, model(uid), "{name}: nothing broken");
        check.add(&format!("broken-{name}"), &serde_json::to_string_pretty(&broken).unwrap());
    }
    let (passed, diagnostics) = check.run();
    assert!(!passed, "tsc passed broken dashboards");
    let of = |file: &str| diagnostics.iter().filter(|d| d.file == file).map(|d| d.text.as_str()).collect::<Vec<_>>();
    for uid in ["metricate-http", "metricate-jobs", "metricate-overview"] {
        assert!(of(&format!("control-{uid}")).is_empty(), "{uid}: {:?}", of(&format!("control-{uid}")));
    }
    for (name, _, _, message) in &cases {
        let found = of(&format!("broken-{name}"));
        assert!(!found.is_empty(), "{name}: the broken dashboard passes the check");
        assert!(found.iter().any(|d| d.contains(message)), "{name}: expected {message:?} in\n{}", found.join("\n"));
    }
}
