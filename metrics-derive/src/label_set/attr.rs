//! The attributes of `#[derive(LabelSet)]` as written: `#[label(crate,
//! quiet)]` on the struct.

use syn::spanned::Spanned;

use crate::attr::{self, CRATE, Slot};
use crate::ctxt::Ctxt;

/// The attribute and its keys, each spelled once.
pub(super) const LABEL: &str = "label";
const QUIET: &str = "quiet";

/// The struct's `#[label(..)]` keys.
pub(super) struct Container {
    /// `crate = ".."`: the path of a crate that re-exports the runtime.
    pub(super) krate: Option<syn::Path>,
    /// `quiet`: families over the set expose only the combinations recorded
    /// to.
    pub(super) quiet: bool,
}

/// Reads the struct's `#[label(..)]`.
pub(super) fn container(cx: &Ctxt, input: &syn::DeriveInput) -> Container {
    let mut quiet = Slot::new(QUIET);
    let krate = attr::for_each_container_key(cx, &input.attrs, LABEL, |meta| {
        if meta.path.is_ident(QUIET) {
            if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                return Err(meta.error(
                    "`quiet` takes no value\n= help: write `#[label(quiet)]`; a family that wants every combination says `#[metric(quiet = false)]`",
                ));
            }
            quiet.set(cx, meta.path.span(), ());
        } else {
            attr::unknown_key(cx, meta, LABEL, &[CRATE, QUIET]);
        }
        Ok(())
    });
    Container { krate, quiet: quiet.get().is_some() }
}
