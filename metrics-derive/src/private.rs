//! The path generated code uses to reach the runtime.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// `::metricate::__private`, or `<crate>::__private` under
/// `#[metrics(crate = "...")]`, for crates that re-export the runtime.
pub(crate) struct Private(pub(crate) Option<syn::Path>);

impl ToTokens for Private {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match &self.0 {
            Some(krate) => tokens.extend(quote!(#krate::__private)),
            None => tokens.extend(quote!(::metricate::__private)),
        }
    }
}
