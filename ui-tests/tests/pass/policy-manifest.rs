//! A struct named by the policy the cases find through
//! METRICS_POLICY_MANIFEST (tests/ui.rs sets it to ui-tests/Cargo.toml),
//! wherever the target dir is: the namespace of the workspace above that
//! manifest. The runtime compiles in the same build, with the variable set,
//! under the policy it states itself.

use metricate::{Counter, Metrics};

/// Policy.
#[derive(Metrics)]
#[metrics(subsystem = "policy")]
struct Policy {
    /// Policy checks.
    checks_total: Counter,
}

fn main() {
    Policy::global().checks_total.inc();
}
