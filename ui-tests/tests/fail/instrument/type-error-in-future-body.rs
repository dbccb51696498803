use std::future::Future;

use metricate::instrument_metric;

/// Returns a future, with a type error inside it.
#[instrument_metric(subsystem = "ui")]
fn deferred(text: &'static str) -> impl Future<Output = Result<u32, std::num::ParseIntError>> {
    async move {
        let x: u32 = "text";
        Ok(text.parse::<u32>()? + x)
    }
}

fn main() {
    let _ = deferred("1");
}
