use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    Unknown,
}

fn main() {}
