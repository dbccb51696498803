//! `#[derive(LabelSet)]`: a struct of label values becomes a set of labels
//! whose names are the field names.

use proc_macro2::TokenStream;

use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attr::{self, Slot};
use crate::ctxt::Ctxt;
use crate::private::Private;

pub(crate) fn expand(input: &syn::DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let mut krate = Slot::new("crate");
    let mut quiet = Slot::new("quiet");
    attr::for_each_key(&cx, &input.attrs, "label", |meta| {
        if meta.path.is_ident("crate") {
            let lit = attr::string(meta)?;
            krate.set(&cx, lit.span(), lit.parse::<syn::Path>()?);
        } else if meta.path.is_ident("quiet") {
            if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                return Err(meta.error(
                    "`quiet` takes no value\n= help: write `#[label(quiet)]`; a family that wants every combination says `#[metric(quiet = false)]`",
                ));
            }
            quiet.set(&cx, meta.path.span(), ());
        } else {
            attr::unknown_key(&cx, meta, "label", &["crate", "quiet"]);
        }
        Ok(())
    });
    let quiet = quiet.get().is_some();
    let private = Private(krate.get());
    let ident = &input.ident;
    let crate::policy::Loaded { policy, tracking } = crate::policy::load(&cx);

    let fields: Vec<&syn::Field> = match &input.data {
        syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Named(named), .. }) => named.named.iter().collect(),
        syn::Data::Struct(_) => {
            cx.error_spanned_by(
                &input.ident,
                "`LabelSet` needs named fields: the field names are the label names\n= help: write `struct Name { label: Value, .. }`",
            );
            Vec::new()
        }
        syn::Data::Enum(data) => {
            cx.error_spanned_by(
                data.enum_token,
                "`LabelSet` is derived on structs of label values\n= help: for an enum of label values, derive `LabelValue`, and use it as a field of a `LabelSet` struct",
            );
            Vec::new()
        }
        syn::Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "`LabelSet` is derived on structs of label values\n= help: write `struct Name { label: Value, .. }`",
            );
            Vec::new()
        }
    };
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "a label set cannot be generic: its labels are fixed at compile time\n= help: remove the generic parameters",
        );
    }
    for field in &fields {
        for a in field.attrs.iter().filter(|a| a.path().is_ident("label")) {
            cx.error_spanned_by(
                a,
                "`LabelSet` fields take no `#[label]` attribute: the label name is the field name\n= help: remove the attribute, and rename the field to rename the label",
            );
        }
    }
    // Each field's type as source text, once: for L4 and the rustdoc.
    let types: Vec<String> = fields.iter().map(|f| crate::emit::source(&f.ty)).collect();
    validate(&cx, ident, &fields, &types, &policy);

    let errors = cx.check().err();
    // An invalid set expands to a stub without the per-field bounds, so that
    // a type the macro already rejected is not reported a second time.
    let body =
        if errors.is_some() { stub(input, &private) } else { impl_label_set(ident, &fields, &types, quiet, &private) };
    let errors = errors.map(|e| e.to_compile_error());
    quote! {
        #errors
        #tracking
        #body
    }
}

/// L1–L3 at each label's field name, L4 at each unbounded field type, L5 at
/// the first label past the limit.
fn validate(
    cx: &Ctxt,
    ident: &syn::Ident,
    fields: &[&syn::Field],
    types: &[String],
    policy: &metricate_catalog::Policy,
) {
    for (i, (field, ty)) in fields.iter().zip(types).enumerate() {
        let Some(member) = &field.ident else { continue };
        let name = label_name(field);
        for violation in metricate_catalog::rules::check_label_name(&name, policy) {
            cx.error_at(member.span(), violation);
        }
        if let Some(violation) = metricate_catalog::rules::check_l4(&name, &type_text(ty)) {
            cx.error_spanned_by(&field.ty, violation);
        }
        if i == policy.max_labels
            && let Some(violation) =
                metricate_catalog::rules::check_l5_label_set(&ident.to_string(), fields.len(), policy)
        {
            cx.error_at(member.span(), violation);
        }
    }
}

/// A type as written (from its tokens' text), without the token spacing of
/// `to_string`.
fn type_text(text: &str) -> String {
    text.replace("& ", "&").replace(" <", "<").replace("< ", "<").replace(" >", ">").replace(" ,", ",")
}

/// The impl an invalid label set expands to besides its errors.
fn stub(input: &syn::DeriveInput, private: &Private) -> TokenStream {
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

fn label_name(field: &syn::Field) -> String {
    let ident = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
    ident.strip_prefix("r#").map(str::to_owned).unwrap_or(ident)
}

fn impl_label_set(
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
