//! `METRICS.md` is the demo's catalogue, rendered from its declarations; this
//! test fails with a diff when a declaration changed and the file did not.
//! `METRICS_CATALOG_UPDATE=1 cargo test -p demo --test catalogue` rewrites it.

use metricate::docs::{Rendering, assert_catalogue_file};

#[test]
fn metrics_md_is_up_to_date() {
    // The demo's metrics are registered only if its code is linked in.
    let _ = demo::metrics::api::Http::global();
    assert_catalogue_file(concat!(env!("CARGO_MANIFEST_DIR"), "/METRICS.md"), Rendering::Markdown);
}
