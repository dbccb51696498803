//! A label bounded at run time, alone, beside an enum label, and as an
//! `Option`; a raised limit admits its `CAP + 1` values.

use metricate::{Counter, Family, Gauge, LabelSet, LabelValue, Metrics, capped_label};

capped_label! {
    /// A node of the cluster.
    pub struct NodeId: 64;
}

capped_label! {
    /// A route, bounded by quotas.
    pub(crate) struct RouteId: 2_000;
}

#[derive(Clone, Copy, LabelValue)]
enum Direction {
    In,
    Out,
}

#[derive(Clone, Copy, LabelSet)]
struct ByNode {
    node_id: NodeId,
}

#[derive(Clone, Copy, LabelSet)]
struct Traffic {
    node_id: NodeId,
    direction: Direction,
}

#[derive(Clone, Copy, LabelSet)]
struct ByRoute {
    route_id: Option<RouteId>,
}

#[derive(Metrics)]
#[metrics(subsystem = "overlay")]
struct Overlay {
    /// Peers connected, per node.
    peers: Family<ByNode, Gauge>,
    /// Bytes moved, per node and direction.
    moved_bytes_total: Family<Traffic, Counter>,
    /// Requests routed, per route.
    #[metric(max_series = 2002)]
    routed_total: Family<ByRoute, Counter>,
}

fn main() {
    let node_id = NodeId::new("node-1");
    let overlay = Overlay::global();
    overlay.peers.with(ByNode { node_id }).set(3.0);
    overlay.moved_bytes_total.with(Traffic { node_id, direction: Direction::In }).inc_by(10);
    overlay.routed_total.with(ByRoute { route_id: Some(RouteId::new("r-1")) }).inc();
    overlay.routed_total.with(ByRoute { route_id: None }).inc();
}
