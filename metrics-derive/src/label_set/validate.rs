//! What `#[derive(LabelSet)]` checks: a struct with named fields and no
//! generic parameters, and its labels (L1 to L5, through
//! `metricate_spec::rules`).

use super::attr::LABEL;
use super::label_name;
use crate::ctxt::Ctxt;
use crate::item;

/// The fields of a struct with named fields, none with a `#[label]`
/// attribute, and no generic parameters; errors otherwise.
pub(super) fn fields<'a>(cx: &Ctxt, input: &'a syn::DeriveInput) -> Vec<&'a syn::Field> {
    let says = item::OnlyNamedFields {
        unnamed: "`LabelSet` needs named fields: the field names are the label names\n= help: write `struct Name { label: Value, .. }`",
        on_enum: "`LabelSet` is derived on structs of label values\n= help: for an enum of label values, derive `LabelValue`, and use it as a field of a `LabelSet` struct",
        on_union: "`LabelSet` is derived on structs of label values\n= help: write `struct Name { label: Value, .. }`",
    };
    let fields: Vec<&syn::Field> =
        item::named_fields(cx, input, &says).map(|named| named.named.iter().collect()).unwrap_or_default();
    item::not_generic(
        cx,
        input,
        "a label set cannot be generic: its labels are fixed at compile time\n= help: remove the generic parameters",
    );
    for field in &fields {
        for a in field.attrs.iter().filter(|a| a.path().is_ident(LABEL)) {
            cx.error_spanned_by(
                a,
                "`LabelSet` fields take no `#[label]` attribute: the label name is the field name\n= help: remove the attribute, and rename the field to rename the label",
            );
        }
    }
    fields
}

/// L1–L3 at each label's field name, L4 at each unbounded field type, L5 at
/// the first label past the limit.
pub(super) fn labels(
    cx: &Ctxt,
    ident: &syn::Ident,
    fields: &[&syn::Field],
    types: &[String],
    policy: &metricate_spec::Policy,
) {
    for (i, (field, ty)) in fields.iter().zip(types).enumerate() {
        let Some(member) = &field.ident else { continue };
        let name = label_name(field);
        for violation in metricate_spec::rules::check_label_name(&name, policy) {
            cx.error_at(member.span(), violation);
        }
        if let Some(violation) = metricate_spec::rules::check_l4(&name, &crate::emit::tidy(ty)) {
            cx.error_spanned_by(&field.ty, violation);
        }
        if i == policy.max_labels
            && let Some(violation) = metricate_spec::rules::check_l5_label_set(&ident.to_string(), fields.len(), policy)
        {
            cx.error_at(member.span(), violation);
        }
    }
}
