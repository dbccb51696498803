use metricate::{Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Build of the running binary.
    build_info: Gauge,
}

fn main() {
    let _ = Ui::global();
}
