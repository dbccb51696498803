use metrics_runtime::LabelSet;

#[derive(Clone, LabelSet)]
struct Request {
    region: String,
}

fn main() {}
