use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "lowercase")]
enum Protocol {
    HttpTwo,
    #[label(rename = "httptwo")]
    Http2,
}

fn main() {}
