//! The catalogue of a fixed set of declarations, as exact Markdown and JSON
//! (golden files under `tests/golden/`; `METRICS_CATALOG_UPDATE=1` rewrites
//! them, review the diff), and every form of `#[alert(..)]` in descriptors.

use metricate::docs::assert_generated_file;
use metricate::{
    Counter, Descriptor, Family, Gauge, Histogram, IntGauge, LabelSet, LabelValue, MetricGroup, Metrics, capped_label,
};

#[allow(dead_code, reason = "declared for the catalogue only")]
#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[allow(dead_code, reason = "declared for the catalogue only")]
#[derive(Clone, Copy, LabelValue)]
enum Status {
    #[label(rename = "2xx")]
    Success,
    #[label(rename = "5xx")]
    Failure,
}

#[derive(Clone, Copy, LabelSet)]
struct Request {
    method: Method,
    status: Option<Status>,
}

capped_label! {
    /// A peer node.
    struct NodeId: 16;
}

#[derive(Clone, Copy, LabelSet)]
struct ByNode {
    node_id: NodeId,
}

/// The HTTP API.
#[derive(Metrics)]
#[metrics(subsystem = "http")]
struct Http {
    /// Requests handled, by method and status class.
    #[metric(version = "1.2.0")]
    requests_total: Family<Request, Counter>,
    /// Time to answer a request | with a pipe, `code` and <html>.
    #[metric(buckets = [0.01, 0.1, 1.0])]
    request_duration_seconds: Histogram,
    /// Connections open.
    #[metric(version = "2.0.0", deprecated = "split by listener", replacement = "trc_http_listener_connections")]
    connections: IntGauge,
}

/// The overlay network.
#[derive(Metrics)]
#[metrics(subsystem = "overlay")]
struct Overlay {
    /// Peers reachable, per node.
    #[metric(quiet)]
    peers: Family<ByNode, Gauge>,
}

/// Reconciles the process groups. A synchronous function: its `result` has
/// no `cancelled`.
#[allow(dead_code, reason = "declared for the catalogue only")]
#[metricate::instrument_metric(subsystem = "scheduler", metrics = ReconcileMetrics)]
fn reconcile() {}

/// Pulls an image. An async function: its `result` has `cancelled`.
#[allow(dead_code, reason = "declared for the catalogue only")]
#[metricate::instrument_metric(subsystem = "images", metrics = PullMetrics, buckets = [1.0, 10.0])]
async fn pull() {}

fn catalogue() -> metricate_catalog::json::Catalog {
    let (http, overlay) = (Http::new_unregistered(), Overlay::new_unregistered());
    let (reconcile, pull) = (ReconcileMetrics::new_unregistered(), PullMetrics::new_unregistered());
    let mut descriptors = Vec::new();
    http.for_each_metric(&mut |d, _| descriptors.push(d));
    overlay.for_each_metric(&mut |d, _| descriptors.push(d));
    reconcile.for_each_metric(&mut |d, _| descriptors.push(d));
    pull.for_each_metric(&mut |d, _| descriptors.push(d));
    metricate_catalog::json::Catalog::from_descriptors(descriptors)
}

fn golden(name: &str, generated: &str) {
    assert_generated_file(format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR")), generated);
}

#[test]
fn markdown() {
    golden("catalogue.md", &metricate_catalog::render::markdown(&catalogue()));
}

#[test]
fn json() {
    let catalogue = catalogue();
    let text = catalogue.to_json();
    golden("catalogue.json", &text);
    assert_eq!(metricate_catalog::json::Catalog::from_json(&text).unwrap(), catalogue);
}

#[allow(dead_code, reason = "declared for the alerts only")]
#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    #[label(error)]
    Error,
    #[label(rename = "timed_out", error)]
    Timeout,
}

