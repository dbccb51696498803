//! Label values and label sets: the bounded, compile-time-known dimensions of
//! a metric family.

use metricate_spec::{Capped, Label};

mod capped;

pub use capped::{CappedTable, MAX_CAPPED_VALUE_LEN};

/// A bounded label value: a type with a fixed, compile-time set of values,
/// each mapped to a dense index.
///
/// Derive it on an enum with [`LabelValue`](derive@crate::LabelValue): one
/// value per variant (fields of a variant are ignored).
/// `Option<E>` is a label value too: `None` renders as `unknown`.
#[diagnostic::on_unimplemented(
    message = "L4: `{Self}` is not a bounded label value",
    label = "not a `LabelValue`",
    note = "a label takes its values from a closed set, so that the number of series stays bounded",
    note = "derive it on an enum, one value per variant (fields are ignored): `#[derive(LabelValue)] enum {Self} {{ .. }}`, or declare a label bounded at run time with `capped_label!`"
)]
pub trait LabelValue {
    /// The number of distinct values: by default, the number of
    /// [`LabelValue::VALUES`].
    const CARDINALITY: usize = Self::VALUES.len();
    /// The rendered values, in index order (without the `unknown` of `Option`).
    const VALUES: &'static [&'static str];
    /// [`LabelValue::VALUES`] escaped for a quoted label value: by default,
    /// `VALUES` themselves (values with no backslash, double quote or line feed).
    const ESCAPED: &'static [&'static str] = Self::VALUES;
    /// Whether index `VALUES.len()` stands for a missing value (`unknown`).
    const UNKNOWN: bool = false;
    /// For a label bounded at run time ([`capped_label!`](crate::capped_label)):
    /// its cap and its table of values.
    const CAPPED: Option<Capped> = None;
    /// The indices of the values that mean a failure (variants marked
    /// `#[label(error)]`): what error ratios and error-ratio alerts count.
    const ERRORS: &'static [usize] = &[];
    /// The names of the enum's variants, in index order: how an alert's
    /// `errors = [Outcome::Error]` finds its value at compile time.
    #[doc(hidden)]
    const IDENTIFIERS: &'static [&'static str] = &[];
    /// These values as a label without a name: what a label set's field
    /// names ([`Label::named`]).
    #[doc(hidden)]
    const LABEL: Label =
        Label::new("", Self::VALUES, Self::ESCAPED, Self::UNKNOWN, Self::CAPPED).with_errors(Self::ERRORS);

    /// The dense index of this value, in `0..CARDINALITY`.
    fn index(&self) -> usize;

    /// The rendered value.
    fn as_str(&self) -> &'static str {
        let label = Label::new("", Self::VALUES, Self::ESCAPED, Self::UNKNOWN, Self::CAPPED);
        label.value(self.index())
    }
}

impl<E: LabelValue> LabelValue for Option<E> {
    const CARDINALITY: usize = {
        assert!(!E::UNKNOWN, "a label value cannot be `Option<Option<_>>`: one `unknown` per label");
        E::CARDINALITY + 1
    };
    const VALUES: &'static [&'static str] = E::VALUES;
    const ESCAPED: &'static [&'static str] = E::ESCAPED;
    const UNKNOWN: bool = true;
    const CAPPED: Option<Capped> = E::CAPPED;
    const ERRORS: &'static [usize] = E::ERRORS;
    const IDENTIFIERS: &'static [&'static str] = E::IDENTIFIERS;

    #[inline]
    fn index(&self) -> usize {
        match self {
            Some(value) => value.index(),
            None => E::CARDINALITY,
        }
    }
}

/// A label bounded at run time, as [`capped_label!`](crate::capped_label)
/// declares: a value is built from its text, taking a slot of the label's
/// table while the cap allows and [`CappedLabel::OTHER`] beyond it. Generic
/// code (such as the HTTP layer's route label) builds values through it.
///
/// ```
/// use metricate::{CappedLabel, LabelValue, capped_label};
///
/// capped_label! {
///     /// A tenant, bounded by the plan's quota.
///     pub struct Tenant: 8;
/// }
///
/// fn label<L: CappedLabel>(text: &str) -> L {
///     L::intern(text)
/// }
///
/// let tenant: Tenant = label("acme");
/// assert_eq!(tenant.as_str(), "acme");
/// assert_eq!(<Tenant as CappedLabel>::OTHER.as_str(), "other");
/// ```
pub trait CappedLabel: LabelValue + Copy + Send + Sync + 'static {
    /// The value of the series that collects every value beyond the cap.
    const OTHER: Self;

    /// The label value for `value`: its own series while the cap allows,
    /// [`CappedLabel::OTHER`] beyond it (see [`CappedTable::intern`]).
    fn intern(value: &str) -> Self;
}

/// A set of labels: the label names are the fields of a struct whose field
/// types are [`LabelValue`]s. The series index is the mixed-radix number of
/// the field indices, first field most significant.
///
/// Derive it with [`LabelSet`](derive@crate::LabelSet). `()` is the empty set
/// of an unlabeled metric.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a label set",
    note = "the first parameter of `Family<L, M>` is a struct of label values: `#[derive(LabelSet)] struct {Self} {{ method: Method, .. }}`"
)]
pub trait LabelSet {
    /// The number of series: the product of the field cardinalities.
    const CARDINALITY: usize;
    /// The labels, in field order.
    const LABELS: &'static [Label];
    /// Whether a family over this set is quiet unless its field says
    /// otherwise (`#[metric(quiet = false)]`): it exposes only the label
    /// combinations recorded to (see [`Descriptor::quiet`](crate::Descriptor::quiet)).
    /// For sets whose declared combinations are many and mostly never
    /// happen, as the HTTP layer's; `#[label(quiet)]` on a derived set.
    const QUIET: bool = false;

    /// The dense series index of this set of values, in `0..CARDINALITY`.
    fn index(&self) -> usize;
}

impl LabelSet for () {
    const CARDINALITY: usize = 1;
    const LABELS: &'static [Label] = &[];

    #[inline]
    fn index(&self) -> usize {
        0
    }
}
