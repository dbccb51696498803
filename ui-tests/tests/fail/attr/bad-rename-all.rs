use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "snake")]
enum Protocol {
    Http2,
    RawTcp,
}

fn main() {}
