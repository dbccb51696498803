//! L2 on a constant label's name: `job` is the scraper's.

fn main() {
    let _ = metricate::constant_labels!(job = "billing");
}
