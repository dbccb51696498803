//! The attributes of `#[derive(LabelValue)]` as written: `#[label(crate,
//! rename_all)]` on the enum, `#[label(rename, error)]` on a variant.

use syn::spanned::Spanned;

use super::Variant;
use crate::attr::{self, Slot};
use crate::case::RenameRule;
use crate::ctxt::Ctxt;

/// The enum's `#[label(..)]` keys.
pub(super) struct Container {
    /// `crate = ".."`: the path of a crate that re-exports the runtime.
    pub(super) krate: Option<syn::Path>,
    /// `rename_all = ".."`, snake case unless given.
    pub(super) rename_all: RenameRule,
}

/// Reads the enum's `#[label(..)]`.
pub(super) fn container(cx: &Ctxt, input: &syn::DeriveInput) -> Container {
    let mut krate = Slot::new("crate");
    let mut rename_all = Slot::new("rename_all");
    attr::for_each_key(cx, &input.attrs, "label", |meta| {
        if meta.path.is_ident("crate") {
            let lit = attr::string(meta)?;
            krate.set(cx, lit.span(), lit.parse::<syn::Path>()?);
        } else if meta.path.is_ident("rename_all") {
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
            attr::unknown_key(cx, meta, "label", &["rename_all", "crate"]);
        }
        Ok(())
    });
    Container { krate: krate.get(), rename_all: rename_all.get().unwrap_or(RenameRule::Snake) }
}

/// Each variant's `#[label(..)]`, and the value it stands for: its
/// `rename`, or its name under `rule`.
pub(super) fn variants<'a>(cx: &Ctxt, data: &'a syn::DataEnum, rule: RenameRule) -> Vec<Variant<'a>> {
    let mut variants = Vec::new();
    for variant in &data.variants {
        let mut rename = Slot::new("rename");
        let mut error = Slot::new("error");
        attr::for_each_key(cx, &variant.attrs, "label", |meta| {
            if meta.path.is_ident("rename") {
                let lit = attr::string(meta)?;
                rename.set(cx, lit.span(), lit);
            } else if meta.path.is_ident("error") {
                attr::bare(cx, meta, "label")?;
                error.set(cx, meta.path.span(), ());
            } else {
                attr::unknown_key(cx, meta, "label", &["rename", "error"]);
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
