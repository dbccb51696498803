//! Versions and deprecations reach the descriptor, and a deprecated metric's
//! HELP text says so.

use metricate::encode::Format;
use metricate::{Counter, Gauge, MetricGroup, Metrics, Registry};

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Ui {
    /// Requests handled.
    #[metric(version = "2.1.0")]
    requests_total: Counter,
    /// Queue depth.
    #[metric(version = "1.4.0-rc.1", deprecated = "split by queue", replacement = "trc_ui_queue_items")]
    queue_depth: Gauge,
}

fn main() {
    let ui = Ui::new_unregistered();
    let mut descriptors = Vec::new();
    ui.for_each_metric(&mut |d, _| descriptors.push(d));
    assert_eq!(descriptors[0].version, "2.1.0");
    assert!(descriptors[0].deprecation.is_none());
    let queue = descriptors[1];
    assert_eq!(queue.version, "1.4.0-rc.1");
    let deprecation = queue.deprecation.unwrap();
    assert_eq!((deprecation.reason, deprecation.replacement), ("split by queue", Some("trc_ui_queue_items")));
    assert_eq!(queue.help, "Queue depth. Deprecated: split by queue; use `trc_ui_queue_items` instead.");
    let mut registry = Registry::new();
    registry.register_group(&ui).unwrap();
    let mut out = Vec::new();
    Format::Prometheus.encode(&registry, &mut out);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("# HELP trc_ui_queue_depth Queue depth. Deprecated: split by queue; use `trc_ui_queue_items` instead.\n"));
}
