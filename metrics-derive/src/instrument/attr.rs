//! The attribute as written: its arguments, each read into [`Config`] with
//! the form of its value checked, and the function it is on.

use metricate_spec::rules;
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;

use crate::attr::{self, CRATE};
use crate::ctxt::Ctxt;

/// The attribute's arguments, each spelled once.
pub(super) const NAME: &str = "name";
pub(super) const SUBSYSTEM: &str = "subsystem";
pub(super) const HELP: &str = "help";
pub(super) const BUCKETS: &str = "buckets";
pub(super) const IN_FLIGHT: &str = "in_flight";
pub(super) const REASON: &str = "reason";
pub(super) const CLASSIFY: &str = "classify";
pub(super) const DURATION: &str = "duration";
pub(super) const COUNT: &str = "count";
pub(super) const LABELS: &str = "labels";
pub(super) const OUTCOME: &str = "outcome";
pub(super) const METRICS: &str = "metrics";

/// The arguments, in the order an error lists them.
const KEYS: [&str; 13] =
    [NAME, SUBSYSTEM, HELP, BUCKETS, IN_FLIGHT, REASON, CLASSIFY, DURATION, COUNT, LABELS, OUTCOME, METRICS, CRATE];

/// One `key` or `key = value` of the attribute.
struct Arg {
    key: syn::Ident,
    value: Option<Value>,
}

enum Value {
    Expr(syn::Expr),
    Type(syn::Type),
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Arg> {
        let key = input.call(syn::Ident::parse_any)?;
        if !input.peek(syn::Token![=]) {
            return Ok(Arg { key, value: None });
        }
        input.parse::<syn::Token![=]>()?;
        let value = if key == REASON { Value::Type(input.parse()?) } else { Value::Expr(input.parse()?) };
        Ok(Arg { key, value: Some(value) })
    }
}

/// The attribute's arguments, checked.
#[derive(Default)]
pub(super) struct Config {
    pub(super) krate: Option<syn::Path>,
    pub(super) name: Option<syn::LitStr>,
    pub(super) subsystem: Option<syn::LitStr>,
    pub(super) help: Option<syn::LitStr>,
    pub(super) buckets: Option<syn::ExprArray>,
    /// `in_flight` (declare a gauge) or `in_flight = <gauge>`.
    pub(super) in_flight: Option<(Span, Option<syn::Expr>)>,
    pub(super) reason: Option<syn::Type>,
    pub(super) classify: Option<syn::Expr>,
    pub(super) duration: Option<syn::Expr>,
    pub(super) count: Option<syn::Expr>,
    pub(super) labels: Option<syn::ExprStruct>,
    /// `outcome = field`: the field of `labels` that takes how the call ended.
    pub(super) outcome: Option<syn::Ident>,
    /// `metrics = Name`: the declared metrics as a struct next to the function.
    pub(super) metrics: Option<syn::Ident>,
}

impl Config {
    /// Whether the attribute records into declared metrics.
    pub(super) fn targets(&self) -> bool {
        self.duration.is_some() || self.count.is_some()
    }
}

