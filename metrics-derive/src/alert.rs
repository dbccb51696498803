//! `#[alert(..)]` on a field of `#[derive(Metrics)]`: read the keys, check
//! them with the alert rules (`metricate_spec::rules::check_a1` to
//! `check_a5`), and emit the descriptor's `Alert` values.
//!
//! ```text
//! #[alert(name = "ApiErrorRatioHigh", error_ratio = 0.05, for = "10m",
//!         severity = "critical", summary = "..", runbook = "..")]
//! ```
//!
//! Label values are named by path (`errors = [Outcome::Error]`): each path is
//! used as a pattern of its enum, so rustc reports a variant that does not
//! exist at its token; the label it belongs to and its text are found at
//! compile time from the label set's constants.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use metricate_spec::MetricKind as Kind;
use metricate_spec::alert::DEFAULT_WINDOW_SECONDS;
use metricate_spec::rules;

use crate::attr::{self, Slot};
use crate::ctxt::Ctxt;
use crate::private::Private;

/// The attribute `#[alert(..)]` and its keys, each spelled once.
const ALERT: &str = "alert";
const NAME: &str = "name";
const ERROR_RATIO: &str = "error_ratio";
const ERRORS: &str = "errors";
const QUANTILE: &str = "quantile";
const ABOVE: &str = "above";
const BELOW: &str = "below";
const ABSENT: &str = "absent";
const WINDOW: &str = "window";
const FOR: &str = "for";
const SEVERITY: &str = "severity";
const SUMMARY: &str = "summary";
const RUNBOOK: &str = "runbook";

/// The keys, in the order an error lists them.
const KEYS: [&str; 12] =
    [NAME, ERROR_RATIO, ERRORS, QUANTILE, ABOVE, BELOW, ABSENT, WINDOW, FOR, SEVERITY, SUMMARY, RUNBOOK];

/// One alert, read and checked.
pub(crate) struct Alert {
    name: String,
    condition: Condition,
    /// The span of the condition's key, where a compile-time failure to
    /// resolve its labels is reported.
    span: Span,
    /// The span of `above` or `below`.
    threshold_span: Option<Span>,
    /// The span of the name.
    name_span: Span,
    window: u64,
    for_seconds: u64,
    severity: &'static str,
    summary: String,
    runbook: String,
}

enum Condition {
    ErrorRatio { above: f64, errors: Vec<syn::Path> },
    Quantile { quantile: f64, above: f64 },
    Value { below: bool, threshold: f64 },
    Absent,
}

/// The keys of one `#[alert(..)]`, as written.
struct Keys {
    name: Slot<syn::LitStr>,
    error_ratio: Slot<f64>,
    errors: Slot<Vec<syn::Path>>,
    quantile: Slot<f64>,
    above: Slot<f64>,
    below: Slot<f64>,
    absent: Slot<()>,
    window: Slot<syn::LitStr>,
    for_: Slot<syn::LitStr>,
    severity: Slot<syn::LitStr>,
    summary: Slot<String>,
    runbook: Slot<String>,
}

/// Every `#[alert(..)]` of a field of metric `metric`, of kind `kind`,
/// labeled or not; each problem is a compile error at its token.
/// `bounds` are a histogram's bucket bounds.
pub(crate) fn parse(
    cx: &Ctxt,
    field: &syn::Field,
    metric: &str,
    kind: Kind,
    labeled: bool,
    bounds: Option<&[f64]>,
) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for attribute in field.attrs.iter().filter(|a| a.path().is_ident(ALERT)) {
        let keys = read_keys(cx, attribute, metric);
        if let Some(alert) = check(cx, attribute, keys, metric, kind, labeled) {
            if let (Condition::Quantile { above, .. }, Some(bounds)) = (&alert.condition, bounds)
                && let Some(violation) = rules::check_a3_reachable(&alert.name, metric, *above, bounds)
            {
                cx.error_at(alert.threshold_span.unwrap_or(alert.span), violation);
            }
            alerts.push(alert);
        }
    }
    alerts
}

