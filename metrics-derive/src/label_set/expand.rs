//! The impl `#[derive(LabelSet)]` writes: the labels, their cardinality and
//! the index of a combination.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::label_name;
use crate::private::Private;

/// The impl an invalid label set expands to besides its errors.
pub(super) fn stub(input: &syn::DeriveInput, private: &Private) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #private::LabelSet for #ident #ty_generics #where_clause {
            const CARDINALITY: usize = 1;
            const LABELS: &'static [#private::Label] = &[];
            fn index(&self) -> usize {
                0
            }
        }
    }
}

pub(super) fn impl_label_set(
    ident: &syn::Ident,
    fields: &[&syn::Field],
    types: &[String],
    quiet: bool,
    private: &Private,
) -> TokenStream {
    let names: Vec<String> = fields.iter().map(|f| label_name(f)).collect();
    let listed: Vec<String> =
        types.iter().zip(&names).map(|(ty, name)| format!("`{name}` ([`{}`])", ty.replace(' ', ""))).collect();
    let mut doc = format!(" The labels, in order: {}.", listed.join(", "));
    if quiet {
        doc.push_str(" Families over this set are quiet unless their field says `#[metric(quiet = false)]`: they expose only the label combinations recorded to.");
    }
    // Every use of a field's type as a label value is spanned at that type,
    // so that a type that is not one is reported there (rustc merges the
    // identical reports into one); the impl itself has no bounds, so code
    // that uses the label set reports nothing more.
    let values: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let ty = &f.ty;
            quote_spanned!(crate::input::type_span(ty)=> <#ty as #private::LabelValue>)
        })
        .collect();
    let members = fields.iter().map(|f| &f.ident);
    // Mixed radix, the first label most significant.
    let mut index = quote!(0);
    for (i, (value, member)) in values.iter().zip(members).enumerate() {
        index = if i == 0 {
            quote!(#value::index(&self.#member))
        } else {
            quote!((#index) * #value::CARDINALITY + #value::index(&self.#member))
        };
    }
    // `QUIET` is `false` unless the set says.
    let quiet = quiet.then(|| {
        quote!(
            const QUIET: bool = true;
        )
    });
    quote! {
        #[automatically_derived]
        impl #private::LabelSet for #ident {
            const CARDINALITY: usize = #private::cardinality_product(&[#(#values::CARDINALITY),*]);
            #[doc = #doc]
            const LABELS: &'static [#private::Label] = &[#(#values::LABEL.named(#names)),*];
            #quiet
            #[inline]
            fn index(&self) -> usize {
                #index
            }
        }
    }
}
