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
//!
//! The stages, one file each: [`attr`] reads the arguments and the function,
//! [`validate`] checks them, and [`expand`] writes the instrumented function.

mod attr;
mod expand;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;
use crate::private::Private;

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
    let config = attr::config(&cx, args);
    let function = match attr::function(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            cx.push(error);
            let errors = cx.check().err().map(|e| e.to_compile_error());
            return quote!(#errors #item);
        }
    };
    let shape = validate::function(&cx, &function);
    validate::config(&cx, &config, &function);
    let private = Private(config.krate.clone());
    let checked = if config.targets() {
        expand::Checked::Targets(match &config.labels {
            Some(labels) => validate::takes_outcome(&cx, &config, &function, labels),
            None => Vec::new(),
        })
    } else {
        expand::Checked::Declared(validate::naming(&cx, &config, &function))
    };
    let instrumented = expand::instrument(&config, &function, shape, checked, &private);
    match cx.check() {
        Ok(()) => instrumented,
        // The function as written, so that its callers report nothing more.
        Err(errors) => {
            let errors = errors.to_compile_error();
            quote!(#errors #function)
        }
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

/// A field of a struct expression as written: its name or index.
fn member_name(member: &syn::Member) -> String {
    match member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    }
}
