use metricate::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Tier {
    Free,
    Paid,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    tier: Tier,
    __name: Tier,
}

fn main() {}
