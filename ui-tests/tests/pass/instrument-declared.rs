//! `#[instrument_metric]` recording into metrics a `#[derive(Metrics)]`
//! struct declares: `duration` only, `count` only, both, `labels` with a
//! field read from `self` and a `result` field, a result type of the user's
//! (`From<Outcome>`) with `classify`, `in_flight = <IntGauge>`, and unlabeled
//! targets.

use metricate::instrument::Outcome;
use metricate::{
    Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics, OwnedValue, SeriesSnapshot, instrument_metric,
};

fn series(name: &str, labels: &[(&str, &str)]) -> Option<SeriesSnapshot> {
    metricate::global().expect("the global registry builds").series(name, labels)
}

fn value(name: &str, labels: &[(&str, &str)]) -> f64 {
    series(name, labels).map_or(0.0, |s| s.value().as_f64())
}

fn observations(name: &str, labels: &[(&str, &str)]) -> u64 {
    match series(name, labels).map(|s| s.value().clone()) {
        Some(OwnedValue::Histogram { count, .. }) => count,
        other => panic!("{name}{labels:?} is not a histogram: {other:?}"),
    }
}

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
fn boot() -> f64 {
    value("trc_ui_declared_boots_in_flight", &[])
}

fn main() {
    reconcile();
    assert_eq!(observations("trc_ui_declared_reconcile_duration_seconds", &[]), 1);

    assert!(ping());
    assert!(ping());
    assert_eq!(value("trc_ui_declared_pings_total", &[]), 2.0);

    sync().unwrap_err();
    assert_eq!(value("trc_ui_declared_syncs_total", &[]), 1.0);
    assert_eq!(observations("trc_ui_declared_sync_duration_seconds", &[]), 1);

    assert_eq!(Projector { kind: Kind::Routes }.apply(10), 11);
    assert_eq!(observations("trc_ui_declared_apply_duration_seconds", &[("kind", "routes")]), 1);
    assert_eq!(observations("trc_ui_declared_apply_duration_seconds", &[("kind", "apps")]), 0);

    let mut projector = Projector { kind: Kind::Apps };
    *projector.load(false).unwrap() = Kind::Routes;
    projector.load(true).unwrap_err();
    let loads = "trc_ui_declared_loads_total";
    assert_eq!(value(loads, &[("kind", "apps"), ("result", "ok")]), 1.0);
    assert_eq!(value(loads, &[("kind", "routes"), ("result", "error")]), 1.0);
    assert_eq!(observations("trc_ui_declared_load_duration_seconds", &[("kind", "apps"), ("result", "ok")]), 1);

    commit("ok").unwrap();
    commit("conflict").unwrap_err();
    commit("conflict").unwrap_err();
    commit("disk full").unwrap_err();
    let commits = "trc_ui_declared_commits_total";
    assert_eq!(value(commits, &[("result", "ok")]), 1.0);
    assert_eq!(value(commits, &[("result", "conflict")]), 2.0);
    assert_eq!(value(commits, &[("result", "error")]), 1.0);

    assert_eq!(boot(), 1.0);
    assert_eq!(value("trc_ui_declared_boots_in_flight", &[]), 0.0);
    assert_eq!(value("trc_ui_declared_boots_total", &[]), 1.0);
}
