use metricate::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Tier {
    Free,
    Paid,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    raw_body: Tier,
}

fn main() {}
