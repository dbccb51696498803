//! B) Event append and command handling.

use metricate::{Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics};

use super::Outcome;

/// The outcome of an event append.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum AppendResult {
    /// The events were appended.
    Ok,
    /// The stream's expected version did not match (optimistic concurrency).
    Conflict,
    /// The append failed.
    Error,
}

/// How an instrumented append ended: it returns its own result; a panic or a
/// cancelled append is an error.
impl From<metricate::instrument::Outcome> for AppendResult {
    fn from(outcome: metricate::instrument::Outcome) -> AppendResult {
        match outcome {
            metricate::instrument::Outcome::Ok => AppendResult::Ok,
            _ => AppendResult::Error,
        }
    }
}

/// Labels `{result}` of an event append.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Append {
    /// How the append ended.
    pub result: AppendResult,
}

/// The event log.
#[derive(Metrics)]
pub struct EventStore {
    /// Event append transactions, by result.
    pub event_append_total: Family<Append, Counter>,
    /// Time to append a batch of events, by result.
    #[metric(buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0])]
    pub event_append_duration_seconds: Family<Append, Histogram>,
    /// Rows in the events table (approximate, from table statistics).
    pub events_table_rows: IntGauge,
    /// Size of the events table including indexes (approximate).
    pub events_table_size_bytes: IntGauge,
}

/// A command of the control plane's command handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Command {
    /// Create an app.
    CreateApp,
    /// Delete an app.
    DeleteApp,
    /// Deploy a release.
    DeployRelease,
    /// Roll back to an earlier release.
    RollbackRelease,
    /// Scale a process type.
    ScaleProcess,
    /// Set an environment's secrets.
    SetSecrets,
    /// Create a route.
    CreateRoute,
    /// Attach a volume.
    AttachVolume,
}

/// Labels `{command, result}` of a handled command.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct CommandRun {
    /// The command.
    pub command: Command,
    /// Whether it was accepted and its events appended.
    pub result: Outcome,
}

/// Command handling.
#[derive(Metrics)]
pub struct Commands {
    /// Commands handled, by command and result.
    pub commands_total: Family<CommandRun, Counter>,
    /// Time to validate a command and append its events, by command and result.
    #[metric(buckets = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])]
    pub command_duration_seconds: Family<CommandRun, Histogram>,
}
