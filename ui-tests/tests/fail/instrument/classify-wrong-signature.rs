use metricate::instrument_metric;

fn is_error(value: u32) -> bool {
    value > 3
}

/// Counts.
#[instrument_metric(subsystem = "ui", classify = is_error)]
fn count() -> u32 {
    3
}

fn main() {
    let _ = count();
}
