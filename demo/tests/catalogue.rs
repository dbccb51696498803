//! `METRICS.md` and `METRICS.json` are the demo's catalogue, rendered from
//! its declarations; these tests fail with a diff when a declaration changed
//! and the files did not. `METRICS_CATALOG_UPDATE=1 cargo test -p demo --test
//! catalogue` rewrites them. `METRICS.json` is also what `cargo doc` lists
//! each family's labels from (the policy's `rustdoc_catalog`).
//!
//! `trc_build_info`'s label values are the build's (the version, the
//! compiler, the target, the git revision): the catalogue lists the labels
//! without them, so the files stay the same from build to build.

use metricate::docs::{Rendering, assert_catalogue_file};

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
