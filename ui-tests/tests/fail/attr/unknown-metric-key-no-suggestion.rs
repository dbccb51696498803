use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests served.
    #[metric(deprecated = "use other_total")]
    requests_total: Counter,
}

fn main() {
    let _ = Ui::global();
}
