//! The item a derive is written on: the kind of item it takes, and no
//! generic parameters. Each derive says in its own words what it takes; this
//! is where the error goes (the `struct`, `enum` or `union` keyword, the name
//! of a struct without named fields, the generic parameters).

use crate::ctxt::Ctxt;

/// What a derive on structs with named fields says of any other item.
pub(crate) struct OnlyNamedFields<'m> {
    /// Of a tuple or unit struct, at its name.
    pub(crate) unnamed: &'m str,
    /// Of an enum, at `enum`.
    pub(crate) on_enum: &'m str,
    /// Of a union, at `union`.
    pub(crate) on_union: &'m str,
}

/// The fields of a struct with named fields; for any other item, `None`
/// after reporting what the derive says of it.
pub(crate) fn named_fields<'a>(
    cx: &Ctxt,
    input: &'a syn::DeriveInput,
    says: &OnlyNamedFields<'_>,
) -> Option<&'a syn::FieldsNamed> {
    match &input.data {
        syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Named(named), .. }) => Some(named),
        syn::Data::Struct(_) => {
            cx.error_spanned_by(&input.ident, says.unnamed);
            None
        }
        syn::Data::Enum(data) => {
            cx.error_spanned_by(data.enum_token, says.on_enum);
            None
        }
        syn::Data::Union(data) => {
            cx.error_spanned_by(data.union_token, says.on_union);
            None
        }
    }
}

/// The variants of an enum; for a struct or a union, `None` after reporting
/// what the derive says of it, at `struct` or `union`.
pub(crate) fn enum_data<'a>(
    cx: &Ctxt,
    input: &'a syn::DeriveInput,
    on_struct: &str,
    on_union: &str,
) -> Option<&'a syn::DataEnum> {
    match &input.data {
        syn::Data::Enum(data) => Some(data),
        syn::Data::Struct(data) => {
            cx.error_spanned_by(data.struct_token, on_struct);
            None
        }
        syn::Data::Union(data) => {
            cx.error_spanned_by(data.union_token, on_union);
            None
        }
    }
}

/// Whether the item has no generic parameters; if it has, `message` at them.
pub(crate) fn not_generic(cx: &Ctxt, input: &syn::DeriveInput, message: &str) -> bool {
    if input.generics.params.is_empty() {
        return true;
    }
    cx.error_spanned_by(&input.generics, message);
    false
}