fn threshold(cx: &Ctxt, meta: &syn::meta::ParseNestedMeta<'_>, slot: &mut Slot<f64>, key: &str) -> syn::Result<()> {
    let expr: syn::Expr = meta.value()?.parse()?;
    match crate::metrics::number(&expr) {
        Some(value) => slot.set(cx, expr.span(), value),
        None => {
            cx.error_spanned_by(
                &expr,
                format_args!(
                    "`{key}` is a number literal\n= help: write the threshold as a number, e.g. `{key} = 0.5`"
                ),
            );
            // Given, if not a number: the condition is still the one meant.
            slot.set(cx, expr.span(), f64::NAN);
        }
    }
    Ok(())
}

fn read_keys(cx: &Ctxt, attribute: &syn::Attribute, metric: &str) -> Keys {
    let mut keys = Keys {
        name: Slot::new(NAME),
        error_ratio: Slot::new(ERROR_RATIO),
        errors: Slot::new(ERRORS),
        quantile: Slot::new(QUANTILE),
        above: Slot::new(ABOVE),
        below: Slot::new(BELOW),
        absent: Slot::new(ABSENT),
        window: Slot::new(WINDOW),
        for_: Slot::new(FOR),
        severity: Slot::new(SEVERITY),
        summary: Slot::new(SUMMARY),
        runbook: Slot::new(RUNBOOK),
    };
    attr::for_each_key(cx, std::slice::from_ref(attribute), ALERT, |meta| {
        let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
        match key.as_str() {
            NAME => {
                let lit = attr::string(meta)?;
                keys.name.set(cx, lit.span(), lit);
            }
            ERROR_RATIO => threshold(cx, meta, &mut keys.error_ratio, ERROR_RATIO)?,
            QUANTILE => threshold(cx, meta, &mut keys.quantile, QUANTILE)?,
            ABOVE => threshold(cx, meta, &mut keys.above, ABOVE)?,
            BELOW => threshold(cx, meta, &mut keys.below, BELOW)?,
            ERRORS => {
                let expr: syn::Expr = meta.value()?.parse()?;
                let paths = errors(cx, &expr, metric);
                keys.errors.set(cx, expr.span(), paths);
            }
            ABSENT => {
                attr::bare(cx, meta, ALERT)?;
                keys.absent.set(cx, meta.path.span(), ());
            }
            WINDOW => {
                let lit = attr::string(meta)?;
                keys.window.set(cx, lit.span(), lit);
            }
            FOR => {
                let lit = attr::string(meta)?;
                keys.for_.set(cx, lit.span(), lit);
            }
            SEVERITY => {
                let lit = attr::string(meta)?;
                keys.severity.set(cx, lit.span(), lit);
            }
            SUMMARY => {
                let lit = attr::string(meta)?;
                keys.summary.set(cx, lit.span(), lit.value());
            }
            RUNBOOK => {
                let lit = attr::string(meta)?;
                keys.runbook.set(cx, lit.span(), lit.value());
            }
            _ => attr::unknown_key(cx, meta, ALERT, &KEYS),
        }
        Ok(())
    });
    keys
}

