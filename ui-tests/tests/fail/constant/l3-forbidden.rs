//! L3 on a constant label's name: a name the built-in list forbids.

fn main() {
    let _ = metricate::constant_labels!(hostname = "web-1");
}
