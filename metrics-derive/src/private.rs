//! The path generated code uses to reach the runtime.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// `::metricate::__private`, or `<crate>::__private` under
/// `#[metrics(crate = "...")]`, for crates that re-export the runtime.
pub(crate) struct Private(pub(crate) Option<syn::Path>);

impl Private {
    /// The runtime crate itself, `::metricate` or the re-exporter's path,
    /// for public items that generated public code names (and its docs
    /// show).
    pub(crate) fn root(&self) -> TokenStream {
        match &self.0 {
            Some(krate) => quote!(#krate),
            None => quote!(::metricate),
        }
    }
}

impl Private {
    /// The path as source text (without a trip through the compiler for
    /// the usual one).
    pub(crate) fn text(&self) -> String {
        match &self.0 {
            Some(krate) => format!("{}::__private", krate.to_token_stream()),
            None => "::metricate::__private".to_owned(),
        }
    }
}

impl ToTokens for Private {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match &self.0 {
            Some(krate) => tokens.extend(quote!(#krate::__private)),
            None => tokens.extend(quote!(::metricate::__private)),
        }
    }
}
