use metricate::{Counter, Family, LabelSet, Metrics};

#[derive(Clone, Copy, LabelSet)]
struct ByStatus {
    status_code: u16,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Responses sent.
    responses_total: Family<ByStatus, Counter>,
}

fn main() {
    Ui::global().responses_total.with(ByStatus { status_code: 200 }).inc();
}
