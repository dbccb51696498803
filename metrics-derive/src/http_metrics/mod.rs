//! `#[derive(HttpMetrics)]`: a `#[derive(Metrics)]` struct whose fields are
//! the HTTP layer's metrics, by their suggested names, implements
//! `metricate::http::HttpMetrics`.
//!
//! The stages, one file each: [`attr`] reads `crate = ".."` from the
//! struct's `#[metrics(..)]`, [`validate`] finds the fields (the two the
//! layer needs, and the optional three), and [`expand`] writes the impl.

mod attr;
mod expand;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;
use crate::private::Private;

pub(crate) fn expand(input: &syn::DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let private = Private(attr::krate(input));
    let fields = validate::fields(&cx, input);
    // Nothing is read from files: no tracking to emit.
    let _ = cx.take_tracking();
    match (cx.check(), fields) {
        (Ok(()), Some(fields)) => expand::impl_http_metrics(&input.ident, &fields, &private),
        (Err(errors), _) => errors.to_compile_error(),
        (Ok(()), None) => quote!(),
    }
}
