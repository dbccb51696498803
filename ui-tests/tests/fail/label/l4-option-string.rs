use metricate::LabelSet;

#[derive(Clone, LabelSet)]
struct Request {
    region: Option<String>,
}

fn main() {}
