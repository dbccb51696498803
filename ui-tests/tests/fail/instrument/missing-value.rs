use metricate::instrument_metric;

/// Reconciles.
#[instrument_metric(subsystem)]
fn reconcile() {}

fn main() {
    reconcile();
}
