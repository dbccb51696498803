use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsytem = "ui")]
struct Ui {
    /// Requests served.
    requests_total: Counter,
}

fn main() {
    let _ = Ui::global();
}
