//! The instrumented function: its body run inside a closure (sync) or an
//! async block (async) between the start and the end of the recording, and
//! the recording itself, into metrics the attribute declares
//! ([`declared`]) or into metrics declared elsewhere ([`targets`]), with the
//! `# Metrics` section of its rustdoc ([`docs`]). It cannot fail.

mod declared;
pub(super) mod docs;
mod targets;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

use super::attr::Config;
use super::validate::Naming;
use super::{Shape, nameable, produced};
use crate::private::Private;

/// What the checks found that the expansion follows: the names of the
/// metrics the attribute declares, or which label fields take how a call
/// ended.
pub(super) enum Checked {
    /// The metrics the attribute declares; `None` when their name breaks a
    /// rule.
    Declared(Option<Naming>),
    /// Recording into metrics declared elsewhere: for each field of
    /// `labels`, whether it takes how the call ended.
    Targets(Vec<bool>),
}

/// What the attribute emits for how a call records, around and inside the
/// function.
#[derive(Default)]
struct Recording {
    /// Items next to the function: the metrics struct of `metrics = Name`.
    outer: TokenStream,
    /// Items inside the body.
    items: TokenStream,
    /// Statements when the call starts.
    setup: TokenStream,
    /// The closure `|result: Outcome, seconds: f64|` that records the end
    /// of the call.
    record: TokenStream,
    /// Statements after the call, with its output `__metrics_out` at hand.
    after: TokenStream,
    /// The span of the label field that takes how the call ended, where a
    /// missing `From<Outcome>` is reported.
    outcome: Option<Span>,
    /// The `# Metrics` section of the function's rustdoc, one line per
    /// `#[doc]`.
    docs: Vec<String>,
}

/// The instrumented function.
pub(super) fn instrument(
    config: &Config,
    function: &syn::ItemFn,
    shape: Shape,
    checked: Checked,
    p: &Private,
) -> TokenStream {
    let syn::ItemFn { attrs, vis, sig, block } = function;
    let Recording { outer, items, setup, record, after, outcome, docs } = match checked {
        Checked::Targets(takes) => targets::recording_into_targets(config, shape, &takes, p),
        Checked::Declared(Some(naming)) => declared::declaring(config, function, shape, naming, p),
        Checked::Declared(None) => Recording::default(),
    };
    // `start` needs `From<Outcome>` of the `result` label's type: its
    // tokens carry the span of the label the user wrote, where a missing
    // impl is then reported.
    let start = outcome.unwrap_or_else(Span::call_site);
    // The whole call, path included, carries that span: a path that starts
    // with tokens of another span would be reported at the attribute.
    let start = |on_drop: TokenStream| quote_spanned!(start=> __MetricsCallGuard::start(#on_drop, #record));
    let (start_panic, start_cancel) = (start(quote!(#p::Outcome::Panic)), start(quote!(#p::Outcome::Cancelled)));
    // The call ends with the `result` label `classify` gives, or with the
    // outcome of the output (`Classify`, else ok) converted by the guard.
    let finish_call = match &config.classify {
        Some(classify) => {
            quote_spanned!(classify.span()=> __metrics_guard.finish_classified(&__metrics_out, #classify))
        }
        None => quote! {
            __metrics_guard.finish_outcome({
                #[allow(unused_imports)]
                use #p::{ClassifyByTrait as _, ClassifyOther as _};
                (&#p::Probe(&__metrics_out)).__metrics_outcome()
            })
        },
    };
    let finish = quote! {
        #after
        #finish_call;
        __metrics_out
    };
    // The output type, where it can be written in the body: it types the
    // body (a closure or an async closure) before its `?` and `return` are
    // checked, and the output before it is classified.
    let output = match produced(sig) {
        None => Some(quote!(())),
        Some(ty) if nameable(ty.to_token_stream()) => Some(ty.to_token_stream()),
        Some(_) => None,
    };
    let (out_ty, returns) = match &output {
        Some(ty) => (quote!(: #ty), quote!(-> #ty)),
        None => (TokenStream::new(), TokenStream::new()),
    };
    let items = quote! {
        #items
        use #p::CallGuard as __MetricsCallGuard;
    };
    let body = match shape {
        Shape::Sync => quote! {
            #items
            #setup
            let __metrics_guard = #start_panic;
            let __metrics_out #out_ty = #p::call_once(move || #returns #block);
            #finish
        },
        // An async closure, so that its return type is the function's.
        Shape::Async => quote! {
            #items
            #setup
            let __metrics_guard = #start_cancel;
            let (__metrics_out, __metrics_guard) =
                #p::Instrumented::new((async move || #returns #block)(), __metrics_guard).await;
            let __metrics_out #out_ty = __metrics_out;
            #finish
        },
        Shape::ReturnsFuture => quote! {
            #items
            #setup
            let __metrics_guard = #start_panic;
            let __metrics_future = #p::call_once(move || #block);
            let __metrics_guard = __metrics_guard.pending();
            async move {
                let (__metrics_out, __metrics_guard) =
                    #p::Instrumented::new(__metrics_future, __metrics_guard).await;
                let __metrics_out #out_ty = __metrics_out;
                #finish
            }
        },
    };
    quote! {
        #outer
        #(#attrs)*
        #(#[doc = #docs])*
        #vis #sig {
            #body
        }
    }
}
