//! The expansion of `#[derive(Metrics)]` from checked [`Field`]s: the
//! cells, descriptors and registration of each metric, the accessors and the
//! rustdoc. It cannot fail.

use std::fmt::Write as _;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use super::{DEFAULT_VERSION, Field, Kind, Special};
use crate::emit;
use crate::private::Private;
use crate::rustdoc_catalog::Committed;

pub(super) fn impl_metrics(
    input: &syn::DeriveInput,
    fields: &[Field<'_>],
    subsystem: &str,
    function: Option<&str>,
    tracking: TokenStream,
    committed: Option<&Committed>,
    p: &Private,
) -> TokenStream {
    let ident = input.ident.to_string();
    let vis = match &input.vis {
        syn::Visibility::Public(_) => "pub".to_owned(),
        syn::Visibility::Inherited => String::new(),
        restricted @ syn::Visibility::Restricted(_) => emit::source(restricted),
    };
    // The field types' aliases (the input's own tokens) are built as tokens;
    // the rest is text, lexed once, the items that need a span of the input
    // given it in place (`items`).
    let mut spanned = tracking;
    let mut items = emit::Spanned::default();
    let mut text = String::new();
    let function = emit::option(
        function.map(|name| format!("::core::concat!(::core::module_path!(), \"::\", {})", emit::string(name))),
    );
    let _ = write!(
        text,
        "use {} as __m;
        const __BASE: __m::Descriptor = __m::base({}, ::core::file!(), ::core::module_path!(), {function});",
        p.text(),
        emit::string(subsystem)
    );

    let mut from_static = String::new();
    let mut from_heap = String::new();
    let mut visits = String::new();
    let mut consts = String::new();
    for (i, f) in fields.iter().enumerate() {
        let member = f.member.to_string();
        let upper = member.trim_start_matches("r#").to_uppercase();
        // The field's type, once, under a short name spanned at the type
        // (where rustc reports a type that is not a metric), read off its
        // first token without printing the type.
        let ty_span = crate::input::type_span(f.ty);
        let ty = format_ident!("__T{}", i, span = ty_span);
        let declared = f.ty;
        spanned.extend(quote!(type #ty = #declared;));
        series_check(&mut items, f, i);
        let bound_values = bound_values(f);
        // Only histograms and summaries have a `static` of bounds.
        let bounds = if bound_values.is_empty() {
            "&[]".to_owned()
        } else {
            let values: Vec<String> = bound_values.iter().map(|&v| emit::float(v)).collect();
            let _ = write!(text, "static __B{i}: [f64; {}] = [{}];", values.len(), values.join(", "));
            format!("&__B{i}")
        };
        // The cells' `static` is where rustc first checks the field's type:
        // spanned at it, so that a type that is not a metric is reported
        // there first.
        items.item(
            ty_span,
            format_args!(
                "static __M{i}: __m::Cells<__T{i}, {{ __m::cells::<__T{i}>({}) }}> = __m::Cells::NEW;",
                bound_values.len()
            ),
        );
        let (name, help) = (emit::string(&f.name), emit::string(&f.help));
        let start = f.member.span().start();
        let base = format!("__m::descriptor::<__T{i}>(&__BASE, {name}, {help}, {}, {})", start.line, start.column + 1);
        let (parts, labels) = descriptor_parts(f, &ty, &bounds, p);
        // The descriptor: a `static` of its own (constants may not point
        // into the cells' `static`, whose atomics are interior mutability).
        let desc = match labels {
            None if parts.is_empty() => {
                let _ = write!(text, "static __D{i}: __m::Descriptor = {base};");
                format!("__D{i}")
            }
            None => {
                let _ = write!(text, "static __D{i}: __m::Descriptor = __m::Descriptor {{ {parts} ..{base} }};");
                format!("__D{i}")
            }
            // Labels the derive writes, and alerts, carry spans; the
            // descriptor has a name of its own, which rustc gives when an
            // alert's const evaluation fails.
            Some(labels) => {
                let desc = format_ident!("__METRICS_DESC_{}", upper);
                let (base, parts) = (emit::lex(&base), emit::lex(&parts));
                spanned.extend(quote! {
                    static #desc: __m::Descriptor = __m::Descriptor { #parts #labels ..#base };
                });
                desc.to_string()
            }
        };
        let doc = emit::string(&rustdoc(f, committed).join("\n"));
        let _ = write!(consts, "#[doc = {doc}] {vis} const {upper}: &__m::Descriptor = &{desc};");
        let _ = write!(from_static, "{member}: __T{i}::__from_static(&__M{i}.0, {bounds}),");
        let _ = write!(from_heap, "{member}: __m::MetricField::new_heap({bounds}),");
        let _ = write!(visits, "f(&{desc}, &self.{member});");
    }

    let _ = write!(
        text,
        "static __GLOBAL: {ident} = {ident} {{ {from_static} }};
        __m::inventory::submit! {{ __m::Entry::new(&__GLOBAL) }}

        impl {ident} {{
            #[doc = \" The registered instance.\"]
            #[inline]
            {vis} fn global() -> &'static Self {{
                __m::global_instance(&__GLOBAL, Self::new_unregistered)
            }}

            #[doc = \" An unregistered instance, for tests.\"]
            #[inline]
            {vis} fn new_unregistered() -> Self {{
                {ident} {{ {from_heap} }}
            }}

            {consts}
        }}

        #[automatically_derived]
        impl __m::MetricGroup for {ident} {{
            fn for_each_metric<'a>(&'a self, f: __m::Visit<'_, 'a>) {{
                {visits}
            }}
        }}"
    );
    let text = items.finish(&text);
    quote!(const _: () = { #text #spanned };)
}

/// The fields of a descriptor that differ from what `__private::descriptor`
/// gives (see there): as source text, `field: value,` pairs of what needs no
/// span, and as tokens those that do (labels the derive writes, alerts).
fn descriptor_parts(f: &Field<'_>, ty: &syn::Ident, bounds: &str, p: &Private) -> (String, Option<TokenStream>) {
    let mut parts = String::new();
    if let Some(unit) = &f.unit {
        let _ = write!(parts, "unit: {},", emit::option(Some(emit::string(unit))));
    }
    if f.summary.is_none() && f.buckets.is_some() {
        let _ = write!(parts, "buckets: {bounds},");
    }
    if f.version != DEFAULT_VERSION {
        let _ = write!(parts, "version: {},", emit::string(&f.version));
    }
    if let Some((reason, replacement)) = &f.deprecation {
        let _ = write!(
            parts,
            "deprecation: ::core::option::Option::Some(__m::Deprecation {{ reason: {}, replacement: {} }}),",
            emit::string(reason),
            emit::option(Some(emit::string(replacement)))
        );
    }
    if let Some(quiet) = f.quiet {
        let _ = write!(parts, "quiet: {quiet},");
    }
    if let Some((quantiles, max_age, age_buckets)) = &f.summary {
        let quantiles: Vec<String> = quantiles.iter().map(|&q| emit::float(q)).collect();
        let _ = write!(
            parts,
            "summary: ::core::option::Option::Some(__m::SummarySpec {{ quantiles: {{ static QUANTILES: [f64; {}] = \
             [{}]; &QUANTILES }}, max_age_seconds: {max_age}, age_buckets: {age_buckets} }}),",
            quantiles.len(),
            quantiles.join(", ")
        );
    }
    if f.created {
        parts.push_str("created: true,");
    }
    let labels = label_tokens(f, p);
    let mut spanned = TokenStream::new();
    if let Some(labels) = &labels {
        spanned.extend(quote!(labels: #labels,));
    }
    if !f.alerts.is_empty() {
        let labels =
            labels.unwrap_or_else(|| quote_spanned!(crate::input::type_span(f.ty)=> <#ty as __m::MetricField>::LABELS));
        let alerts = crate::alert::tokens(&f.alerts, &labels, &f.name, p);
        spanned.extend(quote!(alerts: #alerts,));
    }
    (parts, (!spanned.is_empty()).then_some(spanned))
}

/// The values of a field's `bounds` static: a histogram's bounds; a
/// summary's window and quantiles, which is how the runtime's `Summary`
/// learns them: `[max_age, age_buckets, q..]`.
fn bound_values(f: &Field<'_>) -> Vec<f64> {
    match &f.summary {
        Some((quantiles, max_age, age_buckets)) => {
            [*max_age as f64, f64::from(*age_buckets)].into_iter().chain(quantiles.iter().copied()).collect()
        }
        None => f.buckets.clone().unwrap_or_default(),
    }
}

/// The labels of a descriptor the derive writes itself, if it does: those
/// of `BuildInfo` (the declaring crate's build) and `StateSet<E>` (one label
/// named after the metric); other types' are their `MetricField::LABELS`.
fn label_tokens(f: &Field<'_>, p: &Private) -> Option<TokenStream> {
    match f.special {
        Special::None | Special::Exemplars => None,
        Special::BuildInfo => {
            let label = |name: &str, value: TokenStream| {
                quote! {{
                    const VALUE: &str = #p::plain_label_value(#value);
                    #p::Label::of_build(#name, &[VALUE])
                }}
            };
            let version = label("version", quote!(::core::env!("CARGO_PKG_VERSION")));
            let rustc = label("rustc", quote!(#p::RUSTC_VERSION));
            let target = label("target", quote!(#p::TARGET));
            let revision = label(
                "revision",
                quote! {
                    match ::core::option_env!("METRICATE_GIT_REVISION") {
                        ::core::option::Option::Some(revision) => revision,
                        ::core::option::Option::None => "unknown",
                    }
                },
            );
            Some(quote!({
                static LABELS: [#p::Label; 4] = [#version, #rustc, #target, #revision];
                &LABELS
            }))
        }
        Special::StateSet(states) => {
            let name = &f.name;
            Some(quote!({
                static LABELS: [#p::Label; 1] = [#p::StateSet::<#states>::__label(#name)];
                &LABELS
            }))
        }
    }
}

/// The rustdoc of a metric's descriptor constant, one line per `#[doc]`:
/// what a reader of `cargo doc` needs to query it. With a committed
/// catalogue (policy key `rustdoc_catalog`), a family's labels and values.
pub(super) fn rustdoc(f: &Field<'_>, committed: Option<&Committed>) -> Vec<String> {
    let name = &f.name;
    let mut lines = vec![format!(" `{name}`: {}", f.help), String::new()];
    lines.push(format!(" - type: {}", f.kind.as_str()));
    lines.push(format!(" - unit: {}", f.unit.as_deref().map_or("none".to_owned(), |u| format!("`{u}`"))));
    let labels = f.labels.map(emit::written);
    match (labels, committed) {
        (Some(labels), Some(committed)) => lines.extend(committed.label_lines(name, &labels)),
        (Some(labels), None) => lines.push(format!(
            " - labels: the fields of [`{labels}`], each with the values its type lists in `LabelValue::VALUES`"
        )),
        (None, _) => lines.push(" - labels: none".to_owned()),
    }
    if let Some(buckets) = &f.buckets {
        let bounds: Vec<String> = buckets.iter().map(|b| format!("{b:?}")).collect();
        lines.push(format!(" - buckets: {}, `+Inf`", bounds.join(", ")));
    }
    if let Some((quantiles, max_age, age_buckets)) = &f.summary {
        let quantiles: Vec<String> = quantiles.iter().map(|q| format!("{q:?}")).collect();
        lines.push(format!(" - quantiles: {}, over the last {max_age} s in {age_buckets} steps", quantiles.join(", ")));
    }
    if f.exemplars {
        lines.push(" - exemplars: the latest per series (and per bucket), in OpenMetrics".to_owned());
    }
    if f.created {
        lines.push(" - created: OpenMetrics writes each series' `_created`".to_owned());
    }
    match f.quiet {
        Some(true) => lines.push(" - quiet: only the label combinations recorded to are exposed".to_owned()),
        Some(false) => lines.push(" - not quiet: every label combination is exposed from the first scrape".to_owned()),
        // Quiet by its label set, which the catalogue knows.
        None if committed.is_some_and(|c| c.quiet(name)) => {
            lines
                .push(" - quiet (as its label set is): only the label combinations recorded to are exposed".to_owned());
        }
        None => {}
    }
    lines.push(format!(" - version: {}", f.version));
    if let Some((reason, replacement)) = &f.deprecation {
        lines.push(format!(" - **deprecated**: {reason}; use `{replacement}` instead"));
    }
    let example = match f.kind {
        Kind::Counter => format!("sum(rate({name}[5m]))"),
        Kind::Gauge => format!("max_over_time({name}[5m])"),
        Kind::Histogram => format!("histogram_quantile(0.99, sum by (le) (rate({name}_bucket[5m])))"),
        Kind::Summary => format!("max by (quantile) ({name})"),
        Kind::Info => format!("{name} == 1"),
        Kind::StateSet => format!("{name}{{{name}=\"...\"}} == 1"),
    };
    lines.extend([String::new(), " ```promql".to_owned(), format!(" {example}"), " ```".to_owned()]);
    lines
}

/// L6 in const evaluation (only const evaluation knows the series count; the
/// runtime's `check_series` writes the rule's text), with every token of the
/// call at the field name, where rustc then points the failed evaluation.
fn series_check(items: &mut emit::Spanned, f: &Field<'_>, i: usize) {
    if f.labels.is_some() {
        // (One series is within any limit: limits are at least 1.)
        items.item(
            f.member.span(),
            format_args!(
                "const _: () = __m::check_series(__m::series::<__T{i}>(), {}, {});",
                f.max_series,
                emit::string(&f.name)
            ),
        );
    }
}

/// What an invalid struct expands to besides its errors: the accessors, so
/// that code using them reports nothing more.
pub(super) fn stub(input: &syn::DeriveInput, p: &Private) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let predicates = where_clause.iter().flat_map(|w| &w.predicates);
    let sync_where = quote!(where #(#predicates,)* Self: ::core::marker::Sync);
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #ident #ty_generics #where_clause {
                #[allow(missing_docs)]
                #vis fn global() -> &'static Self
                where
                    Self: 'static,
                {
                    ::core::unreachable!()
                }
                #[allow(missing_docs)]
                #vis fn new_unregistered() -> Self
                where
                    Self: Sized,
                {
                    ::core::unreachable!()
                }
            }
            #[automatically_derived]
            impl #impl_generics #p::MetricGroup for #ident #ty_generics #sync_where {
                fn for_each_metric<'a>(
                    &'a self,
                    _: &mut dyn ::core::ops::FnMut(&'static #p::Descriptor, &'a dyn #p::Collect),
                ) {
                }
            }
        };
    }
}
