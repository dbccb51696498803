use metricate::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Tier {
    Free,
    Paid,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    job: Tier,
    instance: Tier,
}

fn main() {}
