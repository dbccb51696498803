//! Not public API. Used by generated code.
//!
//! /!\ WARNING: nothing here is a stable API! /!\
//! The derive macros reach the runtime only through this module, so that user
//! crates never name `inventory` or `catalog` themselves.

pub use inventory;
pub use metricate_catalog::{Deprecation, Descriptor, Label, MetricKind, Source, SummarySpec, alert};

/// The body of `Struct::global()`: the `static`, or the scope's instance
/// with the feature `test-scope`.
pub use crate::__metricate_global as global_instance;
pub use crate::instrument::{
    ByOutcome, BySyncOutcome, CallGuard, ClassifyByTrait, ClassifyOther, CountMetric, DurationMetric, HasError,
    Instrumented, IntoReason, Outcome, Probe, SyncOutcome, call_once, reason_index,
};
pub use crate::label::{LabelSet, LabelValue};
pub use crate::metric::{
    Collect, MetricField, MetricGroup, RUSTC_VERSION, ReadScratch, TARGET, plain_label_value, static_cells,
};
pub use crate::registry::Entry;
pub use crate::{Counter, Family, Histogram, IntGauge, StateSet};
/// The product of label cardinalities, saturating instead of overflowing (a
/// saturated product is far beyond any series limit, which rejects it): the
/// same count rule L6 checks.
pub use metricate_catalog::rules::series_count as cardinality_product;
pub use metricate_derive::{LabelSet, Metrics, check_constant_label_names};

/// An identifier's name without the `r#` of a raw identifier, as
/// `constant_labels!` names a label `r#type` (`type`).
pub const fn unraw(ident: &str) -> &str {
    match ident.as_bytes() {
        [b'r', b'#', ..] => ident.split_at(2).1,
        _ => ident,
    }
}

/// L6 at const evaluation: when `series > limit`, panics with the rule's
/// message (`before`, the series count, `after`: the derive splits
/// `metricate_catalog::rules::check_l6`'s text where the count goes).
pub const fn check_series(series: usize, limit: usize, before: &str, after: &str) {
    if series <= limit {
        return;
    }
    let mut buf = [0u8; 2048];
    let mut len = push(&mut buf, 0, before.as_bytes());
    if series == usize::MAX {
        len = push(&mut buf, len, b"more than `usize::MAX`");
    } else {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = series;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        len = push(&mut buf, len, digits.split_at(at).1);
    }
    len = push(&mut buf, len, after.as_bytes());
    let text = buf.split_at(len).0;
    // A message cut at the buffer's end may end inside a character.
    let text = match core::str::from_utf8(text) {
        Ok(text) => text,
        Err(error) => match core::str::from_utf8(text.split_at(error.valid_up_to()).0) {
            Ok(text) => text,
            Err(_) => "L6: a metric has more series than its limit",
        },
    };
    panic!("{}", text);
}

/// Appends as much of `bytes` as fits; returns the new length.
const fn push(buf: &mut [u8], mut len: usize, bytes: &[u8]) -> usize {
    let mut i = 0;
    while i < bytes.len() && len < buf.len() {
        buf[len] = bytes[i];
        len += 1;
        i += 1;
    }
    len
}
