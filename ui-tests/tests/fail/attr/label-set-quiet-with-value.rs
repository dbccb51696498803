use metricate::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelSet)]
#[label(quiet = true)]
struct ByOutcome {
    result: Outcome,
}

#[derive(Clone, Copy, LabelSet)]
#[label(quite)]
struct ByResult {
    result: Outcome,
}

fn main() {}
