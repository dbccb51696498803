use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests served.
    requests: Counter,
}

fn main() {
    let _ = Ui::global();
}
