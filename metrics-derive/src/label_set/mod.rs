//! `#[derive(LabelSet)]`: a struct of label values becomes a set of labels
//! whose names are the field names.
//!
//! The stages, one file each: [`attr`] reads `#[label(..)]` on the struct,
//! [`validate`] checks the item and its labels (L1 to L5), and [`expand`]
//! writes the impl.

mod attr;
mod expand;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;
use crate::private::Private;

pub(crate) fn expand(input: &syn::DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let container = attr::container(&cx, input);
    let private = Private(container.krate);
    let policy = crate::policy::load(&cx);
    let fields = validate::fields(&cx, input);
    // Each field's type as source text, once: for L4 and the rustdoc.
    let types: Vec<String> = fields.iter().map(|f| crate::emit::source(&f.ty)).collect();
    validate::labels(&cx, &input.ident, &fields, &types, &policy);

    let tracking = cx.take_tracking();
    let errors = cx.check().err();
    // An invalid set expands to a stub without the per-field bounds, so that
    // a type the macro already rejected is not reported a second time.
    let body = if errors.is_some() {
        expand::stub(input, &private)
    } else {
        expand::impl_label_set(&input.ident, &fields, &types, container.quiet, &private)
    };
    let errors = errors.map(|e| e.to_compile_error());
    quote! {
        #errors
        #tracking
        #body
    }
}

/// The label a field stands for: its name, without `r#`.
fn label_name(field: &syn::Field) -> String {
    let ident = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
    ident.strip_prefix("r#").map(str::to_owned).unwrap_or(ident)
}
