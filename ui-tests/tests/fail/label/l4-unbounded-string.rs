use metricate::LabelSet;

#[derive(Clone, LabelSet)]
struct Request {
    region: String,
}

fn main() {}
