//! The platform's metric catalogue (`docs/specs/observability/metrics.md`),
//! declared as types.
//!
//! One module per component, in the order of the spec's sections:
//!
//! | module | spec section | structs |
//! |---|---|---|
//! | [`api`] | A) control plane API | [`api::Http`], [`api::Auth`], [`api::Db`], [`api::Idempotency`] |
//! | [`events`] | B) event append and command handling | [`events::EventStore`], [`events::Commands`] |
//! | [`projections`] | C) projection workers | [`projections::Projections`] |
//! | [`scheduler`] | D) scheduler | [`scheduler::Scheduler`] |
//! | [`agent`] | E) node agent | [`agent::Agent`] |
//! | [`edge`] | F) edge ingress | [`edge::Edge`] |
//! | [`service`] | beyond the spec: the demo itself | [`service::Service`], [`service::Workload`] |
//!
//! Beyond the spec's catalogue, the demo declares one metric of each type
//! the catalogue has no use for: a summary (`trc_workload_step_seconds`),
//! `trc_build_info`, a state set (`trc_agent_lifecycle`), exemplars on
//! `trc_http_request_duration_seconds` and a callback gauge
//! (`trc_workload_threads`). [`crate::start`] also sets the process's
//! constant label `service="demo"`, which every series carries.
//!
//! Every name is the workspace namespace `trc`, the struct's subsystem and
//! the field name; the help text is the field's doc comment. Every label
//! takes its values from a closed enum, so each metric's series are known at
//! compile time. No label is named after a tenant or an entity id
//! (`org_id`, `env_id`, `route_id`, `node_id`, `instance_id`).
//!
//! ```
//! use demo::metrics::api::{Http, HttpMethod, HttpRequest, HttpStatus, PathTemplate};
//!
//! let labels = HttpRequest { method: HttpMethod::Get, path_template: PathTemplate::Apps, status: HttpStatus::Ok };
//! Http::global().requests_total.with(labels).inc();
//! Http::global().request_duration_seconds.with(labels).observe(0.012);
//! // With the trace id of the request, kept as the bucket's exemplar.
//! Http::global()
//!     .request_duration_seconds
//!     .with(labels)
//!     .observe_with_exemplar(0.012, &[("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")]);
//! assert!(Http::global().requests_total.with(labels).get() >= 1);
//! ```

pub mod agent;
pub mod api;
pub mod edge;
pub mod events;
pub mod projections;
pub mod scheduler;
pub mod service;

use metricate::{LabelSet, LabelValue};

/// The generic outcome of an operation, for `result` labels whose spec leaves
/// the set open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Outcome {
    /// The operation succeeded.
    Ok,
    /// The operation failed.
    #[label(error)]
    Error,
}

/// How an instrumented call ended, in the demo's two values: a panic or a
/// cancelled call is an error.
impl From<metricate::instrument::Outcome> for Outcome {
    fn from(outcome: metricate::instrument::Outcome) -> Outcome {
        Outcome::from_ok(outcome == metricate::instrument::Outcome::Ok)
    }
}

impl Outcome {
    /// `Ok` when `ok`, `Error` otherwise.
    pub const fn from_ok(ok: bool) -> Outcome {
        if ok { Outcome::Ok } else { Outcome::Error }
    }
}

/// Labels `{result}` with the generic [`Outcome`].
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct ByResult {
    /// Whether the operation succeeded.
    pub result: Outcome,
}

impl ByResult {
    /// `{result="ok"}`.
    pub const OK: ByResult = ByResult { result: Outcome::Ok };
    /// `{result="error"}`.
    pub const ERROR: ByResult = ByResult { result: Outcome::Error };

    /// `{result="ok"}` when `ok`, `{result="error"}` otherwise.
    pub const fn from_ok(ok: bool) -> ByResult {
        ByResult { result: Outcome::from_ok(ok) }
    }
}
