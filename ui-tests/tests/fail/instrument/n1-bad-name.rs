use metricate::instrument_metric;

/// Reconciles.
#[instrument_metric(subsystem = "ui", name = "Bad__Name")]
fn reconcile() {}

fn main() {
    reconcile();
}
