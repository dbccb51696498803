use metricate::{LabelValue, instrument_metric};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Kind {
    Conflict,
}

/// Runs a job, failing with the caller's error type.
#[instrument_metric(subsystem = "ui", reason = E)]
fn run<E>(fail: Option<E>) -> Result<(), E> {
    fail.map_or(Ok(()), Err)
}

/// Runs a job generic in its error, labeled by a fixed enum.
#[instrument_metric(subsystem = "ui", reason = Kind)]
fn run_generic<T, E>(value: Result<T, E>) -> Result<T, E> {
    value
}

fn main() {
    let _ = run::<Kind>(None);
    let _ = run_generic::<(), Kind>(Err(Kind::Conflict));
}
