use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
enum Protocol {
    Http,
    Tcp,
}

fn main() {}
