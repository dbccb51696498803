use metricate::{IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Tokens in the rate limiter.
    rate_limit_bucket: IntGauge,
}

fn main() {
    let _ = Ui::global();
}
