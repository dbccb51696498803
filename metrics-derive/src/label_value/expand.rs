//! The impl `#[derive(LabelValue)]` writes: the values, their escaped
//! forms, which mean an error, and the index of each variant.

use proc_macro2::TokenStream;
use quote::quote_spanned;

use super::Variant;
use crate::emit;
use crate::private::Private;

/// The impl of a valid enum, written as text (see `emit`).
pub(super) fn impl_label_value(ident: &syn::Ident, variants: &[Variant<'_>], private: &Private) -> TokenStream {
    let ident = ident.to_string();
    let list = |items: &mut dyn Iterator<Item = String>| items.collect::<Vec<_>>().join(", ");
    let values = list(&mut variants.iter().map(|v| emit::string(&v.value)));
    let listed: Vec<String> = variants.iter().map(|v| format!("`{}`", v.value.replace('`', "'"))).collect();
    let doc = emit::string(&format!(" The values this label takes: {}.", listed.join(", ")));
    // `ERRORS` is empty unless the enum marks some.
    let errors: Vec<String> =
        variants.iter().enumerate().filter(|(_, v)| v.error).map(|(i, _)| i.to_string()).collect();
    let errors = if errors.is_empty() {
        String::new()
    } else {
        format!("const ERRORS: &'static [usize] = &[{}];", errors.join(", "))
    };
    let identifiers = list(&mut variants.iter().map(|v| emit::string(v.ident.to_string().trim_start_matches("r#"))));
    let escaped: Vec<String> =
        variants.iter().map(|v| metricate_spec::escape::label_value(&v.value).into_owned()).collect();
    // `ESCAPED` is `VALUES` unless a value needs escaping.
    let escaped = if variants.iter().zip(&escaped).all(|(v, e)| v.value == *e) {
        String::new()
    } else {
        format!("const ESCAPED: &'static [&'static str] = &[{}];", list(&mut escaped.iter().map(|e| emit::string(e))))
    };
    // `V { .. }` matches a unit, tuple or struct variant alike: the value is
    // the variant, whatever its fields hold.
    let arms = list(&mut variants.iter().enumerate().map(|(i, v)| format!("{ident}::{} {{ .. }} => {i}", v.ident)));
    let match_body = if variants.is_empty() { "match *self {}".to_owned() } else { format!("match self {{ {arms} }}") };
    emit::lex(&format!(
        "#[automatically_derived]
        impl {}::LabelValue for {ident} {{
            #[doc = {doc}]
            const VALUES: &'static [&'static str] = &[{values}];
            {escaped}
            {errors}
            const IDENTIFIERS: &'static [&'static str] = &[{identifiers}];
            #[inline]
            fn index(&self) -> usize {{
                {match_body}
            }}
        }}",
        private.text()
    ))
}

/// What an invalid input expands to: an impl that keeps the rest of the
/// user's code free of follow-on errors.
pub(super) fn stub(input: &syn::DeriveInput, private: &Private) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let span = ident.span();
    quote_spanned! {span=>
        #[automatically_derived]
        impl #impl_generics #private::LabelValue for #ident #ty_generics #where_clause {
            const CARDINALITY: usize = 1;
            const VALUES: &'static [&'static str] = &["invalid"];
            const ESCAPED: &'static [&'static str] = &["invalid"];
            fn index(&self) -> usize {
                0
            }
        }
    }
}
