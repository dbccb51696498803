use metricate::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Tier {
    Free,
    Paid,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    tier: Tier,
    user_id: Tier,
}

fn main() {}
