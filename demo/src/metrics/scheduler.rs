//! D) The scheduler: loop health, placement, actions and rollouts.

use metricate::{Counter, Family, Histogram, LabelSet, LabelValue, Metrics};

use super::ByResult;

/// The outcome of an instance allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum AllocationResult {
    /// The instance was placed on a node.
    Ok,
    /// No node fits; the reason is counted in `trc_scheduler_unschedulable_total`.
    Unschedulable,
    /// Placement failed for another reason (e.g. the append of its event).
    Error,
}

/// Labels `{result}` of an instance allocation.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Allocation {
    /// How the allocation ended.
    pub result: AllocationResult,
}

/// Why the scheduler drained an instance off its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum DrainReason {
    /// The node is going into maintenance.
    NodeMaintenance,
    /// The node stopped heartbeating or reports unhealthy.
    NodeUnhealthy,
    /// Rebalancing load across nodes.
    Rebalance,
    /// An operator asked for it.
    OperatorRequest,
}

/// Labels `{reason}` of a drain.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Drain {
    /// Why the instance was drained.
    pub reason: DrainReason,
}

/// Why the scheduler stopped an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum StopReason {
    /// The process type was scaled down.
    ScaleDown,
    /// A new release replaced it.
    DeployReplaced,
    /// Its app was deleted.
    AppDeleted,
    /// Its node was drained.
    NodeDrained,
    /// It failed its health checks.
    HealthcheckFailed,
    /// An operator asked for it.
    OperatorRequest,
}

/// Labels `{reason}` of a stop.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Stop {
    /// Why the instance was stopped.
    pub reason: StopReason,
}

/// Why an instance could not be placed (the spec's bounded list).
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum UnschedulableReason {
    /// No node has enough free memory.
    NoCapacityMemory,
    /// No node is active.
    NoNodesActive,
    /// No node holds the instance's volume.
    VolumeLocalityNoNode,
    /// The overlay address pool is exhausted.
    IpamExhausted,
    /// A secret the instance needs does not exist.
    SecretsMissing,
    /// The org is at its quota.
    OrgQuotaExceeded,
}

/// Labels `{reason}` of an unschedulable instance.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Unschedulable {
    /// Why it could not be placed.
    pub reason: UnschedulableReason,
}

/// The outcome of a rollout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum RolloutResult {
    /// Every instance of the new release is ready.
    Ok,
    /// The rollout stopped short.
    Failed,
    /// The rollout failed and the previous release was restored.
    RolledBack,
}

/// Labels `{result}` of a rollout.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Rollout {
    /// How the rollout ended.
    pub result: RolloutResult,
}

/// Why a rollout failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum RolloutFailureReason {
    /// New instances failed their health checks.
    HealthcheckFailed,
    /// New instances did not become ready in time.
    BootTimeout,
    /// The release's image could not be pulled.
    ImagePullFailed,
    /// New instances could not be placed.
    Unschedulable,
    /// A newer deploy superseded it.
    Superseded,
}

/// Labels `{reason}` of a failed rollout.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct RolloutFailure {
    /// Why the rollout failed.
    pub reason: RolloutFailureReason,
}

/// The scheduler.
#[derive(Metrics)]
#[metrics(subsystem = "scheduler")]
pub struct Scheduler {
    /// Full reconcile passes over every process group.
    pub reconcile_runs_total: Counter,
    /// Time of one full reconcile pass.
    #[metric(buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])]
    #[alert(
        name = "TrcSchedulerReconcileSlow",
        quantile = 0.99,
        above = 2.5,
        for = "10m",
        severity = "warning",
        summary = "The slowest reconcile passes take more than 2.5 s",
        runbook = "A full pass over every process group should take well under a second. Slow passes delay every \
                   placement: check the number of process groups, the event store's append latency and the \
                   group reconcile latency by result to find where the time goes."
    )]
    pub reconcile_duration_seconds: Histogram,
    /// Reconciles of one process group, by result.
    #[alert(
        name = "TrcSchedulerReconcileErrorsHigh",
        error_ratio = 0.1,
        for = "10m",
        severity = "warning",
        summary = "More than 10 % of process group reconciles fail",
        runbook = "Reconciles retry, so a steady share of failures means a group the scheduler cannot converge. \
                   Find the failing groups in the scheduler's logs; a failed event append or an unschedulable \
                   instance is the usual cause."
    )]
    pub group_reconciles_total: Family<ByResult, Counter>,
    /// Time to reconcile one process group, by result.
    #[metric(buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0])]
    pub group_reconcile_duration_seconds: Family<ByResult, Histogram>,
    /// Instance placement attempts, by result.
    #[alert(
        name = "TrcSchedulerAllocationErrorsHigh",
        error_ratio = 0.05,
        errors = [AllocationResult::Error],
        window = "10m",
        for = "15m",
        severity = "critical",
        summary = "More than 5 % of instance placements fail for a reason other than capacity",
        runbook = "Placements that fail with `error` (not `unschedulable`: that is capacity, counted by reason in \
                   `trc_scheduler_unschedulable_total`) mean the scheduler cannot record its decisions. Check \
                   the event store's append errors first."
    )]
    pub instance_allocations_total: Family<Allocation, Counter>,
    /// Instances drained off their node, by reason.
    pub instance_drains_total: Family<Drain, Counter>,
    /// Instances stopped, by reason.
    pub instance_stops_total: Family<Stop, Counter>,
    /// Instances that could not be placed, by reason.
    pub unschedulable_total: Family<Unschedulable, Counter>,
    /// Time from a deploy's start to its rollout's end, by result.
    #[metric(buckets = [5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0])]
    pub rollout_seconds: Family<Rollout, Histogram>,
    /// Rollouts that failed, by reason.
    pub rollout_failures_total: Family<RolloutFailure, Counter>,
}
