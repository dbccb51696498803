use metricate::instrument_metric;

/// Called from C.
#[instrument_metric(subsystem = "ui")]
extern "C" fn callback(x: u32) -> u32 {
    x + 1
}

fn main() {
    let _ = callback(2);
}
