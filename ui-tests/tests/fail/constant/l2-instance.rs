//! L2 on a constant label's name: `instance` is the scraper's.

fn main() {
    let _ = metricate::constant_labels!(service = "billing", instance = "billing-7");
}
