use metrics_runtime::instrument_metric;

/// Reconciles.
#[instrument_metric(subsystem = "ui", name = "Bad__Name")]
fn reconcile() {}

fn main() {
    reconcile();
}
