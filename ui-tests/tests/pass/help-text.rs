//! Help text: a doc comment over several lines is joined with spaces;
//! `#[metric(help = "..")]` gives it without a doc comment, and wins over one.

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
    let _ = Help::global();
    let registry = metricate::global().unwrap();
    let help = |name: &str| registry.get(name).unwrap().descriptor.help;
    assert_eq!(help("trc_help_requests_total"), "Requests served, over two lines.");
    assert_eq!(help("trc_help_routes_loaded"), "Routes loaded.");
    assert_eq!(help("trc_help_retries_total"), "The help text, for readers of the metrics.");
}
