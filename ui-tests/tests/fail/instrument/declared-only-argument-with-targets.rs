use metricate::{Histogram, Metrics, instrument_metric};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time to reconcile.
    reconcile_duration_seconds: Histogram,
}

/// Reconciles.
#[instrument_metric(subsystem = "ui", duration = Ui::global().reconcile_duration_seconds)]
fn reconcile() {}

fn main() {
    reconcile();
}
