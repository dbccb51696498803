use metricate::instrument_metric;

/// Sends a mail.
#[instrument_metric(subsystem = "ui", metrics = "SendMetrics")]
fn send() {}

/// Sends a mail later.
#[instrument_metric(subsystem = "ui", metrics = crate::SendLaterMetrics)]
fn send_later() {}

fn main() {
    send();
    send_later();
}
