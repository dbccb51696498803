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

/// Why a job failed.
#[derive(Debug, LabelValue)]
#[label(crate = "crate::telemetry")]
enum JobError {
    Timeout { after_ms: u64 },
}

/// Runs a job, with typed handles and a reason.
#[telemetry::instrument_metric(crate = "crate::telemetry", subsystem = "jobs", metrics = RunMetrics, reason = JobError)]
fn run(fail: bool) -> Result<(), JobError> {
    if fail { Err(JobError::Timeout { after_ms: 5 }) } else { Ok(()) }
}

fn main() {
    let _ = run(true);
    let _ = run(false);
    let timeout = RunMetricsReason::new(&JobError::Timeout { after_ms: 0 });
    let _ = RunMetrics::global().errors_total.with(timeout).get();
    let _ = RunMetrics::global().calls_total.with(telemetry::instrument::BySyncOutcome::ERROR).get();
    Jobs::global().runs_total.with(ByOutcome { result: Outcome::Error }).inc();
}
