use metricate::{Histogram, IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Size of each disk operation.
    io: Histogram,
    /// Disk operations in flight.
    io_count: IntGauge,
}

fn main() {
    let _ = Ui::global();
}
