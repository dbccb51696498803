use metricate::instrument_metric;

/// Reconciles.
#[instrument_metric(subsystem = "ui", frobnicate)]
fn reconcile() {}

fn main() {
    reconcile();
}
