use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, instrument_metric};

#[derive(Clone, Copy, LabelValue)]
enum Tier {
    Free,
    Paid,
}

#[derive(Clone, Copy, LabelSet)]
struct ByUser {
    user_id: Tier,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Logins, by user.
    logins_total: Family<ByUser, Counter>,
}

/// Logs a user in.
#[instrument_metric(count = Ui::global().logins_total, labels = ByUser { user_id: Tier::Free })]
fn login() {}

fn main() {
    login();
    let _ = Tier::Paid;
}
