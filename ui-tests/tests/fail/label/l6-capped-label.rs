use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, capped_label};

capped_label! {
    /// A node of the cluster: up to 999 nodes, and `other`.
    struct NodeId: 999;
}

#[derive(Clone, Copy, LabelValue)]
enum Direction {
    In,
    Out,
}

#[derive(Clone, Copy, LabelSet)]
struct Traffic {
    node_id: NodeId,
    direction: Direction,
}

#[derive(Metrics)]
#[metrics(subsystem = "ui")]
struct Overlay {
    /// Bytes moved: (999 + 1) * 2 = 2,000 series.
    moved_bytes_total: Family<Traffic, Counter>,
}

fn main() {}
