use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct ByOutcome {
    result: Outcome,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Jobs run.
    #[metric(quiet = "yes")]
    jobs_total: Family<ByOutcome, Counter>,
    /// Jobs retried.
    #[metric(quiet, quiet = false)]
    retries_total: Family<ByOutcome, Counter>,
}

fn main() {
    let _ = Ui::global();
}
