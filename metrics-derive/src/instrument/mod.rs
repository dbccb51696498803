//! `#[instrument_metric]`: call counts, durations and outcomes of a function,
//! recorded without changing its signature.
//!
//! Two forms. Without `duration`/`count`, the attribute declares the metrics
//! itself: a struct deriving `Metrics` inside the function body (so that it
//! works on methods and generic functions alike, one set of metrics per
//! function), named `<namespace>_<subsystem>_<name>_total{result}` and
//! `.._duration_seconds{result}` and checked by the same rules as any
//! declaration. With `duration = <histogram>` and/or `count = <counter>`, it
//! records into metrics declared elsewhere, with `labels = Set { .. }`.
//!
//! The body runs in a closure (sync) or an async block (async), so that its
//! `return` and `?` end the body and not the recording around it.

mod args;
mod declared;
mod docs;
mod targets;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ctxt::Ctxt;
use crate::private::Private;

use args::{Config, check_config, parse_config};
use declared::declaring;
use targets::recording_into_targets;

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

/// How the function runs, which decides how its end is observed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Sync,
    Async,
    /// A non-`async` function returning `impl Future`.
    ReturnsFuture,
}

pub(crate) fn expand(args: TokenStream, item: &TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let config = parse_config(&cx, args);
    let function = match parse_function(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            cx.push(error);
            let errors = cx.check().err().map(|e| e.to_compile_error());
            return quote!(#errors #item);
        }
    };
    let shape = check_function(&cx, &function);
    check_config(&cx, &config, &function);
    let private = Private(config.krate.clone());
    let instrumented = instrument(&cx, &config, &function, shape, &private);
    match cx.check() {
        Ok(()) => instrumented,
        // The function as written, so that its callers report nothing more.
        Err(errors) => {
            let errors = errors.to_compile_error();
            quote!(#errors #function)
        }
    }
}

/// The item: a function with a body (free, method, associated, in a trait
/// impl, or a trait's default method).
fn parse_function(item: TokenStream) -> syn::Result<syn::ItemFn> {
    match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(function) => Ok(function),
        Err(error) => match syn::parse2::<syn::TraitItemFn>(item) {
            Ok(declaration) if declaration.default.is_none() => Err(syn::Error::new_spanned(
                &declaration.sig.ident,
                "`#[instrument_metric]` instruments a function body; this declaration has none\n= help: put the attribute on the method in each `impl` of the trait, or on a default body",
            )),
            _ => Err(syn::Error::new(error.span(), format!("`#[instrument_metric]` goes on a function: {error}"))),
        },
    }
}

/// Rejects the functions a clock cannot wrap; returns how the function runs.
fn check_function(cx: &Ctxt, function: &syn::ItemFn) -> Shape {
    let sig = &function.sig;
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(
            constness,
            "`#[instrument_metric]` cannot instrument a `const fn`: const evaluation has no clock and records nothing\n= help: remove `const`, or instrument the functions that call it at run time",
        );
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned_by(
            abi,
            "`#[instrument_metric]` cannot instrument an `extern` function: its body would run inside a Rust closure, whose unwinding and calling convention differ\n= help: instrument a Rust function that the `extern` function calls",
        );
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(
            variadic,
            "`#[instrument_metric]` cannot instrument a variadic function\n= help: instrument a function with a fixed argument list that this one calls",
        );
    }
    if sig.asyncness.is_some() {
        Shape::Async
    } else if future_output(&sig.output).is_some() {
        Shape::ReturnsFuture
    } else {
        Shape::Sync
    }
}

/// `X` of a return type `impl Future<Output = X> + ..`.
fn future_output(output: &syn::ReturnType) -> Option<&syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else { return None };
    let syn::Type::ImplTrait(impl_trait) = &**ty else { return None };
    impl_trait.bounds.iter().find_map(|bound| {
        let syn::TypeParamBound::Trait(bound) = bound else { return None };
        let last = bound.path.segments.last()?;
        if last.ident != "Future" {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
        args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(&assoc.ty),
            _ => None,
        })
    })
}

/// The type the function's call produces: its return type, or the output of
/// the future it returns.
fn produced(sig: &syn::Signature) -> Option<&syn::Type> {
    match &sig.output {
        syn::ReturnType::Default => None,
        output @ syn::ReturnType::Type(_, ty) => future_output(output).or(Some(&**ty)),
    }
}

/// `E` of a function whose call produces `Result<T, E>`, as written (not
/// through an alias).
fn result_error(sig: &syn::Signature) -> Option<&syn::Type> {
    produced(sig).and_then(|ty| match ty {
        syn::Type::Path(path) => {
            let last = path.path.segments.last()?;
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
            if last.ident != "Result" {
                return None;
            }
            args.args.iter().filter_map(|a| if let syn::GenericArgument::Type(t) = a { Some(t) } else { None }).nth(1)
        }
        _ => None,
    })
}

/// Whether a type can be written inside the body: no `impl Trait`, no `_`.
fn nameable(tokens: TokenStream) -> bool {
    tokens.into_iter().all(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident != "impl" && ident != "_",
        proc_macro2::TokenTree::Group(group) => nameable(group.stream()),
        proc_macro2::TokenTree::Punct(_) | proc_macro2::TokenTree::Literal(_) => true,
    })
}

/// The instrumented function.
fn instrument(cx: &Ctxt, config: &Config, function: &syn::ItemFn, shape: Shape, p: &Private) -> TokenStream {
    let syn::ItemFn { attrs, vis, sig, block } = function;
    let Recording { outer, items, setup, record, after, outcome, docs } = if config.targets() {
        recording_into_targets(cx, config, function, shape, p)
    } else {
        declaring(cx, config, function, shape, p)
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
