//! The attributes of `#[derive(Metrics)]` as written: `#[metrics(..)]` on
//! the struct and `#[metric(..)]` on each field, each key read once into a
//! slot that keeps its span. Nothing here applies a rule beyond the form
//! of a value (a string, a list).

use syn::spanned::Spanned;

use metricate_catalog::rules::{self, H1List};

use crate::attr::{self, Slot};
use crate::ctxt::Ctxt;

/// The `#[metrics(..)]` keys of the struct, as written.
pub(super) struct Container {
    /// `crate = ".."`: the path of a crate that re-exports the runtime.
    pub(super) krate: Option<syn::Path>,
    pub(super) subsystem: Option<syn::LitStr>,
    /// `function = ".."`: the function whose metrics these are (as
    /// `#[instrument_metric]` declares them).
    pub(super) function: Option<String>,
}

/// Reads `#[metrics(..)]`.
pub(super) fn container(cx: &Ctxt, input: &syn::DeriveInput) -> Container {
    let mut krate = Slot::new("crate");
    let mut subsystem = Slot::new("subsystem");
    let mut function = Slot::new("function");
    attr::for_each_key(cx, &input.attrs, "metrics", |meta| {
        if meta.path.is_ident("crate") {
            let lit = attr::string(meta)?;
            krate.set(cx, lit.span(), lit.parse::<syn::Path>()?);
        } else if meta.path.is_ident("subsystem") {
            let lit = attr::string(meta)?;
            subsystem.set(cx, lit.span(), lit);
        } else if meta.path.is_ident("function") {
            let lit = attr::string(meta)?;
            function.set(cx, lit.span(), lit.value());
        } else {
            attr::unknown_key(cx, meta, "metrics", &["subsystem", "crate", "function"]);
        }
        Ok(())
    });
    Container { krate: krate.get(), subsystem: subsystem.get(), function: function.get() }
}

/// The `#[metric(..)]` keys of one field, as written.
pub(super) struct FieldAttrs {
    pub(super) name: Slot<String>,
    pub(super) unit: Slot<String>,
    pub(super) help: Slot<String>,
    pub(super) buckets: Slot<syn::ExprArray>,
    pub(super) max_series: Slot<syn::LitInt>,
    pub(super) version: Slot<syn::LitStr>,
    pub(super) deprecated: Slot<syn::LitStr>,
    pub(super) replacement: Slot<syn::LitStr>,
    pub(super) quiet: Slot<bool>,
    pub(super) quantiles: Slot<syn::ExprArray>,
    pub(super) max_age: Slot<syn::LitStr>,
    pub(super) age_buckets: Slot<syn::Expr>,
    pub(super) created: Slot<()>,
}

/// The keys of `#[metric(..)]`.
const FIELD_KEYS: &[&str] = &[
    "help",
    "unit",
    "buckets",
    "max_series",
    "name",
    "version",
    "deprecated",
    "replacement",
    "quiet",
    "quantiles",
    "max_age",
    "age_buckets",
    "created",
];

/// The value of `quiet`: bare, `= true` or `= false`.
fn quiet_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<bool> {
    if meta.input.is_empty() || meta.input.peek(syn::Token![,]) {
        return Ok(true);
    }
    let expr: syn::Expr = meta.value()?.parse()?;
    match &expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(b), .. }) => Ok(b.value),
        _ => Err(syn::Error::new_spanned(
            expr,
            "`quiet` is `true` or `false`\n= help: write `#[metric(quiet)]`, or `#[metric(quiet = false)]` to expose every label combination of a label set that is quiet by default",
        )),
    }
}

pub(super) fn field_attrs(cx: &Ctxt, field: &syn::Field, local: &str) -> FieldAttrs {
    let mut attrs = FieldAttrs {
        name: Slot::new("name"),
        unit: Slot::new("unit"),
        help: Slot::new("help"),
        buckets: Slot::new("buckets"),
        max_series: Slot::new("max_series"),
        version: Slot::new("version"),
        deprecated: Slot::new("deprecated"),
        replacement: Slot::new("replacement"),
        quiet: Slot::new("quiet"),
        quantiles: Slot::new("quantiles"),
        max_age: Slot::new("max_age"),
        age_buckets: Slot::new("age_buckets"),
        created: Slot::new("created"),
    };
    attr::for_each_key(cx, &field.attrs, "metric", |meta| {
        if meta.path.is_ident("name") {
            let lit = attr::string(meta)?;
            attrs.name.set(cx, lit.span(), lit.value());
        } else if meta.path.is_ident("unit") {
            let lit = attr::string(meta)?;
            attrs.unit.set(cx, lit.span(), lit.value());
        } else if meta.path.is_ident("help") {
            // Trimmed like a doc comment: the Prometheus text format cannot
            // carry blanks at the start of a `# HELP` text.
            let lit = attr::string(meta)?;
            attrs.help.set(cx, lit.span(), lit.value().trim().to_owned());
        } else if meta.path.is_ident("buckets") {
            match meta.value()?.parse::<syn::Expr>()? {
                syn::Expr::Array(array) => attrs.buckets.set(cx, array.span(), array),
                other => cx.error_spanned_by(other, rules::h1_not_a_list(H1List::Buckets, Some(local))),
            }
        } else if meta.path.is_ident("max_series") {
            let lit: syn::LitInt = meta.value()?.parse()?;
            attrs.max_series.set(cx, lit.span(), lit);
        } else if meta.path.is_ident("version") {
            let lit = attr::string(meta)?;
            attrs.version.set(cx, lit.span(), lit);
        } else if meta.path.is_ident("deprecated") {
            let lit = attr::string(meta)?;
            attrs.deprecated.set(cx, lit.span(), lit);
        } else if meta.path.is_ident("replacement") {
            let lit = attr::string(meta)?;
            attrs.replacement.set(cx, lit.span(), lit);
        } else if meta.path.is_ident("quiet") {
            attrs.quiet.set(cx, meta.path.span(), quiet_value(meta)?);
        } else if meta.path.is_ident("quantiles") {
            match meta.value()?.parse::<syn::Expr>()? {
                syn::Expr::Array(array) => attrs.quantiles.set(cx, array.span(), array),
                other => cx.error_spanned_by(other, rules::h1_not_a_list(H1List::Quantiles, Some(local))),
            }
        } else if meta.path.is_ident("max_age") {
            let lit = attr::string(meta)?;
            attrs.max_age.set(cx, lit.span(), lit);
        } else if meta.path.is_ident("age_buckets") {
            let expr: syn::Expr = meta.value()?.parse()?;
            attrs.age_buckets.set(cx, expr.span(), expr);
        } else if meta.path.is_ident("created") {
            attrs.created.set(cx, meta.path.span(), ());
        } else if meta.path.is_ident("exemplars") {
            cx.error_spanned_by(
                &meta.path,
                "exemplars are chosen by the metric's type, not a key\n= note: counters and histogram buckets can carry exemplars, in a slot of their own per series\n= help: remove `exemplars` and make the field an `ExemplarCounter` or an `ExemplarHistogram` (or a `Family<L, _>` of one)",
            );
            attr::skip_value(meta);
        } else {
            attr::unknown_key(cx, meta, "metric", FIELD_KEYS);
        }
        Ok(())
    });
    attrs
}
