//! What `#[derive(HttpMetrics)]` checks: a struct with named fields and no
//! generic parameters, with the two fields the layer always records into.
//! The fields' types are the compiler's to check, against the trait's
//! methods, at each field's type.

use crate::ctxt::Ctxt;
use crate::item;

/// The fields the layer records into; the optional ones when declared.
pub(super) struct Fields<'a> {
    pub(super) requests_total: &'a syn::Field,
    pub(super) request_duration_seconds: &'a syn::Field,
    pub(super) requests_in_flight: Option<&'a syn::Field>,
    pub(super) request_body_size_bytes: Option<&'a syn::Field>,
    pub(super) response_body_size_bytes: Option<&'a syn::Field>,
}

/// The fields' names, each spelled once: the trait's method names.
pub(super) const REQUESTS_TOTAL: &str = "requests_total";
pub(super) const REQUEST_DURATION_SECONDS: &str = "request_duration_seconds";
pub(super) const REQUESTS_IN_FLIGHT: &str = "requests_in_flight";
pub(super) const REQUEST_BODY_SIZE_BYTES: &str = "request_body_size_bytes";
pub(super) const RESPONSE_BODY_SIZE_BYTES: &str = "response_body_size_bytes";

/// The required fields, with the type each is declared with in the help.
const REQUIRED: [(&str, &str, &str); 2] = [
    (REQUESTS_TOTAL, "Family<ByResponse<Route>, Counter>", "counts every request"),
    (REQUEST_DURATION_SECONDS, "Family<ByResponse<Route>, Histogram>", "times every request"),
];

/// The struct's fields by name; `None` after reporting what is missing or
/// why the item cannot have them.
pub(super) fn fields<'a>(cx: &Ctxt, input: &'a syn::DeriveInput) -> Option<Fields<'a>> {
    let says = item::OnlyNamedFields {
        unnamed: "`HttpMetrics` needs named fields: the layer finds its metrics by their names\n= help: write `struct Name { requests_total: .., request_duration_seconds: .., .. }`",
        on_enum: "`HttpMetrics` is derived on the `#[derive(Metrics)]` struct that holds the layer's metrics\n= help: write `struct Name { requests_total: .., request_duration_seconds: .., .. }`",
        on_union: "`HttpMetrics` is derived on the `#[derive(Metrics)]` struct that holds the layer's metrics\n= help: write `struct Name { requests_total: .., request_duration_seconds: .., .. }`",
    };
    let named = item::named_fields(cx, input, &says)?;
    item::not_generic(
        cx,
        input,
        "`HttpMetrics` cannot be derived on a generic struct: the layer's label types are fixed\n= help: remove the generic parameters",
    );
    let find = |name: &str| named.named.iter().find(|f| f.ident.as_ref().is_some_and(|i| i == name));
    let [total, duration] = REQUIRED.map(|(name, ty, what)| {
        let found = find(name);
        if found.is_none() {
            cx.error_spanned_by(
                &input.ident,
                format_args!(
                    "`HttpMetrics` needs a field `{name}`: the layer {what}\n= help: add `{name}: {ty}` (`ByResponse<Route, StatusCode>` for exact status codes)"
                ),
            );
        }
        found
    });
    Some(Fields {
        requests_total: total?,
        request_duration_seconds: duration?,
        requests_in_flight: find(REQUESTS_IN_FLIGHT),
        request_body_size_bytes: find(REQUEST_BODY_SIZE_BYTES),
        response_body_size_bytes: find(RESPONSE_BODY_SIZE_BYTES),
    })
}
