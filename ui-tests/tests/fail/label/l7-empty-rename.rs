use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    #[label(rename = "")]
    Error,
}

fn main() {}
