use metricate::{LabelSet, LabelValue, instrument_metric};

#[derive(Clone, Copy, LabelValue)]
enum Kind {
    Apps,
    Routes,
}

#[derive(Clone, Copy, LabelSet)]
struct ByKind {
    kind: Kind,
}

/// Reconciles.
#[instrument_metric(subsystem = "ui", labels = ByKind { kind: Kind::Apps })]
fn reconcile() {}

fn main() {
    reconcile();
    let _ = Kind::Routes;
}