pub(super) fn config(cx: &Ctxt, args: TokenStream) -> Config {
    let mut config = Config::default();
    let args = match Punctuated::<Arg, syn::Token![,]>::parse_terminated.parse2(args) {
        Ok(args) => args,
        Err(error) => {
            cx.push(error);
            return config;
        }
    };
    let mut seen: Vec<String> = Vec::new();
    for Arg { key, value } in args {
        let name = key.to_string();
        if seen.contains(&name) {
            cx.error_spanned_by(&key, format_args!("duplicate argument `{name}`\n= help: give `{name}` once"));
            continue;
        }
        seen.push(name.clone());
        let expr = match value {
            Some(Value::Expr(expr)) => Some(expr),
            Some(Value::Type(ty)) => {
                config.reason = Some(ty);
                continue;
            }
            None => None,
        };
        match (name.as_str(), expr) {
            (IN_FLIGHT, value) => config.in_flight = Some((key.span(), value)),
            (CRATE, Some(expr)) => config.krate = string(cx, &key, &expr).and_then(|s| parse_or_report(cx, &s)),
            (NAME, Some(expr)) => config.name = string(cx, &key, &expr),
            (SUBSYSTEM, Some(expr)) => config.subsystem = string(cx, &key, &expr),
            (HELP, Some(expr)) => config.help = string(cx, &key, &expr),
            (BUCKETS, Some(syn::Expr::Array(array))) => config.buckets = Some(array),
            (BUCKETS, Some(other)) => cx.error_spanned_by(other, rules::h1_not_a_list(rules::H1List::Buckets, None)),
            (CLASSIFY, Some(expr)) => config.classify = Some(expr),
            (DURATION, Some(expr)) => config.duration = Some(expr),
            (COUNT, Some(expr)) => config.count = Some(expr),
            (LABELS, Some(syn::Expr::Struct(labels))) => config.labels = Some(labels),
            (METRICS, Some(syn::Expr::Path(path))) if path.qself.is_none() && path.path.get_ident().is_some() => {
                config.metrics = path.path.get_ident().cloned();
            }
            (METRICS, Some(other)) => cx.error_spanned_by(
                other,
                "`metrics` names the struct of the metrics the attribute declares, e.g. `metrics = ReconcileMetrics`\n= help: write a type name that is free in this module; the attribute declares the struct next to the function",
            ),
            (OUTCOME, Some(syn::Expr::Path(path))) if path.qself.is_none() && path.path.get_ident().is_some() => {
                config.outcome = path.path.get_ident().cloned();
            }
            (OUTCOME, Some(other)) => cx.error_spanned_by(
                other,
                "`outcome` names the field of `labels` that takes how the call ended, e.g. `outcome = status`\n= help: write the field's name, and the field alone in `labels`: `labels = Request { method, status }`",
            ),
            (LABELS, Some(other)) => cx.error_spanned_by(
                other,
                "`labels` is a label set value, e.g. `labels = ByProjection { projection: self.kind }`\n= help: write a struct expression of the target metrics' label set; a field written `result` (or the field `outcome = ..` names) takes how the call ended",
            ),
            (known, None) if KEYS.contains(&known) => cx.error_spanned_by(
                &key,
                format_args!("`{known}` needs a value, e.g. `{}`", example(known)),
            ),
            (unknown, _) => {
                let suggestion =
                    attr::did_you_mean(unknown, &KEYS).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
                let expected = KEYS.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                cx.error_spanned_by(
                    &key,
                    format_args!(
                        "unknown `instrument_metric` argument `{unknown}`{suggestion}\n= help: expected one of {expected}"
                    ),
                );
            }
        }
    }
    config
}

fn example(key: &str) -> &'static str {
    match key {
        NAME => "name = \"reconcile\"",
        SUBSYSTEM => "subsystem = \"scheduler\"",
        HELP => "help = \"Reconcile passes.\"",
        BUCKETS => "buckets = [0.01, 0.1, 1.0]",
        REASON => "reason = AppendError",
        CLASSIFY => "classify = is_conflict",
        DURATION => "duration = Scheduler::global().reconcile_duration_seconds",
        COUNT => "count = Scheduler::global().reconcile_runs_total",
        LABELS => "labels = ByProjection { projection: self.kind }",
        METRICS => "metrics = ReconcileMetrics",
        OUTCOME => "outcome = status",
        _ => "crate = \"my_metrics\"",
    }
}

fn string(cx: &Ctxt, key: &syn::Ident, expr: &syn::Expr) -> Option<syn::LitStr> {
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(lit), .. }) => Some(lit.clone()),
        other => {
            cx.error_spanned_by(other, format_args!("`{key}` takes a string literal, e.g. `{key} = \"...\"`"));
            None
        }
    }
}

fn parse_or_report(cx: &Ctxt, lit: &syn::LitStr) -> Option<syn::Path> {
    lit.parse().map_err(|e| cx.push(e)).ok()
}

/// The item: a function with a body (free, method, associated, in a trait
/// impl, or a trait's default method).
pub(super) fn function(item: TokenStream) -> syn::Result<syn::ItemFn> {
    match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(function) => Ok(function),
        Err(error) => match syn::parse2::<syn::TraitItemFn>(item) {
            Ok(declaration) if declaration.default.is_none() => Err(syn::Error::new_spanned(
                &declaration.sig.ident,
                "`#[instrument_metric]` instruments a function body; this declaration has none\n= help: put the attribute on the method in each `impl` of the trait, or on a default body",
            )),
            _ => Err(syn::Error::new(error.span(), format!("`#[instrument_metric]` goes on a function: {error}"))),
        },
    }
}
