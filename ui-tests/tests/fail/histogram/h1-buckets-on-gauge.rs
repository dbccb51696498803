use metricate::{Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Share of the queue in use.
    #[metric(buckets = [0.1, 0.5, 1.0])]
    queue_depth_ratio: Gauge,
}

fn main() {
    let _ = Ui::global();
}
