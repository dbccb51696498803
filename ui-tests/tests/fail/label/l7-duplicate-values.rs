use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    #[label(rename = "ok")]
    Fine,
}

fn main() {}
