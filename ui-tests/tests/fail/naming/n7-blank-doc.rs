use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    ///
    requests_total: Counter,
}

fn main() {
    let _ = Ui::global();
}
