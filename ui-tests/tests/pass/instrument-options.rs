//! The options of the metrics `#[instrument_metric]` declares: `name`,
//! `subsystem`, `help`, `buckets`, `in_flight`, `reason` (an error enum that
//! is its own reason, and an error mapped by `ErrorReason`), and `classify`.

use metricate::instrument::{ErrorReason, Outcome};
use metricate::{LabelValue, instrument_metric};

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
fn flying() {}

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
    original();
    bare();
    helped();
    bucketed();
    flying();

    for fail in [None, Some(WriteError::Conflict), Some(WriteError::Unavailable)] {
        let _ = write(fail);
    }

    for key in ["good", "bad", "x"] {
        let _ = load(key);
    }

    for status in [200, 503] {
        respond(status);
    }
    signed(-1);

    let _ = all_options(false);
    let _ = all_options(true);
}
