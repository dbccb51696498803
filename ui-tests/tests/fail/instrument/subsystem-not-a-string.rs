use metricate::instrument_metric;

/// Reconciles.
#[instrument_metric(subsystem = ui)]
fn reconcile() {}

fn main() {
    reconcile();
}
