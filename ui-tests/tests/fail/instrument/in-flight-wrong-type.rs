use metricate::{Counter, Metrics, instrument_metric};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Reconcile passes.
    reconciles_total: Counter,
    /// Reconciles started.
    started_total: Counter,
}

/// Reconciles.
#[instrument_metric(count = Ui::global().reconciles_total, in_flight = Ui::global().started_total)]
fn reconcile() {}

fn main() {
    reconcile();
}
