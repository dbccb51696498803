//! `#[derive(LabelValue)]`: an enum becomes a bounded label value, one value
//! per variant. Fields of a variant are ignored, so that an error enum with
//! data labels itself by kind (`reason = MyError` of `#[instrument_metric]`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use metricate_catalog::rules;

use crate::attr::{self, Slot};
use crate::case::RenameRule;
use crate::ctxt::Ctxt;
use crate::emit;
use crate::private::Private;

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
    let mut krate = Slot::new("crate");
    let mut rename_all = Slot::new("rename_all");
    attr::for_each_key(&cx, &input.attrs, "label", |meta| {
        if meta.path.is_ident("crate") {
            let lit = attr::string(meta)?;
            krate.set(&cx, lit.span(), lit.parse::<syn::Path>()?);
        } else if meta.path.is_ident("rename_all") {
            let lit = attr::string(meta)?;
            match RenameRule::from_str(&lit.value()) {
                Some(rule) => rename_all.set(&cx, lit.span(), rule),
                None => {
                    let names: Vec<&str> = RenameRule::ALL.iter().map(|(n, _)| *n).collect();
                    let value = lit.value();
                    let suggestion = attr::did_you_mean(&value, &names)
                        .map(|n| format!("; did you mean `\"{n}\"`?"))
                        .unwrap_or_default();
                    let expected = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>();
                    cx.error_spanned_by(
                        &lit,
                        format_args!(
                            "unknown rename rule `rename_all = \"{value}\"`{suggestion}\n= help: expected one of {}",
                            expected.join(", ")
                        ),
                    );
                }
            }
        } else {
            attr::unknown_key(&cx, meta, "label", &["rename_all", "crate"]);
        }
        Ok(())
    });
    let private = Private(krate.get());
    let rule = rename_all.get().unwrap_or(RenameRule::Snake);

    let ident = &input.ident;
    let mut variants = Vec::new();
    match &input.data {
        syn::Data::Enum(data) => {
            if !input.generics.params.is_empty() {
                cx.error_spanned_by(
                    &input.generics,
                    "a label value enum cannot be generic\n= help: remove the generic parameters: a label value is one of a fixed set of unit variants",
                );
            }
            for variant in &data.variants {
                let mut rename = Slot::new("rename");
                let mut error = Slot::new("error");
                attr::for_each_key(&cx, &variant.attrs, "label", |meta| {
                    if meta.path.is_ident("rename") {
                        let lit = attr::string(meta)?;
                        rename.set(&cx, lit.span(), lit);
                    } else if meta.path.is_ident("error") {
                        attr::bare(&cx, meta, "label")?;
                        error.set(&cx, meta.path.span(), ());
                    } else {
                        attr::unknown_key(&cx, meta, "label", &["rename", "error"]);
                    }
                    Ok(())
                });
                let (value, value_span) = match rename.get() {
                    Some(lit) => (lit.value(), lit.span()),
                    None => (rule.apply(&variant.ident.to_string()), variant.ident.span()),
                };
                variants.push(Variant { ident: &variant.ident, value, value_span, error: error.get().is_some() });
            }
        }
        syn::Data::Struct(data) => cx.error_spanned_by(
            data.struct_token,
            "`LabelValue` is derived on enums\n= help: declare the values as variants of an enum; for a set of labels, derive `LabelSet` on a struct",
        ),
        syn::Data::Union(data) => cx.error_spanned_by(
            data.union_token,
            "`LabelValue` is derived on enums\n= help: declare the values as variants of an enum",
        ),
    }
    let is_enum = matches!(input.data, syn::Data::Enum(_));
    if is_enum {
        validate(&cx, ident, &variants);
    }

    let errors = cx.check().err().map(|e| e.to_compile_error());
    let valid = is_enum && input.generics.params.is_empty();
    let body = if valid { impl_label_value(ident, &variants, &private) } else { stub(input, &private) };
    quote! {
        #errors
        #body
    }
}

/// L7 (`metricate_catalog::rules::check_l7`) on the values, each violation pointing at
/// the offending variant (or its `rename`), or at the enum when it has none.
fn validate(cx: &Ctxt, ident: &syn::Ident, variants: &[Variant<'_>]) {
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

fn impl_label_value(ident: &syn::Ident, variants: &[Variant<'_>], private: &Private) -> TokenStream {
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
        variants.iter().map(|v| metricate_catalog::escape::label_value(&v.value).into_owned()).collect();
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
fn stub(input: &syn::DeriveInput, private: &Private) -> TokenStream {
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
