//! L1 on a constant label's name: `__` starts the names Prometheus keeps
//! for itself.

fn main() {
    let _ = metricate::constant_labels!(service = "billing", __x = "y");
}
