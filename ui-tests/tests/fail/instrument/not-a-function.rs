use metricate::instrument_metric;

/// A struct, not a function.
#[instrument_metric(subsystem = "ui")]
struct Worker {
    id: u32,
}

fn main() {
    let _ = Worker { id: 1 }.id;
}
