use metricate::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Protocol {
    Http,
    Tcp,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    #[label(rename = "proto")]
    protocol: Protocol,
}

fn main() {}
