use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled, without a replacement.
    #[metric(deprecated = "split by route")]
    requests_total: Counter,
    /// Jobs run, replaced by themselves.
    #[metric(deprecated = "renamed", replacement = "trc_ui_jobs_total")]
    jobs_total: Counter,
    /// A replacement without a deprecation.
    #[metric(replacement = "trc_ui_tasks_total")]
    runs_total: Counter,
    /// Deprecated without a reason.
    #[metric(deprecated = " ", replacement = "trc_ui_tasks_total")]
    steps_total: Counter,
}

fn main() {}
