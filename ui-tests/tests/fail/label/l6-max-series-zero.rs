use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests served.
    #[metric(max_series = 0)]
    requests_total: Counter,
}

fn main() {
    let _ = Ui::global();
}
