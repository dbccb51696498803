//! The attributes of `#[derive(Metrics)]` as written: `#[metrics(..)]` on
//! the struct and `#[metric(..)]` on each field, each key read once into a
//! slot that keeps its span. Nothing here applies a rule beyond the form
//! of a value (a string, a list).

use syn::spanned::Spanned;

use metricate_spec::rules::{self, H1List};

use crate::attr::{self, CRATE, METRICS, Slot};
use crate::ctxt::Ctxt;

/// The attributes and keys the derive reads, each spelled once.
pub(super) const METRIC: &str = "metric";
const SUBSYSTEM: &str = "subsystem";
const FUNCTION: &str = "function";
const HELP: &str = "help";
const UNIT: &str = "unit";
const BUCKETS: &str = "buckets";
const MAX_SERIES: &str = "max_series";
const NAME: &str = "name";
const VERSION: &str = "version";
const DEPRECATED: &str = "deprecated";
const REPLACEMENT: &str = "replacement";
const QUIET: &str = "quiet";
const QUANTILES: &str = "quantiles";
const MAX_AGE: &str = "max_age";
const AGE_BUCKETS: &str = "age_buckets";
const CREATED: &str = "created";
const EXEMPLARS: &str = "exemplars";

/// The keys of `#[metrics(..)]`, in the order an error lists them.
const CONTAINER_KEYS: [&str; 3] = [SUBSYSTEM, CRATE, FUNCTION];

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
    let mut subsystem = Slot::new(SUBSYSTEM);
    let mut function = Slot::new(FUNCTION);
    let krate = attr::for_each_container_key(cx, &input.attrs, METRICS, |meta| {
        if meta.path.is_ident(SUBSYSTEM) {
            let lit = attr::string(meta)?;
            subsystem.set(cx, lit.span(), lit);
        } else if meta.path.is_ident(FUNCTION) {
            let lit = attr::string(meta)?;
            function.set(cx, lit.span(), lit.value());
        } else {
            attr::unknown_key(cx, meta, METRICS, &CONTAINER_KEYS);
        }
        Ok(())
    });
    Container { krate, subsystem: subsystem.get(), function: function.get() }
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

/// The keys of `#[metric(..)]`, in the order an error lists them.
const FIELD_KEYS: [&str; 13] = [
    HELP,
    UNIT,
    BUCKETS,
    MAX_SERIES,
    NAME,
    VERSION,
    DEPRECATED,
    REPLACEMENT,
    QUIET,
    QUANTILES,
    MAX_AGE,
    AGE_BUCKETS,
    CREATED,
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
        name: Slot::new(NAME),
        unit: Slot::new(UNIT),
        help: Slot::new(HELP),
        buckets: Slot::new(BUCKETS),
        max_series: Slot::new(MAX_SERIES),
        version: Slot::new(VERSION),
        deprecated: Slot::new(DEPRECATED),
        replacement: Slot::new(REPLACEMENT),
        quiet: Slot::new(QUIET),
        quantiles: Slot::new(QUANTILES),
        max_age: Slot::new(MAX_AGE),
        age_buckets: Slot::new(AGE_BUCKETS),
        created: Slot::new(CREATED),
    };
    attr::for_each_key(cx, &field.attrs, METRIC, |meta| {
        if meta.path.is_ident(NAME) {
            let lit = attr::string(meta)?;
            attrs.name.set(cx, lit.span(), lit.value());
        } else if meta.path.is_ident(UNIT) {
            let lit = attr::string(meta)?;
            attrs.unit.set(cx, lit.span(), lit.value());
        } else if meta.path.is_ident(HELP) {
            // Trimmed like a doc comment: the Prometheus text format cannot
            // carry blanks at the start of a `# HELP` text.
            let lit = attr::string(meta)?;
            attrs.help.set(cx, lit.span(), lit.value().trim().to_owned());
        } else if meta.path.is_ident(BUCKETS) {
            match meta.value()?.parse::<syn::Expr>()? {
                syn::Expr::Array(array) => attrs.buckets.set(cx, array.span(), array),
                other => cx.error_spanned_by(other, rules::h1_not_a_list(H1List::Buckets, Some(local))),
            }
        } else if meta.path.is_ident(MAX_SERIES) {
            let lit: syn::LitInt = meta.value()?.parse()?;
            attrs.max_series.set(cx, lit.span(), lit);
        } else if meta.path.is_ident(VERSION) {
            let lit = attr::string(meta)?;
            attrs.version.set(cx, lit.span(), lit);
        } else if meta.path.is_ident(DEPRECATED) {
            let lit = attr::string(meta)?;
            attrs.deprecated.set(cx, lit.span(), lit);
        } else if meta.path.is_ident(REPLACEMENT) {
            let lit = attr::string(meta)?;
            attrs.replacement.set(cx, lit.span(), lit);
        } else if meta.path.is_ident(QUIET) {
            attrs.quiet.set(cx, meta.path.span(), quiet_value(meta)?);
        } else if meta.path.is_ident(QUANTILES) {
            match meta.value()?.parse::<syn::Expr>()? {
                syn::Expr::Array(array) => attrs.quantiles.set(cx, array.span(), array),
                other => cx.error_spanned_by(other, rules::h1_not_a_list(H1List::Quantiles, Some(local))),
            }
        } else if meta.path.is_ident(MAX_AGE) {
            let lit = attr::string(meta)?;
            attrs.max_age.set(cx, lit.span(), lit);
        } else if meta.path.is_ident(AGE_BUCKETS) {
            let expr: syn::Expr = meta.value()?.parse()?;
            attrs.age_buckets.set(cx, expr.span(), expr);
        } else if meta.path.is_ident(CREATED) {
            attrs.created.set(cx, meta.path.span(), ());
        } else if meta.path.is_ident(EXEMPLARS) {
            cx.error_spanned_by(
                &meta.path,
                "exemplars are chosen by the metric's type, not a key\n= note: counters and histogram buckets can carry exemplars, in a slot of their own per series\n= help: remove `exemplars` and make the field an `ExemplarCounter` or an `ExemplarHistogram` (or a `Family<L, _>` of one)",
            );
            attr::skip_value(meta);
        } else {
            attr::unknown_key(cx, meta, METRIC, &FIELD_KEYS);
        }
        Ok(())
    });
    attrs
}
