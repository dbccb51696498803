use metricate::{Counter, Family, LabelSet, Metrics};

/// A plain struct: not a `LabelValue`.
#[derive(Clone, Copy)]
struct Region {
    id: u8,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    region: Region,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Http {
    /// Requests served.
    requests_total: Family<Request, Counter>,
}

fn main() {
    let _ = Region { id: 0 }.id;
    Http::global().requests_total.with(Request { region: Region { id: 1 } }).inc();
}
