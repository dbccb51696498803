use metricate::{Counter, Metrics, instrument_metric};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Reconcile passes.
    reconciles_total: Counter,
}

/// Reconciles.
#[instrument_metric(duration = Ui::global().reconciles_total)]
fn reconcile() {}

fn main() {
    reconcile();
}
