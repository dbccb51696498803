use metricate::instrument_metric;

/// Parses a number, asynchronously.
#[instrument_metric(subsystem = "ui")]
async fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    let x: u32 = "text";
    Ok(text.parse::<u32>()? + x)
}

fn main() {
    let _ = parse("1");
}
