use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Protocol {
    Http2,
    #[label(renam = "tcp")]
    RawTcp,
}

fn main() {}
