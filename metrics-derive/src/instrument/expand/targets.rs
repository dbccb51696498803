//! Recording into metrics declared elsewhere: `duration = ..`, `count = ..`,
//! `in_flight = ..`, with `labels = Set { .. }`.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::private::Private;

use super::super::attr::Config;
use super::super::member_name;
use super::{Recording, Shape, docs};

/// Recording into metrics declared elsewhere (`duration`, `count`,
/// `in_flight = ..`, with `labels`). The label values other than the one
/// that takes how the call ended are evaluated when the call starts, before
/// the body can move them.
pub(super) fn recording_into_targets(config: &Config, shape: Shape, takes: &[bool], p: &Private) -> Recording {
    let mut setup = TokenStream::new();
    let mut takes_result = None;
    let mut outcome_name = None;
    // The user's struct expression, with each value other than the outcome
    // replaced by a local read when the call starts: its tokens keep their
    // spans, so that a wrong label set is reported where it is written.
    let labels = match &config.labels {
        None => quote!(()),
        Some(labels) => {
            let mut labels = labels.clone();
            for (i, (field, &takes)) in labels.fields.iter_mut().zip(takes).enumerate() {
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
