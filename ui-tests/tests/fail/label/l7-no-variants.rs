use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Status {}

fn main() {}
