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

use metricate_catalog::json::Catalog;

/// The environment variable that makes [`assert_catalogue_file`] rewrite the
/// file instead of comparing.
pub const UPDATE_VAR: &str = "METRICS_CATALOG_UPDATE";

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

/// Compares the file at `path` with `generated`, a text generated from the
/// declarations (a catalogue, the rule file and dashboards generated from
/// it); panics with a unified diff when they differ (or the file is
/// missing). With the environment variable `METRICS_CATALOG_UPDATE=1` it
/// writes the file instead, creating its directory.
///
/// # Panics
///
/// When the file differs, or cannot be read or written: this is a test
/// helper.
pub fn assert_generated_file(path: impl AsRef<Path>, generated: &str) {
    let path = path.as_ref();
    if std::env::var(UPDATE_VAR).is_ok_and(|v| v == "1") {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        }
        std::fs::write(path, generated).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let committed = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => panic!(
            "cannot read the committed file {}: {error}\nrun the test with {UPDATE_VAR}=1 to write it",
            path.display()
        ),
    };
    if let Some(diff) = difference(&committed, generated, &path.display().to_string()) {
        panic!(
            "the committed file {} is out of date with the declared metrics:\n\n{diff}\nrun the test with \
             {UPDATE_VAR}=1 to rewrite it, review the change and commit it",
            path.display()
        );
    }
}

/// A unified diff from `committed` to `generated`, `None` when equal.
pub fn difference(committed: &str, generated: &str, name: &str) -> Option<String> {
    if committed == generated {
        return None;
    }
    let diff = similar::TextDiff::from_lines(committed, generated);
    Some(diff.unified_diff().context_radius(2).header(&format!("{name} (committed)"), "declared metrics").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difference_is_a_unified_diff() {
        assert_eq!(difference("a\nb\n", "a\nb\n", "x"), None);
        let diff = difference("# Metrics\n- old\n", "# Metrics\n- new\n", "METRICS.md").unwrap();
        assert_eq!(
            diff,
            "--- METRICS.md (committed)\n+++ declared metrics\n@@ -1,2 +1,2 @@\n # Metrics\n-- old\n+- new\n"
        );
    }
}
