use metricate::instrument_metric;

/// Reconciles.
#[instrument_metric(subsystem = "ui", buckets = [0.1, 0.5, 0.25, 1.0])]
fn reconcile() {}

fn main() {
    reconcile();
}
