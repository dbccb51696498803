//! C) + D): projection workers and the scheduler (thread `demo-control`).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use metricate::instrument_metric;

use crate::metrics::ByResult;
use crate::metrics::api::QueryClass;
use crate::metrics::projections::{ByProjection, Projection, Projections};
use crate::metrics::scheduler::{
    Allocation, AllocationResult, Drain, DrainReason, Rollout, RolloutFailure, RolloutFailureReason, RolloutResult,
    Scheduler, Stop, StopReason, Unschedulable, UnschedulableReason,
};

use super::api::ApiSim;
use super::{Rng, Sim, weights};

/// Ticks between two scheduler reconcile passes.
const RECONCILE_EVERY: u64 = 20;

weights! {
    UNSCHEDULABLE: UnschedulableReason = [
        NoCapacityMemory: 40, NoNodesActive: 3, VolumeLocalityNoNode: 20,
        IpamExhausted: 5, SecretsMissing: 15, OrgQuotaExceeded: 17,
    ];
    DRAINS: DrainReason = [NodeMaintenance: 50, NodeUnhealthy: 20, Rebalance: 25, OperatorRequest: 5];
    STOPS: StopReason = [
        ScaleDown: 30, DeployReplaced: 45, AppDeleted: 5, NodeDrained: 8, HealthcheckFailed: 10, OperatorRequest: 2,
    ];
    ROLLOUTS: RolloutResult = [Ok: 87, Failed: 8, RolledBack: 5];
    ROLLOUT_FAILURES: RolloutFailureReason = [
        HealthcheckFailed: 35, BootTimeout: 20, ImagePullFailed: 15, Unschedulable: 15, Superseded: 15,
    ];
}

/// Projection workers and the scheduler's reconcile loop.
pub(super) struct ControlSim {
    head: Arc<AtomicI64>,
    applied: [i64; Projection::ALL.len()],
    /// Sequence numbers of process groups, allocations and rollouts.
    groups: u64,
    allocations: u64,
    rollouts: u64,
    /// What the projections compute from the events they apply.
    checksum: u64,
}

impl ControlSim {
    pub(super) fn new(rng: &mut Rng, head: Arc<AtomicI64>) -> ControlSim {
        // Restarted workers: each projection a little behind.
        let start = head.load(Ordering::Relaxed);
        let applied = std::array::from_fn(|_| start - rng.between(50, 400));
        ControlSim { head, applied, groups: 0, allocations: 0, rollouts: 0, checksum: 0 }
    }

    fn project(&mut self, rng: &mut Rng, tick: u64) {
        let head = self.head.load(Ordering::Relaxed);
        let metrics = Projections::global();
        for ((i, projection), applied) in Projection::ALL.into_iter().enumerate().zip(&mut self.applied) {
            let labels = ByProjection { projection };
            if rng.rare(0.000_05, tick, 2_000, i as u64 * 250) {
                // Replay from the last checkpoint.
                metrics.rebuilds_total.with(labels).inc();
                *applied = head - rng.between(3_000, 12_000);
            }
            let median = match projection {
                Projection::Instances | Projection::OrgUsage => 0.003,
                Projection::Deploys | Projection::Routes => 0.0015,
                _ => 0.0008,
            };
            let batch = (head - *applied).clamp(0, 24);
            for event in *applied..*applied + batch {
                self.checksum = Self::apply(self.checksum, projection, event, rng.log_normal(median, 0.7));
            }
            if batch > 0 && rng.rare(0.01, tick, 400, 1) {
                // An event that failed to apply: logged and skipped after retries.
                metrics.errors_total.with(labels).inc();
            }
            *applied += batch;
            metrics.last_applied_event_id.with(labels).set(*applied);
            metrics.lag_events.with(labels).set(head - *applied);
        }
    }

