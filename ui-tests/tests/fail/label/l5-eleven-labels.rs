use metricate::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Flag {
    On,
}

#[derive(Clone, Copy, LabelSet)]
struct Everything {
    a: Flag,
    b: Flag,
    c: Flag,
    d: Flag,
    e: Flag,
    f: Flag,
    g: Flag,
    h: Flag,
    i: Flag,
    j: Flag,
    k: Flag,
}

fn main() {}