/// The paths of `errors = [A::B, ..]`: each a path of two segments or more
/// (the enum, then the variant), all of one enum.
fn errors(cx: &Ctxt, expr: &syn::Expr, metric: &str) -> Vec<syn::Path> {
    let syn::Expr::Array(array) = expr else {
        cx.error_spanned_by(
            expr,
            format_args!(
                "`errors` of an alert on `{metric}` is a list of variants\n= help: write the failure values as paths of their enum, e.g. `errors = [Outcome::Error, Outcome::Timeout]`"
            ),
        );
        return Vec::new();
    };
    let mut paths: Vec<syn::Path> = Vec::new();
    for elem in &array.elems {
        let syn::Expr::Path(syn::ExprPath { path, qself: None, .. }) = elem else {
            cx.error_spanned_by(
                elem,
                "an `errors` value is a variant of a label's enum\n= help: write it as a path, e.g. `Outcome::Error`",
            );
            continue;
        };
        if path.segments.len() < 2 {
            cx.error_spanned_by(
                path,
                "name the variant with its enum, e.g. `Outcome::Error`\n= note: the enum tells which label of the metric the value belongs to",
            );
            continue;
        }
        if let Some(first) = paths.first()
            && enum_of(first) != enum_of(path)
        {
            cx.error_spanned_by(
                path,
                format_args!(
                    "the `errors` of one alert are variants of one enum; this one is not of `{}`\n= help: an error ratio counts failures of one label: list variants of that label's enum only",
                    crate::emit::written(&enum_of(first))
                ),
            );
            continue;
        }
        paths.push(path.clone());
    }
    if array.elems.is_empty() {
        cx.error_spanned_by(
            array,
            "`errors` lists no variant\n= help: list the failure values, e.g. `errors = [Outcome::Error]`, or remove `errors` to count the variants marked `#[label(error)]`",
        );
    }
    paths
}

/// The enum of a variant path (of two segments or more): the path without
/// its last segment.
fn enum_of(path: &syn::Path) -> syn::Path {
    let n = path.segments.len().saturating_sub(1);
    syn::Path { leading_colon: path.leading_colon, segments: path.segments.iter().take(n).cloned().collect() }
}

fn check(cx: &Ctxt, attribute: &syn::Attribute, keys: Keys, metric: &str, kind: Kind, labeled: bool) -> Option<Alert> {
    let Some((name_span, name)) = keys.name.span().zip(keys.name.peek().map(syn::LitStr::value)) else {
        cx.error_spanned_by(
            attribute,
            format_args!(
                "an alert on `{metric}` has no `name`\n= help: name it in UpperCamelCase, e.g. `name = \"ApiErrorRatioHigh\"`"
            ),
        );
        return None;
    };
    if let Some(violation) = rules::check_a1(&name) {
        cx.error_at(name_span, violation);
    }
    let (condition, key, span) = condition(cx, attribute, &keys, &name)?;
    if let Some(violation) = rules::check_a2(metric, kind, labeled, key) {
        cx.error_at(span, violation);
    }
    for (slot, key) in [(&keys.error_ratio, ERROR_RATIO), (&keys.quantile, QUANTILE)] {
        threshold_rule(cx, slot, &name, key);
    }
    for (slot, key) in [(&keys.above, ABOVE), (&keys.below, BELOW)] {
        threshold_rule(cx, slot, &name, key);
    }
    let rated = matches!(condition, Condition::ErrorRatio { .. } | Condition::Quantile { .. });
    let window = match keys.window.get_with_span() {
        Some((span, _)) if !rated => {
            cx.error_at(
                span,
                format_args!(
                    "`window` is for the rates of `error_ratio` and `quantile`; alert `{name}` reads the latest value\n= help: remove `window`, or use `for` for how long the condition must hold"
                ),
            );
            0
        }
        Some((span, lit)) => duration(cx, span, &name, WINDOW, &lit.value()).unwrap_or(0),
        None if rated => DEFAULT_WINDOW_SECONDS,
        None => 0,
    };
    let for_seconds = match keys.for_.get_with_span() {
        Some((span, lit)) => duration(cx, span, &name, FOR, &lit.value()).unwrap_or(0),
        None => 300,
    };
    let severity = match keys.severity.get_with_span() {
        Some((span, lit)) => match rules::check_a4(&name, &lit.value()) {
            Ok(severity) => severity.as_str(),
            Err(violation) => {
                cx.error_at(span, violation);
                "warning"
            }
        },
        None => "warning",
    };
    let summary = keys.summary.get().unwrap_or_else(|| {
        cx.error_spanned_by(
            attribute,
            format_args!(
                "alert `{name}` has no `summary`\n= note: the summary is the one line a receiver shows when the alert fires\n= help: say what is wrong, e.g. `summary = \"more than 5 % of API requests fail\"`"
            ),
        );
        String::new()
    });
    Some(Alert {
        name,
        condition,
        span,
        threshold_span: keys.above.span().or(keys.below.span()),
        name_span,
        window,
        for_seconds,
        severity,
        summary,
        runbook: keys.runbook.get().unwrap_or_default(),
    })
}

