//! `#[derive(LabelValue)]`: an enum becomes a bounded label value, one value
//! per variant. Fields of a variant are ignored, so that an error enum with
//! data labels itself by kind (`reason = MyError` of `#[instrument_metric]`).
//!
//! The stages, one file each: [`attr`] reads `#[label(..)]` on the enum and
//! its variants, [`validate`] checks the item and its values (L7), and
//! [`expand`] writes the impl.

mod attr;
mod expand;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;
use crate::private::Private;

/// A variant and the value it stands for.
struct Variant<'a> {
    ident: &'a syn::Ident,
    value: String,
    /// The token a problem with the value points at: the `rename` literal, or
    /// the variant name.
    value_span: proc_macro2::Span,
    /// Marked `#[label(error)]`: the value means a failure.
    error: bool,
}

pub(crate) fn expand(input: &syn::DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let container = attr::container(&cx, input);
    let private = Private(container.krate);
    let data = crate::item::enum_data(&cx, input, validate::ON_STRUCT, validate::ON_UNION);
    let variants = data.map(|data| attr::variants(&cx, data, container.rename_all)).unwrap_or_default();
    let valid = data.is_some() && validate::item(&cx, input, &variants);
    let errors = cx.check().err().map(|e| e.to_compile_error());
    let body =
        if valid { expand::impl_label_value(&input.ident, &variants, &private) } else { expand::stub(input, &private) };
    quote! {
        #errors
        #body
    }
}
