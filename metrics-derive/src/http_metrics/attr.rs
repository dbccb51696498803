//! What `#[derive(HttpMetrics)]` reads of the attributes as written: the
//! `crate = ".."` key of the struct's `#[metrics(..)]`, for crates that
//! re-export the runtime. The attribute is `#[derive(Metrics)]`'s, which
//! reports every problem in it; this derive reports none.

use crate::attr::{self, CRATE, METRICS};

/// The path of `crate = ".."` in the struct's `#[metrics(..)]`, if given and
/// well formed.
pub(super) fn krate(input: &syn::DeriveInput) -> Option<syn::Path> {
    let mut krate = None;
    for a in input.attrs.iter().filter(|a| a.path().is_ident(METRICS)) {
        // A malformed attribute is `#[derive(Metrics)]`'s to report.
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.is_ident(CRATE) {
                krate = Some(attr::string(&meta)?.parse()?);
            } else {
                attr::skip_value(&meta);
            }
            Ok(())
        });
    }
    krate
}
