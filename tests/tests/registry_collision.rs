//! Two declarations that expose the same name compile (they may live in
//! different crates), but the program must not serve a registry where one
//! hides the other: the server refuses to start, and its error names both
//! declarations.

use metricate::server::{ServerBuilder, ServerError};
use metricate::{Counter, Metrics, instrument_metric};

mod billing {
    use super::{Counter, Metrics};

    /// Invoices.
    #[derive(Metrics)]
    #[metrics(subsystem = "invoice")]
    pub(crate) struct Invoices {
        /// Invoices sent.
        pub(crate) sent_total: Counter,
    }
}

mod mailer {
    use super::{Counter, Metrics};

    /// The mailer's view of invoices.
    #[derive(Metrics)]
    #[metrics(subsystem = "invoice")]
    pub(crate) struct Mails {
        /// Invoice mails sent.
        pub(crate) sent_total: Counter,
    }
}

/// Sends an invoice; its calls are counted as `trc_invoice_send_total`,
/// which no struct declares, and timed as `trc_invoice_send_duration_seconds`.
#[instrument_metric(subsystem = "invoice")]
fn send() -> Result<(), std::io::Error> {
    Ok(())
}

/// A struct whose histogram takes the name of the function's.
#[derive(Metrics)]
#[metrics(subsystem = "invoice")]
struct Timing {
    /// Time to send an invoice.
    send_duration_seconds: metricate::Histogram,
}

#[test]
fn the_server_refuses_to_start_and_names_both_declarations() {
    billing::Invoices::global().sent_total.inc();
    mailer::Mails::global().sent_total.inc();
    let _ = Timing::global();
    send().unwrap();

    let error = ServerBuilder::new().listen("127.0.0.1:0".parse().unwrap()).spawn().unwrap_err();
    let ServerError::Registry(collisions) = &error else { panic!("started, or failed otherwise: {error}") };
    let message = error.to_string();
    eprintln!("{message}");
    assert!(message.starts_with("refusing to serve metrics: "), "{message}");
    // One collision per exposed name (`x_count`, `x_sum`...), from two pairs
    // of declarations.
    let pairs: std::collections::BTreeSet<_> =
        collisions.collisions.iter().map(|c| (c.first.source.line, c.second.source.line)).collect();
    assert_eq!(pairs.len(), 2, "{message}");
    for expected in ["trc_invoice_sent_total", "trc_invoice_send_duration_seconds_count"] {
        assert!(message.contains(expected), "`{expected}` missing from: {message}");
    }
    // Both declaration sites, by file and line.
    let file = file!();
    for line in [17, 29, 36, 45] {
        assert!(message.contains(&format!("{file}:{line}:")), "{file}:{line} missing from: {message}");
    }
}
