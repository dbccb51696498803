use metricate::instrument_metric;

/// Takes any number of arguments.
#[instrument_metric(subsystem = "ui")]
unsafe extern "C" fn sum(x: i32, ...) -> i32 {
    x
}

fn main() {}