#[allow(dead_code, reason = "declared for the alerts only")]
#[derive(Clone, Copy, LabelValue)]
enum Placement {
    Placed,
    Unschedulable,
    #[label(rename = "failed")]
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct Call {
    method: Method,
    result: Option<Outcome>,
}

#[derive(Clone, Copy, LabelSet)]
struct Allocation {
    method: Method,
    result: Option<Placement>,
}

/// An alert of every condition, with and without `window`, `for`,
/// `severity` and `runbook`.
#[derive(Metrics)]
#[metrics(subsystem = "alerting")]
struct Alerting {
    /// Calls handled, by method and result.
    #[alert(name = "AlertingErrorRatioHigh", error_ratio = 0.05, summary = "More than 5 % of calls fail")]
    calls_total: Family<Call, Counter>,
    /// Placements, by result.
    #[alert(
        name = "AlertingPlacementsFailing",
        error_ratio = 0.1,
        errors = [Placement::Error, Placement::Unschedulable],
        window = "10m",
        for = "15m",
        severity = "critical",
        summary = "More than 10 % of placements fail",
        runbook = "Look at the scheduler's logs."
    )]
    placements_total: Family<Allocation, Counter>,
    /// Time to serve a call.
    #[metric(buckets = [0.1, 0.5, 1.0, 5.0])]
    #[alert(
        name = "AlertingCallsSlow",
        quantile = 0.99,
        above = 1.0,
        window = "1h30m",
        severity = "info",
        summary = "Calls are slow"
    )]
    call_duration_seconds: Histogram,
    /// Jobs waiting in the queue.
    #[alert(name = "AlertingQueueLong", above = 100.0, for = "0s", summary = "The queue is long")]
    #[alert(name = "AlertingQueueAbsent", absent, for = "10m", summary = "The queue is not reported")]
    queued_jobs: IntGauge,
    /// Workers available.
    #[alert(name = "AlertingWorkersLow", below = 1, severity = "warning", summary = "No worker is available")]
    idle_workers: IntGauge,
}

#[test]
fn alerts_are_in_the_descriptors() {
    // `metricate` does not re-export the alert types: the conditions are
    // compared through their `Debug` text.
    let condition = |d: &Descriptor, i: usize| format!("{:?}", d.alerts[i].condition);

    let ratio = Alerting::CALLS_TOTAL.alerts[0];
    assert_eq!(ratio.name, "AlertingErrorRatioHigh");
    assert_eq!(condition(Alerting::CALLS_TOTAL, 0), r#"ErrorRatio { label: "result", errors: [], above: 0.05 }"#);
    // The defaults: a window and a `for` of 5 minutes, `warning`.
    assert_eq!((ratio.window_seconds, ratio.for_seconds, ratio.severity.as_str()), (300, 300, "warning"));

    let placements = Alerting::PLACEMENTS_TOTAL.alerts[0];
    assert_eq!(
        condition(Alerting::PLACEMENTS_TOTAL, 0),
        r#"ErrorRatio { label: "result", errors: ["failed", "unschedulable"], above: 0.1 }"#
    );
    assert_eq!((placements.window_seconds, placements.for_seconds), (600, 900));
    assert_eq!(placements.severity.as_str(), "critical");
    assert_eq!(placements.runbook, "Look at the scheduler's logs.");

    let slow = Alerting::CALL_DURATION_SECONDS.alerts[0];
    assert_eq!(condition(Alerting::CALL_DURATION_SECONDS, 0), "Quantile { quantile: 0.99, above: 1.0 }");
    assert_eq!((slow.window_seconds, slow.severity.as_str()), (5400, "info"));

    let [long, absent] = Alerting::QUEUED_JOBS.alerts else { panic!("two alerts on queued_jobs") };
    assert_eq!(condition(Alerting::QUEUED_JOBS, 0), "Value { comparison: Above, threshold: 100.0 }");
    assert_eq!((long.name, long.window_seconds, long.for_seconds), ("AlertingQueueLong", 0, 0));
    assert_eq!((absent.name, absent.condition.as_str(), absent.for_seconds), ("AlertingQueueAbsent", "absent", 600));

    assert_eq!(condition(Alerting::IDLE_WORKERS, 0), "Value { comparison: Below, threshold: 1.0 }");
    assert_eq!(Alerting::IDLE_WORKERS.alerts[0].summary, "No worker is available");
}
