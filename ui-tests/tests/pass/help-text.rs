//! Help text: a doc comment over several lines; `#[metric(help = "..")]`
//! without a doc comment, and over one.

use metricate::{Counter, IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "help")]
struct Help {
    /// Requests served,
    /// over two lines.
    requests_total: Counter,
    #[metric(help = "Routes loaded.")]
    routes_loaded: IntGauge,
    /// The doc comment, for readers of the code.
    #[metric(help = "The help text, for readers of the metrics.")]
    retries_total: Counter,
}

fn main() {
    let help = Help::global();
    help.requests_total.inc();
    help.routes_loaded.set(1);
    help.retries_total.inc();
}
