use metricate::{Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Sum of the queue weights.
    queue_weight_sum: Gauge,
}

fn main() {
    let _ = Ui::global();
}
