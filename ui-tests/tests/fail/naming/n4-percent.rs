use metricate::{Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Share of the disk in use.
    disk_used_percent: Gauge,
}

fn main() {
    let _ = Ui::global();
}
