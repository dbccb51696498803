//! Every supported declaration compiles; every broken one fails with the
//! message, span, note and help recorded in its `.stderr` snapshot.

#[test]
fn ui() {
    // trybuild compiles each case as a crate of its own, in a generated
    // manifest without metadata under the target dir, which may be outside
    // this repository (`CARGO_TARGET_DIR`): walking up from there finds no
    // policy. The variable names this crate's manifest instead; trybuild's
    // cargo inherits it, and the derives track it through `option_env!`.
    // Set before anything reads the environment.
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    // SAFETY: `set_var` is unsound only while another thread reads or writes
    // the environment. This binary has this one test, so its harness runs
    // nothing else, and trybuild's threads and child processes start later.
    #[allow(unsafe_code, reason = "the only way to hand trybuild's cargo an environment variable")]
    unsafe {
        std::env::set_var("METRICS_POLICY_MANIFEST", manifest);
    }
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/**/*.rs");
}
