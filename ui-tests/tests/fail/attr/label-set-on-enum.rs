use metricate::LabelSet;

#[derive(Clone, Copy, LabelSet)]
enum Protocol {
    Http,
    Tcp,
}

fn main() {}
