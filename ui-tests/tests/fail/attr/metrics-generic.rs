use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui<T> {
    /// Requests served.
    requests_total: Counter,
    marker: std::marker::PhantomData<T>,
}

fn main() {}
