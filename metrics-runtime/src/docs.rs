//! Docs that cannot go stale (feature `docs`): a test compares a committed
//! catalogue of the program's metrics with the one the registry renders now,
//! and fails with a readable diff when they differ.
//!
//! ```no_run
//! // tests/catalogue.rs of a service
//! use metricate::docs::{Rendering, assert_catalogue_file};
//!
//! #[test]
//! fn metrics_md_is_up_to_date() {
//!     assert_catalogue_file(concat!(env!("CARGO_MANIFEST_DIR"), "/METRICS.md"), Rendering::Markdown);
//! }
//! ```
//!
//! Run the test with `METRICS_CATALOG_UPDATE=1` to rewrite the file instead,
//! then commit it.

use std::path::Path;

/// Compares a committed file with generated text (the catalogue's own
/// helper, `metricate_catalog::golden`): what [`assert_catalogue_file`] does
/// with any text.
pub use metricate_catalog::golden::{assert_generated_file, difference};
use metricate_catalog::json::Catalog;

/// The environment variable that makes [`assert_catalogue_file`] rewrite the
/// file instead of comparing.
pub use metricate_catalog::golden::UPDATE_VAR;

/// How the catalogue is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rendering {
    /// Markdown, grouped by subsystem.
    Markdown,
    /// The JSON of `/catalog.json`.
    Json,
    /// One self-contained HTML page.
    Html,
}

/// The catalogue of every metric in the global registry.
///
/// # Panics
///
/// When the global registry does not build (two metrics collide): the panic
/// names both declarations.
pub fn catalogue() -> Catalog {
    let registry = crate::global().unwrap_or_else(|error| panic!("the metrics registry does not build: {error}"));
    registry.catalog()
}

/// The global registry's catalogue, written as `rendering`.
pub fn render(rendering: Rendering) -> String {
    let catalogue = catalogue();
    match rendering {
        Rendering::Markdown => metricate_catalog::render::markdown(&catalogue),
        Rendering::Json => catalogue.to_json(),
        Rendering::Html => metricate_catalog::render::html(&catalogue),
    }
}

/// Compares the file at `path` with the global registry's catalogue written
/// as `rendering`; panics with a unified diff when they differ (or the file
/// is missing). With the environment variable `METRICS_CATALOG_UPDATE=1` it
/// writes the file instead.
///
/// # Panics
///
/// When the file differs, cannot be read or written, or the registry does not
/// build: this is a test helper.
pub fn assert_catalogue_file(path: impl AsRef<Path>, rendering: Rendering) {
    assert_generated_file(path, &render(rendering));
}
