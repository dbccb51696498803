use metricate::{LabelValue, instrument_metric};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Kind {
    Conflict,
}

/// Returns a number, not a `Result`.
#[instrument_metric(subsystem = "ui", reason = Kind)]
fn count() -> u32 {
    let _ = Kind::Conflict;
    3
}

fn main() {
    let _ = count();
}
