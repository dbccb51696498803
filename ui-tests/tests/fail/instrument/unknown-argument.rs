use metricate::instrument_metric;

/// Reconciles.
#[instrument_metric(subsytem = "ui")]
fn reconcile() {}

fn main() {
    reconcile();
}
