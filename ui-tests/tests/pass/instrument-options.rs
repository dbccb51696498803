//! The options of the metrics `#[instrument_metric]` declares: `name`,
//! `subsystem`, `help`, `buckets`, `in_flight`, `reason` (an error enum that
//! is its own reason, and an error mapped by `ErrorReason`), and `classify`.

use metricate::instrument::{ErrorReason, Outcome};
use metricate::{LabelValue, OwnedValue, SeriesSnapshot, instrument_metric};

fn series(name: &str, labels: &[(&str, &str)]) -> Option<SeriesSnapshot> {
    metricate::global().expect("the global registry builds").series(name, labels)
}

fn value(name: &str, labels: &[(&str, &str)]) -> f64 {
    series(name, labels).map_or(0.0, |s| s.value().as_f64())
}

/// `name` replaces the function's name.
#[instrument_metric(subsystem = "ui", name = "renamed")]
fn original() {}

/// No subsystem: `trc_<function>_total`.
#[instrument_metric]
fn bare() {}

#[instrument_metric(subsystem = "ui", help = "Help from the attribute.")]
fn helped() {}

/// Custom bounds.
#[instrument_metric(subsystem = "ui", buckets = [0.5, 1.0, 2.0])]
fn bucketed() {}

/// Counts calls in progress.
#[instrument_metric(subsystem = "ui", in_flight)]
fn flying() -> i64 {
    // Read the gauge while this call is in progress.
    value("trc_ui_flying_in_flight", &[]) as i64
}

/// Why a write failed: the error is its own reason.
#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum WriteError {
    Conflict,
    Unavailable,
}

/// Writes unless told to fail.
#[instrument_metric(subsystem = "ui", reason = WriteError)]
fn write(fail: Option<WriteError>) -> Result<(), WriteError> {
    fail.map_or(Ok(()), Err)
}

/// An error with data, mapped to a bounded kind.
#[derive(Debug)]
enum DataError {
    Missing(String),
    Corrupt { offset: u64 },
}

#[derive(Clone, Copy, LabelValue)]
enum DataErrorKind {
    Missing,
    Corrupt,
}

impl ErrorReason<DataErrorKind> for DataError {
    fn reason(&self) -> DataErrorKind {
        match self {
            DataError::Missing(_) => DataErrorKind::Missing,
            DataError::Corrupt { .. } => DataErrorKind::Corrupt,
        }
    }
}

/// Loads a record.
#[instrument_metric(subsystem = "ui", reason = DataErrorKind)]
fn load(key: &str) -> Result<u8, DataError> {
    match key {
        "good" => Ok(1),
        "bad" => Err(DataError::Corrupt { offset: 12 }),
        other => Err(DataError::Missing(other.to_owned())),
    }
}

/// 5xx is an error.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn server_error(status: &u16) -> Outcome {
    if *status >= 500 { Outcome::Error } else { Outcome::Ok }
}

mod classifiers {
    /// Negative is an error.
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub fn negative(value: &i32) -> metricate::instrument::Outcome {
        if *value < 0 { metricate::instrument::Outcome::Error } else { metricate::instrument::Outcome::Ok }
    }
}

/// Answers with a status.
#[instrument_metric(subsystem = "ui", classify = server_error)]
fn respond(status: u16) -> u16 {
    status
}

/// Classified through a path.
#[instrument_metric(subsystem = "ui", classify = classifiers::negative)]
fn signed(x: i32) -> i32 {
    x
}

/// Every option at once.
#[instrument_metric(
    subsystem = "ui",
    name = "everything",
    help = "All the options.",
    buckets = [0.1, 1.0],
    in_flight,
    reason = WriteError,
)]
fn all_options(fail: bool) -> Result<(), WriteError> {
    if fail { Err(WriteError::Unavailable) } else { Ok(()) }
}

fn main() {
    let registry = metricate::global().expect("the global registry builds");

    original();
    assert_eq!(value("trc_ui_renamed_total", &[("result", "ok")]), 1.0);
    assert!(registry.get("trc_ui_original_total").is_none());

    bare();
    assert_eq!(value("trc_bare_total", &[("result", "ok")]), 1.0);

    helped();
    let help = registry.get("trc_ui_helped_total").unwrap().descriptor.help;
    assert_eq!(help, "Calls of `helped`, by result. Help from the attribute.");

    bucketed();
    match series("trc_ui_bucketed_duration_seconds", &[("result", "ok")]).map(|s| s.value().clone()) {
        Some(OwnedValue::Histogram { count, buckets, .. }) => {
            assert_eq!(count, 1);
            assert_eq!(buckets.len(), 4, "three bounds and +Inf: {buckets:?}");
        }
        other => panic!("not a histogram: {other:?}"),
    }

    assert_eq!(flying(), 1);
    assert_eq!(value("trc_ui_flying_in_flight", &[]), 0.0);

    write(None).unwrap();
    write(Some(WriteError::Conflict)).unwrap_err();
    write(Some(WriteError::Conflict)).unwrap_err();
    write(Some(WriteError::Unavailable)).unwrap_err();
    assert_eq!(value("trc_ui_write_total", &[("result", "error")]), 3.0);
    assert_eq!(value("trc_ui_write_errors_total", &[("reason", "conflict")]), 2.0);
    assert_eq!(value("trc_ui_write_errors_total", &[("reason", "unavailable")]), 1.0);

    assert_eq!(load("good").unwrap(), 1);
    assert!(matches!(load("bad"), Err(DataError::Corrupt { offset: 12 })));
    assert!(matches!(load("x"), Err(DataError::Missing(ref k)) if k == "x"));
    assert_eq!(value("trc_ui_load_errors_total", &[("reason", "missing")]), 1.0);
    assert_eq!(value("trc_ui_load_errors_total", &[("reason", "corrupt")]), 1.0);

    for status in [200, 404, 500, 503] {
        assert_eq!(respond(status), status);
    }
    assert_eq!(value("trc_ui_respond_total", &[("result", "ok")]), 2.0);
    assert_eq!(value("trc_ui_respond_total", &[("result", "error")]), 2.0);

    assert_eq!(signed(-1), -1);
    assert_eq!(value("trc_ui_signed_total", &[("result", "error")]), 1.0);

    all_options(false).unwrap();
    all_options(true).unwrap_err();
    assert_eq!(value("trc_ui_everything_total", &[("result", "ok")]), 1.0);
    assert_eq!(value("trc_ui_everything_errors_total", &[("reason", "unavailable")]), 1.0);
    assert_eq!(value("trc_ui_everything_in_flight", &[]), 0.0);
}
