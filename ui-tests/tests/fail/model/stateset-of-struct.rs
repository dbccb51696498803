use metricate::{Metrics, StateSet};

/// A plain struct: not a `LabelValue`.
#[derive(Clone, Copy)]
struct Phase {
    step: u8,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// The worker's lifecycle phase.
    phase: StateSet<Phase>,
}

fn main() {
    let _ = Phase { step: 0 }.step;
    let _ = Ui::global();
}
