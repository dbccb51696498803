//! Every supported declaration compiles; every broken one fails with the
//! message, span, note and help recorded in its `.stderr` snapshot.

use std::process::Command;

/// The variable that gives crates without a policy of their own the one of
/// the manifest it names (`metricate_catalog::manifest::POLICY_MANIFEST_VAR`).
const POLICY_MANIFEST_VAR: &str = "METRICS_POLICY_MANIFEST";

#[test]
fn ui() {
    // trybuild compiles each case as a crate of its own, in a generated
    // manifest without metadata under the target dir, which may be outside
    // this repository (`CARGO_TARGET_DIR`): walking up from there finds no
    // policy. The variable names this crate's manifest instead; trybuild's
    // cargo inherits it, and the derives track it through `option_env!`.
    // Rather than change its own environment while other threads may read
    // it, the test runs itself again with the variable set.
    if std::env::var_os(POLICY_MANIFEST_VAR).is_none() {
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let status = Command::new(std::env::current_exe().expect("the test binary's path"))
            .env(POLICY_MANIFEST_VAR, manifest)
            .args(["ui", "--exact", "--nocapture"])
            .status()
            .expect("the test binary runs again");
        assert!(status.success(), "the compile tests failed: their report is above");
        return;
    }
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/**/*.rs");
}
