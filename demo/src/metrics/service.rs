//! Beyond the spec: the demo service itself, its build and the simulated
//! workload that drives the catalogue (how long its steps take, how many of
//! its threads run).
//!
//! These are not in the seed spec; `tests/tests/seed_catalogue.rs` lists
//! each in its allow-list, with why.

use metricate::{BuildInfo, CallbackGauge, Family, LabelSet, LabelValue, Metrics, Summary};

/// The build of the demo binary (`trc_build_info`).
#[derive(Metrics)]
pub struct Service {
    /// The build of the demo: its version, the compiler, the target and the git revision (unknown when built
    /// outside git). Always 1.
    pub build_info: BuildInfo,
}

/// A simulated component of the workload, one thread each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Component {
    /// The control plane API, commands and the event log (`demo-api`).
    Api,
    /// The projection workers and the scheduler (`demo-control`).
    Control,
    /// A node agent (`demo-agent`).
    Agent,
    /// An edge node (`demo-edge`).
    Edge,
}

/// Labels `{component}` of a workload step.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct ByComponent {
    /// The component the step simulated.
    pub component: Component,
}

/// The simulated workload.
#[derive(Metrics)]
#[metrics(subsystem = "workload")]
pub struct Workload {
    /// Time one step of the simulated workload took (real time, not simulated), by component: quantiles over the
    /// last minute.
    #[metric(quantiles = [0.5, 0.9, 0.99], max_age = "1m", age_buckets = 6)]
    pub step_seconds: Family<ByComponent, Summary>,
    /// Workload threads running now, across every running demo of the process (read when scraped).
    pub threads: CallbackGauge,
}
