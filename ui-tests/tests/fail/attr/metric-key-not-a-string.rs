use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests served.
    #[metric(help = 42)]
    requests_total: Counter,
}

fn main() {
    let _ = Ui::global();
}
