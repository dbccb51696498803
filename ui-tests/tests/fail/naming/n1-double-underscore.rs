use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests served.
    a__b_total: Counter,
}

fn main() {
    let _ = Ui::global();
}
