//! Helpers for reading `#[metrics(..)]`, `#[metric(..)]` and `#[label(..)]`
//! attributes: set-once slots, unknown keys with a suggestion, literals.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;

use crate::ctxt::Ctxt;

/// A value an attribute key may set at most once. The duplicate is reported
/// at its second occurrence.
pub(crate) struct Slot<T> {
    key: &'static str,
    value: Option<(Span, T)>,
}

impl<T> Slot<T> {
    pub(crate) fn new(key: &'static str) -> Slot<T> {
        Slot { key, value: None }
    }

    pub(crate) fn set(&mut self, cx: &Ctxt, span: Span, value: T) {
        if self.value.is_some() {
            cx.error_at(span, format_args!("duplicate attribute key `{}`\n= help: give `{}` once", self.key, self.key));
        } else {
            self.value = Some((span, value));
        }
    }

    pub(crate) fn get(self) -> Option<T> {
        self.value.map(|(_, value)| value)
    }

    pub(crate) fn get_with_span(self) -> Option<(Span, T)> {
        self.value
    }

    /// Where the key was given, if it was.
    pub(crate) fn span(&self) -> Option<Span> {
        self.value.as_ref().map(|(span, _)| *span)
    }

    /// The value, left in the slot.
    pub(crate) fn peek(&self) -> Option<&T> {
        self.value.as_ref().map(|(_, value)| value)
    }
}

/// Reports an unknown key, suggesting the closest known one.
pub(crate) fn unknown_key(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attribute: &str, known: &[&str]) {
    let found = meta.path.get_ident().map_or_else(|| "?".to_owned(), ToString::to_string);
    let suggestion = did_you_mean(&found, known).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
    let expected = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    cx.error_spanned_by(
        &meta.path,
        format_args!("unknown `{attribute}` attribute key `{found}`{suggestion}\n= help: expected one of {expected}"),
    );
    skip_value(meta);
}

/// The known word closest to `found`: within two edits, or one that starts
/// with it (`snake` -> `snake_case`).
pub(crate) fn did_you_mean<'k>(found: &str, known: &[&'k str]) -> Option<&'k str> {
    let close = known.iter().map(|k| (edit_distance(found, k), *k)).filter(|(d, _)| *d <= 2).min().map(|(_, k)| k);
    close.or_else(|| known.iter().find(|k| !found.is_empty() && k.starts_with(found)).copied())
}

/// Skips what is left of the current key (its value), up to the next `,`,
/// so that the keys after it parse and nothing more is reported.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) {
    while !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
        if meta.input.parse::<proc_macro2::TokenTree>().is_err() {
            break;
        }
    }
}

/// A key that takes no value (`#[alert(absent)]`, `#[label(error)]`): a
/// value given to it is an error, and is skipped so the keys after it parse.
pub(crate) fn bare(cx: &Ctxt, meta: &ParseNestedMeta<'_>, attribute: &str) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let key = meta.path.get_ident().map_or_else(String::new, ToString::to_string);
        let eq: syn::Token![=] = meta.input.parse()?;
        cx.error_spanned_by(
            eq,
            format_args!("`{key}` takes no value\n= help: write `#[{attribute}({key})]`, without `= ..`"),
        );
        skip_value(meta);
    }
    Ok(())
}

/// Reads `key = "string"`; an error names the key.
pub(crate) fn string(meta: &ParseNestedMeta<'_>) -> syn::Result<syn::LitStr> {
    let key = meta.path.get_ident().map_or_else(String::new, ToString::to_string);
    meta.value()?.parse::<syn::LitStr>().map_err(|error| {
        syn::Error::new(error.span(), format!("`{key}` takes a string literal, e.g. `{key} = \"...\"`"))
    })
}

/// The key every macro's attribute takes: `crate = "path"`, the path of a
/// crate that re-exports the runtime.
pub(crate) const CRATE: &str = "crate";

/// The struct attribute of `#[derive(Metrics)]`, whose `crate` key
/// `#[derive(HttpMetrics)]` reads too.
pub(crate) const METRICS: &str = "metrics";

/// Parses the `#[name(..)]` attributes of the item a derive is on, as
/// [`for_each_key`] does, reading their `crate = "path"` key itself and every
/// other key with `f`; returns the path.
pub(crate) fn for_each_container_key(
    cx: &Ctxt,
    attrs: &[syn::Attribute],
    name: &str,
    mut f: impl FnMut(&ParseNestedMeta<'_>) -> syn::Result<()>,
) -> Option<syn::Path> {
    let mut krate = Slot::new(CRATE);
    for_each_key(cx, attrs, name, |meta| {
        if !meta.path.is_ident(CRATE) {
            return f(meta);
        }
        let lit = string(meta)?;
        krate.set(cx, lit.span(), lit.parse()?);
        Ok(())
    });
    krate.get()
}

/// Parses every `#[name(..)]` attribute in `attrs` with `f`, reporting parse
/// errors into `cx` and continuing with the next key.
pub(crate) fn for_each_key(
    cx: &Ctxt,
    attrs: &[syn::Attribute],
    name: &str,
    mut f: impl FnMut(&ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
        if let Err(error) = attr.parse_nested_meta(|meta| {
            if let Err(error) = f(&meta) {
                cx.push(error);
                // Skip the rest of this key's value so the next key parses.
                skip_value(&meta);
            }
            Ok(())
        }) {
            cx.push(error);
        }
    }
}

/// The doc comment of an item: its `///` lines, trimmed and joined by spaces.
pub(crate) fn doc_comment(attrs: &[syn::Attribute]) -> Option<(String, Span)> {
    let mut lines = Vec::new();
    let mut span = None;
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &nv.value
        {
            // The span `Spanned` gives it on a stable compiler (the first
            // token's), without printing the attribute to tokens.
            span.get_or_insert(attr.pound_token.span);
            lines.push(s.value().trim().to_owned());
        }
    }
    let text = lines.iter().filter(|l| !l.is_empty()).cloned().collect::<Vec<_>>().join(" ");
    span.map(|span| (text, span))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb { previous } else { 1 + previous.min(row[j]).min(row[j + 1]) };
            previous = current;
        }
    }
    row[b.len()]
}