fn threshold_rule(cx: &Ctxt, slot: &Slot<f64>, alert: &str, key: &str) {
    // NaN: not a number literal, reported where it was read.
    if let (Some(span), Some(&value)) = (slot.span(), slot.peek())
        && !value.is_nan()
        && let Some(violation) = rules::check_a3_threshold(alert, key, value)
    {
        cx.error_at(span, violation);
    }
}

fn duration(cx: &Ctxt, span: Span, alert: &str, key: &str, text: &str) -> Option<u64> {
    rules::check_a3_duration(alert, key, text).map_err(|violation| cx.error_at(span, violation)).ok()
}

/// The one condition the keys give, its key and span; an error when there
/// is none, or more than one, or keys that do not go with it.
fn condition(
    cx: &Ctxt,
    attribute: &syn::Attribute,
    keys: &Keys,
    alert: &str,
) -> Option<(Condition, &'static str, Span)> {
    let given: Vec<(&'static str, Span)> = [
        (ERROR_RATIO, keys.error_ratio.span()),
        (QUANTILE, keys.quantile.span()),
        (ABOVE, keys.above.span().filter(|_| keys.quantile.span().is_none())),
        (BELOW, keys.below.span()),
        (ABSENT, keys.absent.span()),
    ]
    .into_iter()
    .filter_map(|(key, span)| span.map(|s| (key, s)))
    .collect();
    let Some(&(key, span)) = given.first() else {
        cx.error_spanned_by(
            attribute,
            format_args!(
                "alert `{alert}` has no condition\n= help: say what it watches with one of `error_ratio = 0.05` (a counter's failures), `quantile = 0.99, above = 1.0` (a histogram), `above = ..` or `below = ..` (a gauge), or `absent`"
            ),
        );
        return None;
    };
    if let Some(&(second, second_span)) = given.get(1) {
        cx.error_at(
            second_span,
            format_args!(
                "alert `{alert}` has two conditions, `{key}` and `{second}`\n= help: declare one condition per alert; write a second `#[alert(..)]` for the other"
            ),
        );
        return None;
    }
    if let Some(span) = keys.errors.span()
        && key != ERROR_RATIO
    {
        cx.error_at(
            span,
            "`errors` go with `error_ratio`\n= help: remove `errors`, or make the alert an `error_ratio`",
        );
    }
    let condition = match key {
        ERROR_RATIO => Condition::ErrorRatio {
            above: keys.error_ratio.peek().copied().unwrap_or(0.0),
            errors: keys.errors.peek().cloned().unwrap_or_default(),
        },
        QUANTILE => {
            let Some(&above) = keys.above.peek() else {
                cx.error_at(
                    span,
                    format_args!(
                        "alert `{alert}` watches a quantile but says no threshold\n= help: add `above = ..` in the metric's unit, e.g. `quantile = 0.99, above = 2.5`"
                    ),
                );
                return None;
            };
            Condition::Quantile { quantile: keys.quantile.peek().copied().unwrap_or(0.0), above }
        }
        ABOVE => Condition::Value { below: false, threshold: keys.above.peek().copied().unwrap_or(0.0) },
        BELOW => Condition::Value { below: true, threshold: keys.below.peek().copied().unwrap_or(0.0) },
        _ => Condition::Absent,
    };
    Some((condition, key, span))
}

