use metricate::{Metrics, StateSet};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// The worker's exit code.
    exit_code: StateSet<u32>,
    /// The worker's name.
    name: StateSet<&'static str>,
}

fn main() {
    let _ = Ui::global();
}
