use metricate::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Request {
    latency: f64,
}

fn main() {}
