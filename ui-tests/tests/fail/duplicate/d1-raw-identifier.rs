use metricate::{Counter, Gauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Matches per type.
    r#match_total: Counter,
    /// Last match.
    r#match: Gauge,
}

fn main() {
    let _ = Ui::global();
}
