use metricate::instrument_metric;

const BOUNDS: [f64; 2] = [0.1, 1.0];

/// Reconciles.
#[instrument_metric(subsystem = "ui", buckets = BOUNDS)]
fn reconcile() {}

fn main() {
    reconcile();
}
