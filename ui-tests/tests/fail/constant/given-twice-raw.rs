//! The same constant label twice, once as a raw identifier: the same label,
//! the error at the second.

fn main() {
    let _ = metricate::constant_labels!(r#type = "batch", service = "billing", r#type = "stream");
}
