use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
struct Protocol {
    version: u8,
}

fn main() {}
