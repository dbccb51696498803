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

#[cfg(test)]
mod tests {
    #[test]
    fn each_missing_required_field_is_reported() {
        let input: syn::DeriveInput = syn::parse_quote! {
            struct Http {
                sessions: IntGauge,
            }
        };
        let out = super::expand(&input).to_string();
        assert_eq!(out.matches("compile_error").count(), 2, "{out}");
        assert!(out.contains("needs a field `requests_total`"), "{out}");
        assert!(out.contains("needs a field `request_duration_seconds`"), "{out}");
        assert!(!out.contains("impl"), "no impl beside the errors: {out}");
    }

    #[test]
    fn optional_methods_are_written_for_the_fields_declared() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[metrics(subsystem = "web", crate = "shop::telemetry")]
            struct Http {
                requests_total: Family<ByResponse<Route>, Counter>,
                request_duration_seconds: Family<ByResponse<Route>, Histogram>,
                requests_in_flight: Family<ByRoute<Route>, IntGauge>,
                sessions: IntGauge,
            }
        };
        let out = super::expand(&input).to_string();
        assert!(out.contains("impl shop :: telemetry :: http :: HttpMetrics for Http"), "{out}");
        for method in ["fn requests_total", "fn request_duration_seconds", "fn requests_in_flight"] {
            assert!(out.contains(method), "{method} in {out}");
        }
        for absent in ["fn request_body_size_bytes", "fn response_body_size_bytes", "sessions", "compile_error"] {
            assert!(!out.contains(absent), "{absent} in {out}");
        }
    }
}
