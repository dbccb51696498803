//! The catalogue of a fixed set of declarations, as exact Markdown and JSON
//! (golden files under `tests/golden/`). `METRICS_CATALOG_UPDATE=1` rewrites
//! them; review the diff before committing.

use metricate::docs::assert_generated_file;
use metricate::{
    Counter, Family, Gauge, Histogram, IntGauge, LabelSet, LabelValue, MetricGroup, Metrics, capped_label,
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
