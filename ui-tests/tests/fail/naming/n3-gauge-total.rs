use metricate::{Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Connections open.
    connections_total: Gauge,
}

fn main() {
    let _ = Ui::global();
}
