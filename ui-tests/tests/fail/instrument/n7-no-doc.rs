use metricate::instrument_metric;

#[instrument_metric(subsystem = "ui")]
fn reconcile() {}

fn main() {
    reconcile();
}
