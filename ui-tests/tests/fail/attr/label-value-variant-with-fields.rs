use metricate::LabelValue;

#[derive(Clone, Copy, LabelValue)]
enum Protocol {
    Http(u8),
    Tcp { port: u16 },
    Udp,
}

fn main() {}
