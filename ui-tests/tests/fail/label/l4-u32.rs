use metricate::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Request {
    status_code: u32,
}

fn main() {}
