use metricate::instrument_metric;

trait Store {
    /// Reads a key.
    #[instrument_metric(subsystem = "ui")]
    fn get(&self, key: u32) -> Option<u32>;
}

fn main() {}
