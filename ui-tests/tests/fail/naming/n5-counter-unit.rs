use metricate::{FloatCounter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// CPU time spent serving requests.
    #[metric(unit = "seconds")]
    cpu_total: FloatCounter,
}

fn main() {
    let _ = Ui::global();
}
