//! The attributes of `#[derive(LabelValue)]` as written: `#[label(crate,
//! rename_all)]` on the enum, `#[label(rename, error)]` on a variant.

use syn::spanned::Spanned;

use super::Variant;
use crate::attr::{self, CRATE, Slot};
use crate::case::RenameRule;
use crate::ctxt::Ctxt;

/// The attribute and its keys, each spelled once.
const LABEL: &str = "label";
const RENAME_ALL: &str = "rename_all";
const RENAME: &str = "rename";
const ERROR: &str = "error";

/// The enum's `#[label(..)]` keys.
pub(super) struct Container {
    /// `crate = ".."`: the path of a crate that re-exports the runtime.
    pub(super) krate: Option<syn::Path>,
    /// `rename_all = ".."`, snake case unless given.
    pub(super) rename_all: RenameRule,
}

/// Reads the enum's `#[label(..)]`.
pub(super) fn container(cx: &Ctxt, input: &syn::DeriveInput) -> Container {
    let mut rename_all = Slot::new(RENAME_ALL);
    let krate = attr::for_each_container_key(cx, &input.attrs, LABEL, |meta| {
        if meta.path.is_ident(RENAME_ALL) {
            let lit = attr::string(meta)?;
            match RenameRule::from_str(&lit.value()) {
                Some(rule) => rename_all.set(cx, lit.span(), rule),
                None => {
                    let names: Vec<&str> = RenameRule::ALL.iter().map(|(n, _)| *n).collect();
                    let value = lit.value();
                    let suggestion = attr::did_you_mean(&value, &names)
                        .map(|n| format!("; did you mean `\"{n}\"`?"))
                        .unwrap_or_default();
                    let expected = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>();
                    cx.error_spanned_by(
                        &lit,
                        format_args!(
                            "unknown rename rule `rename_all = \"{value}\"`{suggestion}\n= help: expected one of {}",
                            expected.join(", ")
                        ),
                    );
                }
            }
        } else {
            attr::unknown_key(cx, meta, LABEL, &[RENAME_ALL, CRATE]);
        }
        Ok(())
    });
    Container { krate, rename_all: rename_all.get().unwrap_or(RenameRule::Snake) }
}

/// Each variant's `#[label(..)]`, and the value it stands for: its
/// `rename`, or its name under `rule`.
pub(super) fn variants<'a>(cx: &Ctxt, data: &'a syn::DataEnum, rule: RenameRule) -> Vec<Variant<'a>> {
    let mut variants = Vec::new();
    for variant in &data.variants {
        let mut rename = Slot::new(RENAME);
        let mut error = Slot::new(ERROR);
        attr::for_each_key(cx, &variant.attrs, LABEL, |meta| {
            if meta.path.is_ident(RENAME) {
                let lit = attr::string(meta)?;
                rename.set(cx, lit.span(), lit);
            } else if meta.path.is_ident(ERROR) {
                attr::bare(cx, meta, LABEL)?;
                error.set(cx, meta.path.span(), ());
            } else {
                attr::unknown_key(cx, meta, LABEL, &[RENAME, ERROR]);
            }
            Ok(())
        });
        let (value, value_span) = match rename.get() {
            Some(lit) => (lit.value(), lit.span()),
            None => (rule.apply(&variant.ident.to_string()), variant.ident.span()),
        };
        variants.push(Variant { ident: &variant.ident, value, value_span, error: error.get().is_some() });
    }
    variants
}
