use metricate::instrument_metric;

/// Reconciles.
#[instrument_metric(subsystem = "ui" name = "reconcile")]
fn reconcile() {}

fn main() {
    reconcile();
}
