//! Not public API. Used by generated code.
//!
//! /!\ WARNING: nothing here is a stable API! /!\
//! The derive macros reach the runtime only through this module, so that user
//! crates never name `inventory` or `catalog` themselves.

pub use inventory;
pub use metricate_spec::{Deprecation, Descriptor, Label, MetricKind, Source, SummarySpec, alert};

pub use crate::instrument::{
    ByOutcome, BySyncOutcome, CallGuard, ClassifyByTrait, ClassifyOther, CountMetric, DurationMetric, HasError,
    Instrumented, Outcome, Probe, ReasonByMapping, ReasonIsError, ReasonProbe, SyncOutcome, call_once, reason_index,
};
pub use crate::label::{LabelSet, LabelValue};
pub use crate::metric::{
    Collect, MetricField, MetricGroup, RUSTC_VERSION, ReadScratch, SeriesCells, StaticCell, TARGET, plain_label_value,
};
pub use crate::registry::Entry;
/// The body of `Struct::global()`: the `static`, or the scope's instance
/// with the feature `test-scope`.
pub use crate::testing::__global as global_instance;
pub use crate::{Counter, Family, Histogram, IntGauge, StateSet};
pub use metricate_derive::{LabelSet, Metrics, check_constant_label_names};
/// The product of label cardinalities, saturating instead of overflowing (a
/// saturated product is far beyond any series limit, which rejects it): the
/// same count rule L6 checks.
pub use metricate_spec::rules::series_count as cardinality_product;

/// An identifier's name without the `r#` of a raw identifier, as
/// `constant_labels!` names a label `r#type` (`type`).
pub const fn unraw(ident: &str) -> &str {
    match ident.as_bytes() {
        [b'r', b'#', ..] => ident.split_at(2).1,
        _ => ident,
    }
}

/// L6 at const evaluation: when `series > limit`, panics with the rule's
/// message ([`metricate_spec::rules::l6_text`], the text of
/// `metricate_spec::rules::check_l6`) for metric `name`.
pub const fn check_series(series: usize, limit: usize, name: &str) {
    if series <= limit {
        return;
    }
    let mut buf = [0u8; 2048];
    let len = metricate_spec::rules::l6_text(&mut buf, name, series, limit);
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

/// What `MetricGroup::for_each_metric` calls with each metric.
pub type Visit<'f, 'a> = &'f mut dyn FnMut(&'static Descriptor, &'a dyn Collect);

/// The `static` cells of a field of type `M`: `N` of them (as many as
/// [`cells`] counts), each at its initial value.
pub struct Cells<M: MetricField, const N: usize>(pub [M::Cell; N]);

impl<M: MetricField, const N: usize> Cells<M, N> {
    /// Every cell at its initial value.
    pub const NEW: Self = Cells([const { <M::Cell as StaticCell>::INIT }; N]);
}

/// How many series a field of type `M` has.
pub const fn series<M: MetricField>() -> usize {
    M::CARDINALITY
}

/// How many cells the `static` of a field of type `M` with `bounds` bucket
/// bounds holds.
pub const fn cells<M: MetricField>(bounds: usize) -> usize {
    M::CELLS.of(M::CARDINALITY, bounds)
}

/// What the descriptors of a struct's fields share: its subsystem and where
/// it is declared; every other part at its default (`version` 1.0.0).
pub const fn base(
    subsystem: &'static str,
    file: &'static str,
    module_path: &'static str,
    function: Option<&'static str>,
) -> Descriptor {
    let source = Source { file, line: 0, column: 0, module_path, function };
    Descriptor { subsystem, ..Descriptor::new("", "", MetricKind::Gauge, source) }
}

/// The descriptor of field `name` (declared at `line`, `column`) of type
/// `M`: `base` with the name, help text and position, and what `M` says
/// (kind, labels, quiet, exemplars). The derive writes the declaration's
/// other parts over it.
pub const fn descriptor<M: MetricField>(
    base: &Descriptor,
    name: &'static str,
    help: &'static str,
    line: u32,
    column: u32,
) -> Descriptor {
    Descriptor {
        name,
        help,
        kind: M::KIND,
        labels: M::LABELS,
        quiet: M::QUIET,
        exemplars: M::EXEMPLARS,
        source: Source { line, column, ..base.source },
        ..*base
    }
}
