//! L1 on a constant label's name: not snake case, checked when the crate
//! compiles.

fn main() {
    let _ = metricate::constant_labels!(Service = "billing");
}
