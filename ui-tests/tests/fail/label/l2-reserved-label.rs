use metricate::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Bucket {
    Low,
    High,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    le: Bucket,
}

fn main() {}
