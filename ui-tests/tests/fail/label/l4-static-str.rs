use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Request {
    region: &'static str,
}

fn main() {}
