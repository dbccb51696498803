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

/// Reconciles; `result` goes into a label whose type is not made from an `Outcome`.
#[instrument_metric(count = Ui::global().reconciles_total, labels = ByKind { kind: result })]
fn reconcile() {}

fn main() {
    reconcile();
    let _ = Kind::Apps;
}
