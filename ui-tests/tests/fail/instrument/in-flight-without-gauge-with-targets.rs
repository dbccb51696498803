use metricate::{Counter, Metrics, instrument_metric};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Reconcile passes.
    reconciles_total: Counter,
}

/// Reconciles.
#[instrument_metric(count = Ui::global().reconciles_total, in_flight)]
fn reconcile() {}

fn main() {
    reconcile();
}
