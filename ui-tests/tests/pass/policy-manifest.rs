//! The cases find their policy through METRICS_POLICY_MANIFEST (tests/ui.rs
//! sets it to ui-tests/Cargo.toml), wherever the target dir is: the
//! namespace of the workspace above that manifest. The runtime, compiled in
//! the same build with the variable set, states its own policy and keeps it:
//! its metrics stay under `metrics_export_`.

use metricate::{Counter, Metrics};

/// Policy.
#[derive(Metrics)]
#[metrics(subsystem = "policy")]
struct Policy {
    /// Policy checks.
    checks_total: Counter,
}

fn main() {
    let manifest = option_env!("METRICS_POLICY_MANIFEST").expect("tests/ui.rs sets the variable");
    assert!(manifest.ends_with("ui-tests/Cargo.toml"), "{manifest}");

    Policy::global().checks_total.inc();
    let registry = metricate::global().unwrap();
    assert!(registry.get("trc_policy_checks_total").is_some());
    assert!(registry.get("metrics_export_invalid_samples_total").is_some());
    assert!(registry.get("trc_export_invalid_samples_total").is_none());
}