/// The descriptor's `alerts` value, with `labels` the expression of the
/// metric's labels (a `&'static [Label]` constant).
pub(crate) fn tokens(alerts: &[Alert], labels: &TokenStream, metric: &str, p: &Private) -> TokenStream {
    let items = alerts.iter().map(|a| {
        let span = a.span;
        let name = &a.name;
        let condition = match &a.condition {
            Condition::ErrorRatio { above, errors } if errors.is_empty() => {
                let none = format!(
                    "alert `{name}`: no label of `{metric}` has values marked `#[label(error)]`\n\
                     = note: an error ratio without `errors` counts the variants its label's enum marks as failures\n\
                     = help: mark the failure variants of the enum with `#[label(error)]`, or list them with `errors = [Enum::Variant, ..]`"
                );
                let several = format!(
                    "alert `{name}`: several labels of `{metric}` have values marked `#[label(error)]`\n\
                     = help: say which failures the ratio counts with `errors = [Enum::Variant, ..]`"
                );
                // Spanned at the condition, so that a failed evaluation is
                // reported there.
                respan(
                    quote! {
                        #p::alert::Condition::ErrorRatio {
                            label: #p::alert::marked_error_label(#labels, #none, #several).name,
                            errors: &[],
                            above: #above,
                        }
                    },
                    span,
                )
            }
            Condition::ErrorRatio { above, errors } => {
                let ty = enum_of(&errors[0]);
                let value = quote_spanned!(span=> <#ty as #p::LabelValue>);
                let variants = errors.iter().map(|path| {
                    let variant = path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                    // The path as a pattern: rustc reports a variant that
                    // does not exist at the path itself.
                    let pattern = quote_spanned!(path.span()=> #path { .. });
                    quote_spanned! {path.span()=>
                        {
                            const _: fn(&#ty) -> bool = |value| ::core::matches!(value, #pattern);
                            #p::alert::variant_value(#value::IDENTIFIERS, #value::VALUES, #variant)
                        }
                    }
                });
                let enum_name = crate::emit::written(&ty);
                let none = format!(
                    "alert `{name}`: `{enum_name}` is not the type of a label of `{metric}`\n\
                     = note: an error ratio counts failures of one of the metric's labels\n\
                     = help: list variants of the enum of one of its labels in `errors`"
                );
                let several = format!(
                    "alert `{name}`: several labels of `{metric}` take the values of `{enum_name}`\n\
                     = help: an error ratio counts failures of one label: give that label an enum of its own"
                );
                let label = respan(quote!(#p::alert::label_with_values(#labels, #value::VALUES, #none, #several)), span);
                quote_spanned! {span=>
                    #p::alert::Condition::ErrorRatio {
                        label: #label,
                        errors: &[#(#variants),*],
                        above: #above,
                    }
                }
            }
            Condition::Quantile { quantile, above } => {
                quote!(#p::alert::Condition::Quantile { quantile: #quantile, above: #above })
            }
            Condition::Value { below, threshold } => {
                let comparison = if *below { quote!(Below) } else { quote!(Above) };
                quote!(#p::alert::Condition::Value { comparison: #p::alert::Comparison::#comparison, threshold: #threshold })
            }
            Condition::Absent => quote!(#p::alert::Condition::Absent),
        };
        let severity = match a.severity {
            "critical" => quote!(Critical),
            "info" => quote!(Info),
            _ => quote!(Warning),
        };
        let (name, window, for_seconds, summary, runbook) = (&a.name, a.window, a.for_seconds, &a.summary, &a.runbook);
        quote! {
            #p::alert::Alert {
                name: #name,
                condition: #condition,
                window_seconds: #window,
                for_seconds: #for_seconds,
                severity: #p::alert::Severity::#severity,
                summary: #summary,
                runbook: #runbook,
            }
        }
    });
    quote!(&[#(#items),*])
}

/// `tokens` with every span set to `span`: a const evaluation that fails in
/// them is reported at the user's token, not at the derive.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner = proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// A5 within one struct: each alert name once.
pub(crate) fn check_unique<'a>(cx: &Ctxt, alerts: impl IntoIterator<Item = (&'a Alert, &'a str)>) {
    let alerts: Vec<(&Alert, &str)> = alerts.into_iter().collect();
    for violation in rules::check_a5(alerts.iter().map(|(a, metric)| (a.name.as_str(), *metric))) {
        let span = violation.index.and_then(|i| alerts.get(i)).map_or_else(Span::call_site, |(a, _)| a.name_span);
        cx.error_at(span, violation);
    }
}
