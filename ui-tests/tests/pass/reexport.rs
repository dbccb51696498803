//! A crate that re-exports the runtime under another name points the derives
//! at it with `crate = ".."`; the generated code then never names
//! `metricate`.

mod telemetry {
    pub use metricate::*;
}

use telemetry::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
#[label(crate = "crate::telemetry")]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelSet)]
#[label(crate = "crate::telemetry")]
struct ByOutcome {
    result: Outcome,
}

/// Jobs.
#[derive(Metrics)]
#[metrics(crate = "crate::telemetry", subsystem = "jobs")]
struct Jobs {
    /// Jobs run.
    runs_total: Family<ByOutcome, Counter>,
}

fn main() {
    Jobs::global().runs_total.with(ByOutcome { result: Outcome::Error }).inc();
    let registry = telemetry::global().unwrap();
    assert_eq!(registry.get("trc_jobs_runs_total").unwrap().descriptor.labels[0].values, ["ok", "error"]);
}
