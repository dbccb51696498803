use metricate::{FloatCounter, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Bytes read from disk.
    disk_read_mib_total: FloatCounter,
}

fn main() {
    let _ = Ui::global();
}
