use metricate::instrument_metric;

#[derive(Clone, Copy, Debug)]
struct Failure;

/// Fails.
#[instrument_metric(subsystem = "ui", reason = Failure)]
fn fail() -> Result<(), Failure> {
    Err(Failure)
}

fn main() {
    let _ = fail();
}
