//! C) Projection workers.

use metricate::{Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics};

/// A projection (read model) built from the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Projection {
    /// Apps and their process types.
    Apps,
    /// Releases and deploys.
    Deploys,
    /// Desired and observed instances.
    Instances,
    /// Edge routes.
    Routes,
    /// Secret versions (metadata only).
    Secrets,
    /// Volumes and their placement.
    Volumes,
    /// Nodes and their capacity.
    Nodes,
    /// Per-org usage and quotas.
    OrgUsage,
}

impl Projection {
    /// Every projection.
    pub const ALL: [Projection; 8] = [
        Projection::Apps,
        Projection::Deploys,
        Projection::Instances,
        Projection::Routes,
        Projection::Secrets,
        Projection::Volumes,
        Projection::Nodes,
        Projection::OrgUsage,
    ];
}

/// Labels `{projection}`.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct ByProjection {
    /// The projection.
    pub projection: Projection,
}

/// Projection workers.
#[derive(Metrics)]
#[metrics(subsystem = "projection")]
pub struct Projections {
    /// Id of the last event the projection applied.
    pub last_applied_event_id: Family<ByProjection, IntGauge>,
    /// Events appended to the log but not yet applied by the projection.
    pub lag_events: Family<ByProjection, IntGauge>,
    /// Time to apply one event to the projection.
    #[metric(buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5])]
    pub apply_duration_seconds: Family<ByProjection, Histogram>,
    /// Events the projection failed to apply.
    pub errors_total: Family<ByProjection, Counter>,
    /// Rebuilds of the projection from the start of the log.
    pub rebuilds_total: Family<ByProjection, Counter>,
}