    /// Applies one event to a projection: folds it into the projection's
    /// checksum. Timed into `trc_projection_apply_duration_seconds{projection}`.
    #[instrument_metric(
        duration = Projections::global().apply_duration_seconds,
        labels = ByProjection { projection },
    )]
    fn apply(checksum: u64, projection: Projection, event: i64, weight: f64) -> u64 {
        let mixed = checksum.rotate_left(5) ^ (event as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        mixed.wrapping_add(projection as u64).wrapping_add(weight.to_bits())
    }

    /// One reconcile pass over every process group. Timed into
    /// `trc_scheduler_reconcile_duration_seconds` and counted in
    /// `trc_scheduler_reconcile_runs_total`.
    #[instrument_metric(
        duration = Scheduler::global().reconcile_duration_seconds,
        count = Scheduler::global().reconcile_runs_total,
    )]
    fn reconcile(&mut self, rng: &mut Rng, run: u64) {
        let scheduler = Scheduler::global();
        ApiSim::query(rng, QueryClass::SchedulerSnapshot, 0.006);
        for _ in 0..rng.between(30, 60) {
            let n = self.groups;
            self.groups += 1;
            let mut seconds = rng.log_normal(0.0012, 0.6);
            if rng.rare(0.06, n, 64, 0) {
                for _ in 0..rng.between(1, 3) {
                    seconds += self.allocate(rng);
                }
            }
            if rng.rare(0.004, n, 200, 1) {
                scheduler.instance_drains_total.with(Drain { reason: rng.weighted(DRAINS) }).inc();
            }
            if rng.rare(0.03, n, 100, 2) {
                scheduler.instance_stops_total.with(Stop { reason: rng.weighted(STOPS) }).inc();
            }
            let ok = !rng.rare(0.004, n, 1_000, 3);
            if !ok {
                seconds += rng.log_normal(0.05, 0.8);
            }
            scheduler.group_reconciles_total.with(ByResult::from_ok(ok)).inc();
            scheduler.group_reconcile_duration_seconds.with(ByResult::from_ok(ok)).observe(seconds);
        }
        // The first pass finds the deploys that were in flight at startup.
        let rollouts = if run == 0 { ROLLOUTS.len() } else { usize::from(rng.chance(0.2)) };
        for _ in 0..rollouts {
            self.rollout(rng);
        }
    }

    /// One placement attempt; its duration.
    fn allocate(&mut self, rng: &mut Rng) -> f64 {
        let n = self.allocations;
        self.allocations += 1;
        let scheduler = Scheduler::global();
        let result = if rng.rare(0.06, n, 15, 1) {
            let reason = rng.weighted(UNSCHEDULABLE);
            scheduler.unschedulable_total.with(Unschedulable { reason }).inc();
            AllocationResult::Unschedulable
        } else if rng.rare(0.01, n, 50, 2) {
            AllocationResult::Error
        } else {
            AllocationResult::Ok
        };
        scheduler.instance_allocations_total.with(Allocation { result }).inc();
        rng.log_normal(0.002, 0.5)
    }

    fn rollout(&mut self, rng: &mut Rng) {
        let scheduler = Scheduler::global();
        let result = rng.nth_or_weighted(self.rollouts, ROLLOUTS);
        self.rollouts += 1;
        let seconds = match result {
            RolloutResult::Ok => rng.log_normal(45.0, 0.6),
            RolloutResult::Failed => rng.log_normal(180.0, 0.6),
            RolloutResult::RolledBack => rng.log_normal(260.0, 0.5),
        };
        scheduler.rollout_seconds.with(Rollout { result }).observe(seconds);
        if result != RolloutResult::Ok {
            scheduler.rollout_failures_total.with(RolloutFailure { reason: rng.weighted(ROLLOUT_FAILURES) }).inc();
        }
    }
}

impl Sim for ControlSim {
    fn step(&mut self, rng: &mut Rng, tick: u64) {
        self.project(rng, tick);
        if tick.is_multiple_of(RECONCILE_EVERY) {
            self.reconcile(rng, tick / RECONCILE_EVERY);
        }
    }
}
