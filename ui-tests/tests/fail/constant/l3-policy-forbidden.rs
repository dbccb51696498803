//! L3 on a constant label's name, with the crate's policy: `tenant` is in
//! the `forbidden_labels` of ui-tests/Cargo.toml, which the cases reach
//! only through METRICS_POLICY_MANIFEST.

fn main() {
    let _ = metricate::constant_labels!(service = "billing", tenant = "acme");
}
