use metricate::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
enum Ui {
    Requests(Counter),
}

fn main() {
    let _ = Ui::global();
}
