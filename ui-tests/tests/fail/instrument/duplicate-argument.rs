use metricate::instrument_metric;

/// Reconciles.
#[instrument_metric(subsystem = "ui", name = "reconcile", subsystem = "other")]
fn reconcile() {}

fn main() {
    reconcile();
}
