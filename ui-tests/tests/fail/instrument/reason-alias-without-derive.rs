use metricate::instrument_metric;

/// An error with data that does not derive `LabelValue`.
#[derive(Debug)]
enum FetchError {
    Timeout { after_ms: u64 },
    Status(u16),
}

type FetchResult<T> = Result<T, FetchError>;

/// Fetches; behind the alias the macro cannot see that the error type is
/// the reason, so the mapping it would need is reported as well.
#[instrument_metric(subsystem = "ui", reason = FetchError)]
fn fetch(code: u16) -> FetchResult<()> {
    if code == 0 { Err(FetchError::Timeout { after_ms: 30 }) } else { Err(FetchError::Status(code)) }
}

fn main() {
    let _ = fetch(1);
}
