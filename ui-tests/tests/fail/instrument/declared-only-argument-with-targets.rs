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

/// Reconciles, with handles for metrics it does not declare.
#[instrument_metric(metrics = ReconcileMetrics, duration = Ui::global().reconcile_duration_seconds)]
fn reconcile_again() {}

fn main() {
    reconcile();
    reconcile_again();
}
