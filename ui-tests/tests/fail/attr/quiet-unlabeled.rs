use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs run.
    #[metric(quiet)]
    jobs_total: Counter,
    /// Jobs retried.
    #[metric(quiet = false)]
    retries_total: Counter,
}

fn main() {
    let _ = Ui::global();
}
