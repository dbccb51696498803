//! Collects every error a macro finds, so that one compile reports them all,
//! and the items that make Cargo track what the expansion read.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// The error collector. It must be consumed with [`Ctxt::check`]: dropping it
/// unchecked would lose errors, so it panics (a bug in the macro, never a
/// user error). It also holds the tracking items of what the expansion read
/// ([`Ctxt::track`]), which the expansion must take and emit, failed or not
/// ([`Ctxt::take_tracking`]); dropping them would leave a crate unbuilt
/// when a file it depends on changes, so that panics too.
pub(crate) struct Ctxt {
    errors: RefCell<Option<Vec<syn::Error>>>,
    tracking: RefCell<Option<TokenStream>>,
}

impl Ctxt {
    pub(crate) fn new() -> Ctxt {
        Ctxt { errors: RefCell::new(Some(Vec::new())), tracking: RefCell::new(Some(TokenStream::new())) }
    }

    /// Items (`const _` of an `include_bytes!` or `option_env!`) that make
    /// Cargo rebuild the crate when a file or variable the expansion read
    /// changes: the policy's manifests, the rustdoc catalogue.
    pub(crate) fn track(&self, items: TokenStream) {
        self.tracking
            .borrow_mut()
            .as_mut()
            .expect("tracking after it was taken") // invariant: loads come before the expansion
            .extend(items);
    }

    /// The tracking items, for the expansion to emit wherever items may go,
    /// whether it failed or not.
    pub(crate) fn take_tracking(&self) -> TokenStream {
        self.tracking.borrow_mut().take().expect("tracking taken twice") // invariant
    }

    /// Reports an error at the span of `tokens`.
    pub(crate) fn error_spanned_by<T: ToTokens, M: Display>(&self, tokens: T, message: M) {
        self.push(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// Reports each message whose tokens are there (`Some`), at their span:
    /// the keys or keywords that may not be written, each with why.
    pub(crate) fn error_each_spanned_by(&self, found: &[(Option<&dyn ToTokens>, &str)]) {
        for (tokens, message) in found {
            if let Some(tokens) = tokens {
                self.error_spanned_by(tokens, message);
            }
        }
    }

    /// Reports an error at `span`.
    pub(crate) fn error_at<M: Display>(&self, span: Span, message: M) {
        self.push(syn::Error::new(span, message));
    }

    /// Reports an already built error.
    pub(crate) fn push(&self, error: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("Ctxt used after check") // invariant: check consumes self
            .push(error);
    }

    /// All errors combined into one, or `Ok` if there were none.
    pub(crate) fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().expect("Ctxt checked twice"); // invariant
        let mut iter = errors.into_iter();
        let Some(mut combined) = iter.next() else {
            return Ok(());
        };
        for error in iter {
            combined.combine(error);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        assert!(self.errors.borrow().is_none(), "forgot to check for errors");
        assert!(self.tracking.borrow().as_ref().is_none_or(TokenStream::is_empty), "forgot to emit the tracking");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_is_kept_in_the_order_reported() {
        let cx = Ctxt::new();
        cx.error_at(Span::call_site(), "first");
        cx.error_spanned_by(quote::quote!(x), "second");
        cx.push(syn::Error::new(Span::call_site(), "third"));
        let errors = cx.check().expect_err("three errors");
        let messages: Vec<String> = errors.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages, ["first", "second", "third"]);
        assert!(Ctxt::new().check().is_ok());
    }

    #[test]
    fn the_tracking_is_taken_once_whatever_the_errors() {
        let cx = Ctxt::new();
        cx.track(quote::quote!(
            const _: &[u8] = ::core::include_bytes!("/a/Cargo.toml");
        ));
        cx.error_at(Span::call_site(), "broken");
        let tracking = cx.take_tracking().to_string();
        assert!(tracking.contains("include_bytes"), "{tracking}");
        assert!(cx.check().is_err());
    }

    #[test]
    fn dropping_the_tracking_or_the_errors_is_a_bug_that_panics() {
        let forgot_tracking = std::panic::catch_unwind(|| {
            let cx = Ctxt::new();
            cx.track(quote::quote!(
                const _: () = ();
            ));
            let _ = cx.check();
        });
        assert!(forgot_tracking.is_err());
        let forgot_errors = std::panic::catch_unwind(|| {
            let cx = Ctxt::new();
            let _ = cx.take_tracking();
        });
        assert!(forgot_errors.is_err());
        // Nothing tracked: nothing to take.
        let cx = Ctxt::new();
        assert!(cx.check().is_ok());
    }
}
