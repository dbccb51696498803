use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled.
    #[metric(version = "1.2")]
    requests_total: Counter,
    /// Jobs run.
    #[metric(version = "v2.0.0")]
    jobs_total: Counter,
}

fn main() {}
