//! Files generated from the declarations and committed (a catalogue, the
//! rule file, dashboards, golden files of tests), compared with what is
//! generated now (feature `golden`): a difference fails with a unified diff,
//! and `METRICS_CATALOG_UPDATE=1` rewrites the file instead.
//!
//! ```no_run
//! use metricate_catalog::golden::assert_generated_file;
//!
//! assert_generated_file("tests/golden/rules.yml", "groups: []\n");
//! ```

use std::path::Path;

/// The environment variable that makes [`assert_generated_file`] rewrite the
/// file instead of comparing.
pub const UPDATE_VAR: &str = "METRICS_CATALOG_UPDATE";

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
