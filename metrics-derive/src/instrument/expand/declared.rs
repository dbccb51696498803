//! The metrics the attribute declares itself: a `#[derive(Metrics)]` struct
//! of a call counter and a duration histogram labeled by how the call ended,
//! with an in-flight gauge and an error counter by reason when asked.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::private::Private;

use super::super::attr::Config;
use super::super::validate::Naming;
use super::{Recording, Shape, docs};

/// The metrics the attribute declares, and how a call records into them.
///
/// Their struct lives inside the function body, which works for free
/// functions, methods and generic functions alike (one set of metrics per
/// function). With `metrics = Name` it is declared next to the function
/// instead, as `Name` (and `NameReason`, the reason's label set), with the
/// function's visibility: typed handles for the function's callers.
pub(super) fn declaring(
    config: &Config,
    function: &syn::ItemFn,
    shape: Shape,
    naming: Naming,
    p: &Private,
) -> Recording {
    let Naming { fn_name, full, name_span, help, help_span, tracking } = naming;
    let help = help.trim();
    let lit = |text: String, span: Span| syn::LitStr::new(&text, span);
    let calls_name = lit(format!("{full}_total"), name_span);
    let duration_name = lit(format!("{full}_duration_seconds"), name_span);
    let calls_help = lit(format!("Calls of `{fn_name}`, by result. {help}"), help_span);
    let duration_help = lit(format!("Duration of `{fn_name}` in seconds, by result. {help}"), help_span);
    let buckets = config.buckets.as_ref().map(|b| quote!(, buckets = #b));
    let krate = config.krate.as_ref().map(|k| {
        let text = crate::emit::written(k);
        quote!(crate = #text,)
    });
    let field = |ident: &str| format_ident!("{}", ident, span = name_span);
    let (calls, duration) = (field("calls_total"), field("duration_seconds"));
    // Inside the body, private names; next to the function, the user's name
    // and the function's visibility, with docs on what is public.
    let (group, set, vis) = match &config.metrics {
        Some(name) => {
            (name.clone(), format_ident!("{}Reason", name, span = name.span()), function.vis.to_token_stream())
        }
        None => (format_ident!("__MetricsOfCall"), format_ident!("__MetricsReason"), TokenStream::new()),
    };
    let doc = |text: String| config.metrics.as_ref().map(|_| quote!(#[doc = #text]));
    let calls_doc = doc(format!(" Calls of [`{fn_name}`], by how they ended."));
    let duration_doc = doc(format!(" Durations of the calls of [`{fn_name}`] in seconds, by how they ended."));

    // Public paths, which the struct's docs show.
    let root = p.root();
    // Only a future can be dropped before it completes: a synchronous
    // function's `result` has no `cancelled`.
    let (by_outcome, labels) = match shape {
        Shape::Sync => (
            quote!(#root::instrument::BySyncOutcome),
            quote!(#p::BySyncOutcome { result: #p::SyncOutcome::from(result) }),
        ),
        Shape::Async | Shape::ReturnsFuture => (quote!(#root::instrument::ByOutcome), quote!(#p::ByOutcome { result })),
    };
    let mut fields = quote! {
        #calls_doc
        #[metric(name = #calls_name, help = #calls_help)]
        #vis #calls: #root::Family<#by_outcome, #root::Counter>,
        #duration_doc
        #[metric(name = #duration_name, help = #duration_help #buckets)]
        #vis #duration: #root::Family<#by_outcome, #root::Histogram>,
    };
    let tracking = quote!(const _: () = { #tracking };);
    let mut items = TokenStream::new();
    let mut on_start = TokenStream::new();
    let mut on_end = TokenStream::new();
    let mut after = TokenStream::new();
    if let Some((span, _)) = &config.in_flight {
        let name = lit(format!("{full}_in_flight"), *span);
        let help = lit(format!("Calls of `{fn_name}` in progress. {help}"), help_span);
        let in_flight = format_ident!("in_flight", span = *span);
        let in_flight_doc = doc(format!(" Calls of [`{fn_name}`] in progress."));
        fields.extend(quote! {
            #in_flight_doc
            #[metric(name = #name, help = #help)]
            #vis #in_flight: #root::IntGauge,
        });
        on_start = quote!(__metrics.#in_flight.inc(););
        on_end = quote!(__metrics.#in_flight.dec(););
    }
    if let Some(reason) = &config.reason {
        let metric = ReasonMetric { reason, set: &set, vis: &vis, full: &full, fn_name: &fn_name, help, help_span };
        let (field, item, record) = metric.expand(p);
        fields.extend(field);
        items.extend(item);
        after = record;
    }
    // The catalogue groups metrics by subsystem: the one the names have.
    let subsystem = config.subsystem.as_ref().map(|lit| quote!(subsystem = #lit,));
    let group_doc = doc(format!(
        " The metrics `#[instrument_metric]` declares for [`{fn_name}`]: every call of it records into `{group}::global()`."
    ));
    items.extend(quote! {
        #group_doc
        #[derive(#p::Metrics)]
        #[metrics(#krate #subsystem function = #fn_name)]
        #vis struct #group {
            #fields
        }
    });
    let setup = quote! {
        let __metrics = #group::global();
        #on_start
    };
    let record = quote! {
        move |result: #p::Outcome, seconds: f64| {
            let labels = #labels;
            __metrics.#calls.with(labels).inc();
            __metrics.#duration.with(labels).observe(seconds);
            #on_end
        }
    };
    let docs = docs::declared(&full, shape, config);
    if let Some(name) = &config.metrics {
        // The items themselves at the name: in an `impl`, which cannot hold
        // them, rustc reports them there.
        let outer = respan_items(items, name.span());
        return Recording { outer, items: tracking, setup, record, after, docs, ..Recording::default() };
    }
    items.extend(tracking);
    Recording { items, setup, record, after, docs, ..Recording::default() }
}

/// `<name>_errors_total{reason}` of `reason = R`: its field, its label set
/// `set` (a struct holding the reason's index, so that an error type with
/// data and without `Copy` is its own reason), and what records an error
/// after the call.
///
/// Every use of `R` as a label value is spanned at `R`, so that a type that
/// is not one is reported there once (rustc merges the identical reports),
/// and the label set's impl has no bounds, so that nothing else reports it.
/// The record path goes through `__private::ReasonProbe`, which takes the
/// error as its own reason when its type is `R` (however it is written) and
/// needs its `ErrorReason<R>` when it is not.
struct ReasonMetric<'a> {
    reason: &'a syn::Type,
    set: &'a syn::Ident,
    vis: &'a TokenStream,
    full: &'a str,
    fn_name: &'a str,
    help: &'a str,
    help_span: Span,
}

impl ReasonMetric<'_> {
    fn expand(&self, p: &Private) -> (TokenStream, TokenStream, TokenStream) {
        let Self { reason, set, vis, full, fn_name, help, help_span } = self;
        let span = reason.span();
        let name = syn::LitStr::new(&format!("{full}_errors_total"), span);
        let help = syn::LitStr::new(&format!("Errors of `{fn_name}`, by reason. {help}"), *help_span);
        let errors = format_ident!("errors_total", span = span);
        let root = p.root();
        let field_doc = format!(" Errors of [`{fn_name}`], by reason: label values with [`{set}::new`].");
        let field = quote! {
            #[doc = #field_doc]
            #[metric(name = #name, help = #help)]
            #vis #errors: #root::Family<#set, #root::Counter>,
        };
        let value = quote_spanned!(span=> <#reason as #p::LabelValue>);
        let set_doc = format!(" The label `reason` of `{full}_errors_total`: a value of the reason type, by index.");
        let new_doc = " The label of this reason.";
        let item = quote_spanned! {span=>
            #[doc = #set_doc]
            #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::cmp::PartialEq, ::core::cmp::Eq)]
            #vis struct #set(usize);

            #[automatically_derived]
            impl #p::LabelSet for #set {
                const CARDINALITY: usize = #value::CARDINALITY;
                const LABELS: &'static [#p::Label] = &[#p::Label::new(
                    "reason", #value::VALUES, #value::ESCAPED, #value::UNKNOWN, #value::CAPPED,
                )];
                #[inline]
                fn index(&self) -> usize {
                    self.0
                }
            }

            impl #set {
                #[doc = #new_doc]
                #[allow(dead_code)]
                #[inline]
                #vis fn new(reason: &#reason) -> #set {
                    #set(#value::index(reason))
                }
            }
        };
        // All of the record path's tokens at the reason type: a return type
        // that is not a `Result`, or an error without this reason, is
        // reported once, there.
        let record = quote_spanned! {span=>
            let index = #p::reason_index(&__metrics_out, |error| {
                #[allow(unused_imports)]
                use #p::{ReasonByMapping as _, ReasonIsError as _};
                (&#p::ReasonProbe(error, ::core::marker::PhantomData::<#reason>)).__metrics_reason(#value::index)
            });
            if let ::core::option::Option::Some(index) = index {
                __metrics.#errors.with(#set(index)).inc();
            }
        };
        (field, item, record)
    }
}

/// `tokens` with the spans of their top level (keywords, attributes' `#`
/// and brackets, braces) at `span`, and everything inside as it was: where
/// an item is reported as a whole, not where its contents are.
fn respan_items(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            match &mut token {
                proc_macro2::TokenTree::Group(group) => {
                    let mut respanned = proc_macro2::Group::new(group.delimiter(), group.stream());
                    respanned.set_span(span);
                    *group = respanned;
                }
                other => other.set_span(span),
            }
            token
        })
        .collect()
}
