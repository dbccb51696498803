//! Replays every committed fuzz input, in an ordinary `cargo test`: each
//! target's corpus (`fuzz/corpus/<target>/`) and every crash found and fixed
//! (`fuzz/artifacts/<target>/`), through the same checks libFuzzer runs
//! (`tests::fuzz`). A target without a corpus fails the test.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

#[test]
fn every_corpus_and_crash_replays() {
    let mut failures = Vec::new();
    for (target, check) in tests::fuzz::TARGETS {
        let corpus = tests::fuzz::corpus(&fuzz_dir().join("corpus").join(target));
        assert!(!corpus.is_empty(), "fuzz/corpus/{target} is missing or empty: run fuzz/run.sh {target}");
        let crashes = tests::fuzz::corpus(&fuzz_dir().join("artifacts").join(target));
        for input in corpus.iter().chain(&crashes) {
            let data = std::fs::read(input).unwrap();
            if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
                failures.push(input.display().to_string());
            }
        }
        eprintln!("{target}: {} corpus inputs, {} crash reproducers", corpus.len(), crashes.len());
    }
    assert!(failures.is_empty(), "inputs that fail their check: {failures:#?}");
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    for (target, _) in tests::fuzz::TARGETS {
        let file = fuzz_dir().join("fuzz_targets").join(format!("{target}.rs"));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(text.contains(&format!("tests::fuzz::{target}(data)")), "{} does not call its check", file.display());
    }
}
