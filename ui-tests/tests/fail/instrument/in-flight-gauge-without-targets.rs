use metricate::{IntGauge, Metrics, instrument_metric};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Reconciles in progress.
    reconciles_in_flight: IntGauge,
}

/// Reconciles.
#[instrument_metric(subsystem = "ui", in_flight = Ui::global().reconciles_in_flight)]
fn reconcile() {}

fn main() {
    reconcile();
}
