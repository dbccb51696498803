//! A label the policy forbids: `tenant` is in the `forbidden_labels` of
//! ui-tests/Cargo.toml, which the cases reach only through
//! METRICS_POLICY_MANIFEST (their own manifest has no policy).

use metricate::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Tier {
    Free,
    Paid,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    tier: Tier,
    tenant: Tier,
}

fn main() {}
