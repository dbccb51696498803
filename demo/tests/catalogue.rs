//! `METRICS.md` and `METRICS.json` are the demo's catalogue, rendered from
//! its declarations; these tests fail with a diff when a declaration changed
//! and the files did not. `METRICS_CATALOG_UPDATE=1 cargo test -p demo --test
//! catalogue` rewrites them. `METRICS.json` is also what `cargo doc` lists
//! each family's labels from (the policy's `rustdoc_catalog`).

use metricate::docs::{Rendering, assert_catalogue_file};

#[test]
fn metrics_md_is_up_to_date() {
    // The demo's metrics are registered only if its code is linked in.
    let _ = demo::metrics::api::Http::global();
    assert_catalogue_file(concat!(env!("CARGO_MANIFEST_DIR"), "/METRICS.md"), Rendering::Markdown);
}

#[test]
fn metrics_json_is_up_to_date() {
    let _ = demo::metrics::api::Http::global();
    assert_catalogue_file(concat!(env!("CARGO_MANIFEST_DIR"), "/METRICS.json"), Rendering::Json);
}
