use metrics_runtime::instrument_metric;

/// Reconciles.
#[instrument_metric(subsystem = ui)]
fn reconcile() {}

fn main() {
    reconcile();
}
