//! What `#[derive(HttpMetrics)]` writes: the impl of
//! `metricate::http::HttpMetrics`, its `Route` and `Status` those of the
//! `requests_total` family, each method returning its field, spanned at the
//! field's type: a field of another type than the method's is a mismatch
//! reported there.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::validate::{Fields, REQUEST_BODY_SIZE_BYTES, REQUESTS_IN_FLIGHT, RESPONSE_BODY_SIZE_BYTES};
use crate::private::Private;

/// The impl. Cannot fail: what could be wrong was reported by `validate`.
pub(super) fn impl_http_metrics(ident: &syn::Ident, fields: &Fields<'_>, private: &Private) -> TokenStream {
    let root = private.root();
    // A field's value, spanned at its type: a type other than the method's is
    // a mismatch reported there.
    let field = |field: &syn::Field| {
        let name = &field.ident;
        quote_spanned!(field.ty.span()=> &self.#name)
    };
    let total_ty = &fields.requests_total.ty;
    // Spanned at the type: a family not by response is reported there.
    let [route, status] = [quote!(Route), quote!(Status)]
        .map(|label| quote_spanned!(total_ty.span()=> <#total_ty as #root::http::RequestsFamily>::#label));
    let by_response = quote!(#root::http::ByResponse<Self::Route, Self::Status>);
    let by_route = quote!(#root::http::ByRoute<Self::Route>);
    let (total, duration) = (field(fields.requests_total), field(fields.request_duration_seconds));
    let optional = |found: Option<&syn::Field>, name: &str, family: TokenStream| {
        found.map(|f| {
            let method = syn::Ident::new(name, proc_macro2::Span::call_site());
            let value = field(f);
            quote! {
                fn #method(&self) -> ::core::option::Option<&#root::Family<#family>> {
                    ::core::option::Option::Some(#value)
                }
            }
        })
    };
    let in_flight = optional(fields.requests_in_flight, REQUESTS_IN_FLIGHT, quote!(#by_route, #root::IntGauge));
    let request_size =
        optional(fields.request_body_size_bytes, REQUEST_BODY_SIZE_BYTES, quote!(#by_route, #root::Histogram));
    let response_size =
        optional(fields.response_body_size_bytes, RESPONSE_BODY_SIZE_BYTES, quote!(#by_response, #root::Histogram));
    quote! {
        impl #root::http::HttpMetrics for #ident {
            type Route = #route;
            type Status = #status;
            fn requests_total(&self) -> &#root::Family<#by_response, #root::Counter> {
                #total
            }
            fn request_duration_seconds(&self) -> &#root::Family<#by_response, #root::Histogram> {
                #duration
            }
            #in_flight
            #request_size
            #response_size
        }
    }
}
