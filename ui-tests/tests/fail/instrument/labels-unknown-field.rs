use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, instrument_metric};

#[derive(Clone, Copy, LabelValue)]
enum Kind {
    Apps,
}

#[derive(Clone, Copy, LabelSet)]
struct ByKind {
    kind: Kind,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Reconcile passes, by kind.
    reconciles_total: Family<ByKind, Counter>,
}

/// Reconciles.
#[instrument_metric(count = Ui::global().reconciles_total, labels = ByKind { knd: Kind::Apps })]
fn reconcile() {}

fn main() {
    reconcile();
}
