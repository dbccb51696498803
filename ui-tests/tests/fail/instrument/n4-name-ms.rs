use metricate::instrument_metric;

/// Measures the latency.
#[instrument_metric(subsystem = "ui")]
fn latency_ms() -> u64 {
    5
}

fn main() {
    let _ = latency_ms();
}
