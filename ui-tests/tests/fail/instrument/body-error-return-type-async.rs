use metricate::instrument_metric;

/// Returns the wrong type early, asynchronously.
#[instrument_metric(subsystem = "ui")]
async fn early(flag: bool) -> Result<u32, String> {
    if flag {
        return Ok("text");
    }
    Ok(1)
}

fn main() {
    let _ = early(true);
}
