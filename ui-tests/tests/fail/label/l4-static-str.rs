use metricate::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Request {
    region: &'static str,
}

fn main() {}
