//! The runtime's own metrics, declared like any other, under this crate's
//! policy namespace `metrics`: `metrics_export_*` for the record and export
//! path, `metrics_label_*` for capped labels.

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

/// Why a capped label's value was recorded as `other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub(crate) enum CappedOverflow {
    /// Every slot of the label was taken.
    Full,
    /// The value was empty.
    Empty,
    /// The value was `other` or `unknown`.
    Reserved,
    /// The value was longer than `MAX_CAPPED_VALUE_LEN`.
    TooLong,
}

#[derive(Clone, Copy, LabelSet)]
pub(crate) struct CappedOverflowLabels {
    reason: CappedOverflow,
}

/// Metrics about capped labels.
#[derive(Metrics)]
#[metrics(subsystem = "label")]
pub(crate) struct LabelMetrics {
    /// Values of capped labels recorded as `other`: the label was full, or
    /// the value was empty, reserved or too long.
    capped_overflow_total: Family<CappedOverflowLabels, Counter>,
}

/// Counts a value that fell to a capped label's `other` series.
#[cold]
#[inline(never)]
pub(crate) fn capped_overflow(reason: CappedOverflow) {
    LabelMetrics::global().capped_overflow_total.with(CappedOverflowLabels { reason }).inc();
}
