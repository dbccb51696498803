use metricate::instrument_metric;

/// Doubles a number.
#[instrument_metric(subsystem = "ui")]
const fn double(x: u32) -> u32 {
    x * 2
}

fn main() {
    let _ = double(2);
}
