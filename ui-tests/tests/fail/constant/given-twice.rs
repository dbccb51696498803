//! The same constant label twice: the error is at the second.

fn main() {
    let _ = metricate::constant_labels!(service = "billing", env = "prod", service = "payments");
}
