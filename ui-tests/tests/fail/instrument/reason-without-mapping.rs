use metricate::{LabelValue, instrument_metric};

#[derive(Debug)]
enum FetchError {
    Timeout { after_ms: u64 },
    Status(u16),
}

#[derive(Clone, Copy, LabelValue)]
enum Transient {
    Yes,
    No,
}

/// Fetches, labeled by an enum the error has no mapping to.
#[instrument_metric(subsystem = "ui", reason = Transient)]
fn fetch(code: u16) -> Result<(), FetchError> {
    let _ = (Transient::Yes, Transient::No);
    if code == 0 { Err(FetchError::Timeout { after_ms: 30 }) } else { Err(FetchError::Status(code)) }
}

fn main() {
    let _ = fetch(1);
}
