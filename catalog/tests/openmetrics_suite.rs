//! The official OpenMetrics parser test suite, run against the OpenMetrics
//! mode of the exposition parser: every case of `tests/data/openmetrics-parsers/`
//! (a byte-for-byte copy of the upstream suite, see its `SOURCE.md`) must be
//! accepted exactly when its `test.json` says `"shouldParse": true`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use metricate_catalog::exposition::{Format, parse};

/// How many cases the copy of the suite holds: fewer means a case is missing.
const CASES: usize = 211;

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openmetrics-parsers")
}

/// One case: its name, its input and whether it should parse.
struct Case {
    name: String,
    input: String,
    should_parse: bool,
}

fn read_case(dir: &Path) -> Case {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let spec_path = dir.join("test.json");
    let spec = std::fs::read_to_string(&spec_path).unwrap_or_else(|e| panic!("{}: {e}", spec_path.display()));
    let spec: serde_json::Value =
        serde_json::from_str(&spec).unwrap_or_else(|e| panic!("{}: {e}", spec_path.display()));
    assert_eq!(spec["type"], "text", "{name}: only text cases are expected");
    let should_parse = spec["shouldParse"].as_bool().unwrap_or_else(|| panic!("{name}: no boolean `shouldParse`"));
    let file = spec["file"].as_str().unwrap_or("metrics");
    let input_path = dir.join(file);
    let input = std::fs::read_to_string(&input_path).unwrap_or_else(|e| panic!("{}: {e}", input_path.display()));
    Case { name, input, should_parse }
}

fn cases() -> Vec<Case> {
    let dir = suite_dir();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().map(|dir| read_case(dir)).collect()
}

#[test]
fn every_case_of_the_openmetrics_suite_agrees() {
    let cases = cases();
    assert_eq!(cases.len(), CASES, "the suite in {} is incomplete", suite_dir().display());
    let mut disagreements = Vec::new();
    for case in &cases {
        let outcome = parse(&case.input, Format::OpenMetrics);
        match (case.should_parse, outcome) {
            (true, Ok(_)) | (false, Err(_)) => {}
            (true, Err(error)) => disagreements.push(format!("{} (should parse): {error}", case.name)),
            (false, Ok(_)) => disagreements.push(format!("{} (should not parse): accepted", case.name)),
        }
    }
    let mut report = String::new();
    for disagreement in &disagreements {
        let _ = writeln!(report, "  {disagreement}");
    }
    assert!(
        disagreements.is_empty(),
        "the parser disagrees with {} of {} OpenMetrics suite cases:\n{report}",
        disagreements.len(),
        cases.len()
    );
}
