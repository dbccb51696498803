//! Where a metric type's shape is written out: its kind and the core's
//! value model, and one place per format. Generic code (the series writer,
//! sample counts, the catalogue's words and checks) asks the kind or the
//! value instead (`MetricKind::sample_suffixes`, `OwnedValue::text_samples`,
//! `MetricKind::nouns`), so that a new type needs no edit there.
//!
//! The summary and the state set, the last types added, show it: this test
//! lists every library source file that names either (outside unit tests)
//! and fails on a file that is neither the core nor a format.

use std::path::{Path, PathBuf};

/// The library crates' sources.
const CRATES: [&str; 5] = ["abi/src", "spec/src", "catalog/src", "metrics-derive/src", "metrics-runtime/src"];

/// The files of the core: the kind and its rules, the declaration's rules
/// (a summary's own attributes), the metric types, the value model (the
/// runtime's `Value`, a snapshot's `OwnedValue`).
const CORE: [&str; 7] = [
    "spec/src/descriptor.rs",
    "spec/src/rules/naming.rs",
    "metrics-derive/src/metrics/validate.rs",
    "metrics-runtime/src/metric.rs",
    "metrics-runtime/src/metric/summary.rs",
    "metrics-runtime/src/metric/info.rs",
    "metrics-runtime/src/snapshot.rs",
];

/// One file per format that writes the shape its own way.
const FORMATS: [&str; 8] = [
    "metrics-runtime/src/encode/prometheus.rs",
    "metrics-runtime/src/encode/openmetrics.rs",
    "metrics-runtime/src/export/otlp.rs",
    "metrics-runtime/src/export/remote_write.rs",
    "metrics-runtime/src/export/statsd.rs",
    "metrics-runtime/src/stream.rs",
    "catalog/src/dashboard.rs",
    "catalog/src/render/semconv.rs",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The files (relative to the repository) whose code outside its unit tests
/// names one of `names`.
fn naming(names: &[&str]) -> Vec<String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the repository");
    let mut files = Vec::new();
    for dir in CRATES {
        rust_files(&repo.join(dir), &mut files);
    }
    let mut found: Vec<String> = files
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
            names.iter().any(|name| code.contains(name))
        })
        .map(|path| path.strip_prefix(repo).unwrap().to_string_lossy().into_owned())
        .filter(|path| !path.ends_with("/tests.rs"))
        .collect();
    found.sort();
    found
}

#[test]
fn a_metric_type_is_named_in_the_core_and_once_per_format() {
    let summary = naming(&["MetricKind::Summary", "Value::Summary", "OwnedValue::Summary", "Summary {"]);
    let state_set = naming(&["MetricKind::StateSet"]);
    let elsewhere: Vec<&String> = summary
        .iter()
        .chain(&state_set)
        .filter(|file| !CORE.contains(&file.as_str()) && !FORMATS.contains(&file.as_str()))
        .collect();
    assert!(elsewhere.is_empty(), "named outside the core and the formats: {elsewhere:?}");
    // Every format writes the summary's shape, as the core defines it.
    for file in CORE.iter().chain(&FORMATS).filter(|f| !f.ends_with("info.rs")) {
        assert!(summary.iter().any(|s| s == file), "{file} does not name the summary: {summary:?}");
    }
}
