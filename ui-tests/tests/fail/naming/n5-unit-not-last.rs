use metricate::{Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Age of the oldest overlay handshake.
    #[metric(unit = "seconds")]
    handshake_age_seconds_max: Gauge,
}

fn main() {
    let _ = Ui::global();
}
