use metricate::{Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Time since the last backup.
    backup_age_minutes: Gauge,
}

fn main() {
    let _ = Ui::global();
}
