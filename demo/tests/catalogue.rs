//! `METRICS.md` and `METRICS.json` are the demo's catalogue, rendered from
//! its declarations; these tests fail with a diff when a declaration changed
//! and the files did not. `METRICS_CATALOG_UPDATE=1 cargo test -p demo --test
//! catalogue` rewrites them. `METRICS.json` is also what `cargo doc` lists
//! each family's labels from (the policy's `rustdoc_catalog`).
//!
//! `rules/rules.yml` and `rules/rules_test.yml` are the Prometheus rules
//! generated from that catalogue (`catalog rules --tests`), and
//! `dashboards/` its Grafana dashboards (`catalog dashboard`), kept in sync
//! the same way; `tests/tests/alert_rules.rs` runs promtool on the rules and
//! Prometheus on the demo with them, `tests/tests/grafana_dashboards.rs`
//! checks dashboards against Grafana's schema.
//!
//! `trc_build_info`'s label values are the build's (the version, the
//! compiler, the target, the git revision): the catalogue lists the labels
//! without them, so the files stay the same from build to build.

use metricate::docs::{Rendering, assert_catalogue_file, assert_generated_file};
use metricate_catalog::alerting::{Options, rule_file, rule_tests};
use metricate_catalog::dashboard::dashboards;

/// Links the demo's metrics in: they are registered only if its code is.
fn linked() {
    let _ = demo::metrics::api::Http::global();
    let _ = demo::metrics::service::Service::global();
}

#[test]
fn metrics_md_is_up_to_date() {
    linked();
    assert_catalogue_file(concat!(env!("CARGO_MANIFEST_DIR"), "/METRICS.md"), Rendering::Markdown);
}

#[test]
fn metrics_json_is_up_to_date() {
    linked();
    assert_catalogue_file(concat!(env!("CARGO_MANIFEST_DIR"), "/METRICS.json"), Rendering::Json);
}

#[test]
fn rules_are_up_to_date() {
    linked();
    let catalogue = metricate::docs::catalogue();
    let options = Options { runbook_url: "../METRICS.md".to_owned() };
    let rules = rule_file(&catalogue, &options).unwrap_or_else(|e| panic!("the demo's alerts make no rules: {e}"));
    assert_generated_file(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/rules.yml"), &rules);
    let tests = rule_tests(&catalogue, &options, "rules.yml").unwrap_or_else(|e| panic!("{e}"));
    assert_generated_file(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/rules_test.yml"), &tests);
}

#[test]
fn dashboards_are_up_to_date() {
    linked();
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/dashboards"));
    let generated = dashboards(&metricate::docs::catalogue(), &metricate_catalog::dashboard::Options::default());
    assert!(generated.len() > 5, "{} dashboards", generated.len());
    for dashboard in &generated {
        assert_generated_file(dir.join(&dashboard.file_name), &dashboard.json);
    }
    // No dashboard of a subsystem that is gone stays committed.
    let names: Vec<&str> = generated.iter().map(|d| d.file_name.as_str()).collect();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if std::env::var(metricate::docs::UPDATE_VAR).is_ok_and(|v| v == "1") && !names.contains(&name.as_str()) {
            std::fs::remove_file(&path).unwrap();
            continue;
        }
        assert!(names.contains(&name.as_str()), "{} is no generated dashboard: remove it", path.display());
    }
}

#[test]
fn the_build_values_are_in_the_registry_not_the_catalogue() {
    linked();
    let registry = metricate::global().unwrap();
    let descriptor = registry.get("trc_build_info").expect("registered").descriptor;
    let value = |name: &str| descriptor.labels.iter().find(|l| l.name == name).map(|l| l.values[0]);
    assert_eq!(value("version"), Some(env!("CARGO_PKG_VERSION")));
    for name in ["rustc", "target", "revision"] {
        let value = value(name).unwrap_or_else(|| panic!("trc_build_info has `{name}`"));
        assert!(!value.is_empty(), "{name}");
    }
    let catalogue = registry.catalog();
    let build_info = catalogue.metrics.iter().find(|m| m.name == "trc_build_info").unwrap();
    assert!(build_info.labels.iter().all(|l| l.build && l.values.is_empty()), "{:?}", build_info.labels);
}
