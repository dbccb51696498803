//! What `#[derive(LabelValue)]` checks: an enum (`item::enum_data`) without
//! generic parameters, and its values (L7, through `metricate_spec::rules`).

use metricate_spec::rules;

use super::Variant;
use crate::ctxt::Ctxt;
use crate::item;

/// What the derive says of a struct.
pub(super) const ON_STRUCT: &str = "`LabelValue` is derived on enums\n= help: declare the values as variants of an enum; for a set of labels, derive `LabelSet` on a struct";
/// What the derive says of a union.
pub(super) const ON_UNION: &str = "`LabelValue` is derived on enums\n= help: declare the values as variants of an enum";

/// The generics and L7 on the values of an enum (whose kind
/// `item::enum_data` checked): whether the derive can write the impl.
pub(super) fn item(cx: &Ctxt, input: &syn::DeriveInput, variants: &[Variant<'_>]) -> bool {
    let not_generic = item::not_generic(
        cx,
        input,
        "a label value enum cannot be generic\n= help: remove the generic parameters: a label value is one of a fixed set of unit variants",
    );
    values(cx, &input.ident, variants);
    not_generic
}

/// L7 (`metricate_spec::rules::check_l7`) on the values, each violation pointing at
/// the offending variant (or its `rename`), or at the enum when it has none.
fn values(cx: &Ctxt, ident: &syn::Ident, variants: &[Variant<'_>]) {
    let values: Vec<&str> = variants.iter().map(|v| v.value.as_str()).collect();
    for mut violation in rules::check_l7(&ident.to_string(), &values) {
        match violation.index.and_then(|i| variants.get(i)) {
            Some(variant) => {
                violation.message = format!("{} (variant `{ident}::{}`)", violation.message, variant.ident);
                cx.error_at(variant.value_span, violation);
            }
            None => cx.error_spanned_by(ident, violation),
        }
    }
}
