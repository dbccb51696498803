//! Recording into metrics declared elsewhere: `duration = ..`, `count = ..`,
//! `in_flight = ..`, with `labels = Set { .. }`.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attr;
use crate::ctxt::Ctxt;
use crate::private::Private;

use super::args::Config;
use super::{Recording, Shape, docs};

/// Recording into metrics declared elsewhere (`duration`, `count`,
/// `in_flight = ..`, with `labels`). The label values other than the one
/// that takes how the call ended are evaluated when the call starts, before
/// the body can move them.
pub(super) fn recording_into_targets(
    cx: &Ctxt,
    config: &Config,
    function: &syn::ItemFn,
    shape: Shape,
    p: &Private,
) -> Recording {
    let mut setup = TokenStream::new();
    let mut takes_result = None;
    let mut outcome_name = None;
    // The user's struct expression, with each value other than the outcome
    // replaced by a local read when the call starts: its tokens keep their
    // spans, so that a wrong label set is reported where it is written.
    let labels = match &config.labels {
        None => quote!(()),
        Some(labels) => {
            let takes = takes_outcome(cx, config, function, labels);
            let mut labels = labels.clone();
            for (i, (field, takes)) in labels.fields.iter_mut().zip(takes).enumerate() {
                let span = field.expr.span();
                if takes {
                    takes_result.get_or_insert(span);
                    outcome_name.get_or_insert_with(|| member_name(&field.member));
                    // The record closure's parameter, under a name of its own,
                    // so that `result` alone does not become `result: result`.
                    field.expr = syn::parse_quote_spanned!(span=> __metrics_outcome);
                    field.colon_token.get_or_insert_with(|| syn::Token![:](span));
                    continue;
                }
                let local = format_ident!("__metrics_label_{}", i, span = span);
                let expr = &field.expr;
                setup.extend(quote_spanned!(span=> let #local = #expr;));
                field.expr = syn::parse_quote_spanned!(span=> #local);
                field.colon_token.get_or_insert_with(|| syn::Token![:](span));
            }
            labels.to_token_stream()
        }
    };
    let mut on_end = TokenStream::new();
    if let Some(duration) = &config.duration {
        setup.extend(quote_spanned!(duration.span()=> let __metrics_duration = &#duration;));
        on_end.extend(quote_spanned!(duration.span()=>
            __MetricsDuration::record_duration(__metrics_duration, #labels, seconds);
        ));
    }
    if let Some(count) = &config.count {
        setup.extend(quote_spanned!(count.span()=> let __metrics_count = &#count;));
        on_end.extend(quote_spanned!(count.span()=>
            __MetricsCount::record_call(__metrics_count, #labels);
        ));
    }
    if let Some((_, Some(gauge))) = &config.in_flight {
        setup.extend(quote_spanned!(gauge.span()=>
            let __metrics_in_flight: &#p::IntGauge = &#gauge;
            __metrics_in_flight.inc();
        ));
        on_end.extend(quote!(__metrics_in_flight.dec();));
    }
    let result = if takes_result.is_some() { quote!(__metrics_outcome) } else { quote!(_: #p::Outcome) };
    let record = quote! {
        move |#result, seconds: f64| {
            #[allow(unused_imports)]
            use #p::{CountMetric as __MetricsCount, DurationMetric as __MetricsDuration};
            #on_end
        }
    };
    let docs = docs::targets(config, shape, outcome_name.as_deref());
    Recording { setup, record, outcome: takes_result, docs, ..Recording::default() }
}

fn member_name(member: &syn::Member) -> String {
    match member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    }
}

/// Which fields of `labels` take how the call ended: the one `outcome =
/// field` names, or else every field written `result`. Reports at the token
/// every case that is ambiguous or names nothing.
fn takes_outcome(cx: &Ctxt, config: &Config, function: &syn::ItemFn, labels: &syn::ExprStruct) -> Vec<bool> {
    let is_result = |expr: &syn::Expr| matches!(expr, syn::Expr::Path(path) if path.path.is_ident("result"));
    let Some(outcome) = &config.outcome else {
        return labels.fields.iter().map(|field| is_result(&field.expr)).collect();
    };
    let parameters = parameter_names(&function.sig);
    let set = super::docs::text(&labels.path);
    let mut found = false;
    let takes = labels
        .fields
        .iter()
        .map(|field| {
            let member = member_name(&field.member);
            if *outcome == member {
                found = true;
                let shorthand = field.colon_token.is_none();
                if shorthand && parameters.contains(&member) {
                    cx.error_spanned_by(
                        &field.expr,
                        format_args!("`{member}` is ambiguous: a parameter of `{}` and the field that takes how the call ended (`outcome = {outcome}`)\n= help: rename the parameter, or write the value the field takes from it and name another field in `outcome`", function.sig.ident),
                    );
                } else if !shorthand && !is_result(&field.expr) {
                    cx.error_spanned_by(
                        &field.expr,
                        format_args!("`{member}` takes how the call ended (`outcome = {outcome}`), so it has no value of its own\n= help: write `{member}` alone in `labels`, or remove `outcome` to record this value"),
                    );
                }
                return true;
            }
            if is_result(&field.expr) && !parameters.contains(&"result".to_owned()) {
                cx.error_spanned_by(
                    &field.expr,
                    format_args!("two fields take how the call ended: `{outcome}` (`outcome = {outcome}`) and `{member}`, written `result`\n= help: give `{member}` a value of its own, or remove `outcome` and write `{outcome}` a value"),
                );
                return true;
            }
            false
        })
        .collect();
    if !found {
        let names: Vec<String> = labels.fields.iter().map(|f| member_name(&f.member)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let suggestion = attr::did_you_mean(&outcome.to_string(), &names)
            .map(|name| format!("; did you mean `{name}`?"))
            .unwrap_or_default();
        cx.error_spanned_by(
            outcome,
            format_args!("`labels` has no field `{outcome}`{suggestion}\n= help: `outcome` names the field of `{set}` that takes how the call ended; write it alone in `labels`: `{set} {{ .., {outcome} }}`"),
        );
    }
    takes
}

/// The names a function's parameters bind.
fn parameter_names(sig: &syn::Signature) -> Vec<String> {
    fn bind(pat: &syn::Pat, names: &mut Vec<String>) {
        match pat {
            syn::Pat::Ident(ident) => {
                names.push(ident.ident.to_string());
                if let Some((_, sub)) = &ident.subpat {
                    bind(sub, names);
                }
            }
            syn::Pat::Reference(reference) => bind(&reference.pat, names),
            syn::Pat::Tuple(tuple) => tuple.elems.iter().for_each(|p| bind(p, names)),
            syn::Pat::TupleStruct(tuple) => tuple.elems.iter().for_each(|p| bind(p, names)),
            syn::Pat::Struct(fields) => fields.fields.iter().for_each(|f| bind(&f.pat, names)),
            syn::Pat::Slice(slice) => slice.elems.iter().for_each(|p| bind(p, names)),
            syn::Pat::Paren(paren) => bind(&paren.pat, names),
            syn::Pat::Type(typed) => bind(&typed.pat, names),
            _ => {}
        }
    }
    let mut names = Vec::new();
    for input in &sig.inputs {
        if let syn::FnArg::Typed(typed) = input {
            bind(&typed.pat, &mut names);
        }
    }
    names
}
