use metricate::instrument_metric;

#[derive(Debug)]
struct MyError;

/// Parses, with an error that does not convert.
#[instrument_metric(subsystem = "ui")]
fn parse(text: &str) -> Result<u32, MyError> {
    let n = text.parse::<u32>()?;
    Ok(n)
}

fn main() {
    let _ = parse("1");
}
