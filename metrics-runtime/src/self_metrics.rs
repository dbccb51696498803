//! The runtime's own metrics, declared like any other, under the fixed
//! `metrics_export_` prefix (this crate's policy namespace `metrics` and the
//! subsystem `export`).

use crate::{Counter, Family, LabelSet, LabelValue, Metrics};

/// Why the record path rejected a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum InvalidSample {
    /// A negative increment of a float counter.
    Negative,
    /// A NaN increment or observation.
    Nan,
    /// An infinite increment of a float counter.
    Infinite,
}

#[derive(Clone, Copy, LabelSet)]
pub(crate) struct InvalidSampleLabels {
    reason: InvalidSample,
}

/// Metrics about the metrics runtime itself.
#[derive(Metrics)]
#[metrics(subsystem = "export")]
pub(crate) struct RuntimeMetrics {
    /// Samples the record path rejected and dropped: negative, NaN or
    /// infinite float counter increments, and NaN histogram observations.
    invalid_samples_total: Family<InvalidSampleLabels, Counter>,
}

/// Counts a rejected sample. Kept out of line: it is the cold branch of the
/// record path.
#[cold]
#[inline(never)]
pub(crate) fn reject(reason: InvalidSample) {
    RuntimeMetrics::global().invalid_samples_total.with(InvalidSampleLabels { reason }).inc();
}
