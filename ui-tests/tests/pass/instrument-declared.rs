//! `#[instrument_metric]` recording into metrics a `#[derive(Metrics)]`
//! struct declares: `duration` only, `count` only, both, `labels` with a
//! field read from `self` and a `result` field, a result type of the user's
//! (`From<Outcome>`) with `classify`, `in_flight = <IntGauge>`, and unlabeled
//! targets.

use metricate::instrument::Outcome;
use metricate::{Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics, instrument_metric};

#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Kind {
    Apps,
    Routes,
}

#[derive(Clone, Copy, LabelSet)]
struct ByKind {
    kind: Kind,
}

#[derive(Clone, Copy, LabelSet)]
struct ByKindAndOutcome {
    kind: Kind,
    result: Outcome,
}

/// A result label of the user's, with a value `Outcome` lacks.
#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Commit {
    Ok,
    Conflict,
    Error,
}

impl From<Outcome> for Commit {
    fn from(outcome: Outcome) -> Commit {
        match outcome {
            Outcome::Ok => Commit::Ok,
            Outcome::Error | Outcome::Panic | Outcome::Cancelled => Commit::Error,
        }
    }
}

#[derive(Clone, Copy, LabelSet)]
struct ByCommit {
    result: Commit,
}

/// The declared metrics.
#[derive(Metrics)]
#[metrics(subsystem = "ui_declared")]
struct Declared {
    /// Time to reconcile.
    reconcile_duration_seconds: Histogram,
    /// Pings sent.
    pings_total: Counter,
    /// Syncs run.
    syncs_total: Counter,
    /// Time to sync.
    sync_duration_seconds: Histogram,
    /// Time to apply, by kind.
    apply_duration_seconds: Family<ByKind, Histogram>,
    /// Loads, by kind and result.
    loads_total: Family<ByKindAndOutcome, Counter>,
    /// Time to load, by kind and result.
    load_duration_seconds: Family<ByKindAndOutcome, Histogram>,
    /// Commits, by result.
    commits_total: Family<ByCommit, Counter>,
    /// Boots in progress.
    boots_in_flight: IntGauge,
    /// Boots.
    boots_total: Counter,
}

/// Duration only, unlabeled.
#[instrument_metric(duration = Declared::global().reconcile_duration_seconds)]
fn reconcile() {}

/// Count only, unlabeled.
#[instrument_metric(count = Declared::global().pings_total)]
fn ping() -> bool {
    true
}

/// Both, unlabeled.
#[instrument_metric(
    duration = Declared::global().sync_duration_seconds,
    count = Declared::global().syncs_total,
)]
fn sync() -> Result<(), ()> {
    Err(())
}

struct Projector {
    kind: Kind,
}

impl Projector {
    /// Labeled by a field of `self`, read when the call starts.
    #[instrument_metric(
        duration = Declared::global().apply_duration_seconds,
        labels = ByKind { kind: self.kind },
    )]
    fn apply(self, event: u32) -> u32 {
        // `self` is moved here.
        let Projector { kind } = self;
        event + kind as u32
    }

    /// Labeled by `self.kind` and how the call ended.
    #[instrument_metric(
        duration = Declared::global().load_duration_seconds,
        count = Declared::global().loads_total,
        labels = ByKindAndOutcome { kind: self.kind, result },
    )]
    fn load(&mut self, fail: bool) -> Result<&mut Kind, String> {
        if fail { Err("failed".to_owned()) } else { Ok(&mut self.kind) }
    }
}

fn commit_result(result: &Result<(), String>) -> Commit {
    match result {
        Ok(()) => Commit::Ok,
        Err(e) if e == "conflict" => Commit::Conflict,
        Err(_) => Commit::Error,
    }
}

/// A user result type, decided by `classify`.
#[instrument_metric(
    count = Declared::global().commits_total,
    labels = ByCommit { result },
    classify = commit_result,
)]
fn commit(outcome: &str) -> Result<(), String> {
    if outcome == "ok" { Ok(()) } else { Err(outcome.to_owned()) }
}

/// Counts boots in progress.
#[instrument_metric(count = Declared::global().boots_total, in_flight = Declared::global().boots_in_flight)]
fn boot() -> i64 {
    Declared::global().boots_in_flight.get()
}

fn main() {
    reconcile();
    ping();
    let _ = sync();

    Projector { kind: Kind::Routes }.apply(10);
    let mut projector = Projector { kind: Kind::Apps };
    if let Ok(kind) = projector.load(false) {
        *kind = Kind::Routes;
    }
    let _ = projector.load(true);

    for outcome in ["ok", "conflict", "disk full"] {
        let _ = commit(outcome);
    }

    boot();
}
