use metricate::LabelSet;

#[derive(Clone, Copy, LabelSet)]
struct Request {
    tenant_number: i64,
}

fn main() {}
