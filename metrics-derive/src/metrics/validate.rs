//! The rules of `#[derive(Metrics)]`: each field's type, name, help,
//! unit, buckets, quantiles, limits and lifecycle checked (through
//! `metricate_spec::rules`, each violation at the token it concerns), into
//! a [`Field`].

use proc_macro2::Span;
use syn::spanned::Spanned;

use metricate_spec::MetricKind as Kind;
use metricate_spec::rules::{self, H1List, Rule};

use super::attr::{FieldAttrs, field_attrs};
use super::{DEFAULT_VERSION, Field, Special};
use crate::attr::{self, Slot};
use crate::ctxt::Ctxt;
use crate::item;

/// What a field's type declares: its kind, the label set `L` of a
/// `Family<L, M>` or an `Info<L>`, and what is special about it.
struct Shape<'a> {
    kind: Kind,
    labels: Option<&'a syn::Type>,
    special: Special<'a>,
}

/// The types of a path segment's angle-bracketed arguments.
fn type_args(segment: &syn::PathSegment) -> Vec<&syn::Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Why a field type the derive knows cannot be a metric: an info metric or
/// a state set in a `Family` (they carry their labels themselves), or a
/// state set over a type that is plainly not a label enum.
fn unsupported(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let args = type_args(last);
    match (last.ident.to_string().as_str(), args.as_slice()) {
        ("Family", [_, metric]) => {
            let syn::Type::Path(inner) = metric else { return None };
            let inner = inner.path.segments.last()?.ident.to_string();
            let article = if inner == "Info" { "an" } else { "a" };
            matches!(inner.as_str(), "Info" | "BuildInfo" | "StateSet").then(|| {
                format!(
                    "`{inner}` cannot be the metric of a `Family`: it carries its labels itself\n= note: an info metric's labels are its label set; a state set's one label is its states\n= help: declare {article} `{inner}` field of its own; for an info metric, put the family's labels into its label set"
                )
            })
        }
        ("StateSet", [syn::Type::Reference(_)]) => rules::check_l4_states("&").map(|v| v.to_string()),
        ("StateSet", [syn::Type::Path(states)]) => {
            rules::check_l4_states(&states.path.get_ident()?.to_string()).map(|v| v.to_string())
        }
        _ => None,
    }
}

/// The shape of a metric type.
fn kind_of(ty: &syn::Type) -> Option<Shape<'_>> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let plain = |kind| Some(Shape { kind, labels: None, special: Special::None });
    let args = type_args(last);
    match (last.ident.to_string().as_str(), args.as_slice()) {
        ("Counter" | "FloatCounter" | "ShardedCounter" | "CallbackCounter", []) => plain(Kind::Counter),
        ("Gauge" | "IntGauge" | "CallbackGauge", []) => plain(Kind::Gauge),
        ("Histogram", []) => plain(Kind::Histogram),
        ("ExemplarCounter", []) => Some(Shape { kind: Kind::Counter, labels: None, special: Special::Exemplars }),
        ("ExemplarHistogram", []) => Some(Shape { kind: Kind::Histogram, labels: None, special: Special::Exemplars }),
        ("Summary", []) => plain(Kind::Summary),
        ("BuildInfo", []) => Some(Shape { kind: Kind::Info, labels: None, special: Special::BuildInfo }),
        ("Info", [labels]) => Some(Shape { kind: Kind::Info, labels: Some(labels), special: Special::None }),
        ("StateSet", [states]) => {
            Some(Shape { kind: Kind::StateSet, labels: None, special: Special::StateSet(states) })
        }
        ("Family", [labels, metric]) => {
            let inner = kind_of(metric)?;
            let simple = inner.labels.is_none()
                && matches!(inner.special, Special::None | Special::Exemplars)
                && matches!(inner.kind, Kind::Counter | Kind::Gauge | Kind::Histogram | Kind::Summary);
            simple.then_some(Shape { kind: inner.kind, labels: Some(labels), special: inner.special })
        }
        _ => None,
    }
}

/// N1 on the subsystem, at its literal: whether it passes (a bad subsystem
/// is reported once, not again in each metric's name).
pub(super) fn subsystem(cx: &Ctxt, subsystem: Option<&syn::LitStr>) -> bool {
    let Some(lit) = subsystem else { return true };
    match rules::check_n1_subsystem(&lit.value()) {
        Some(violation) => {
            cx.error_spanned_by(lit, violation);
            false
        }
        None => true,
    }
}

/// What the derive says of an enum or a union.
const NOT_A_STRUCT: &str = "`Metrics` is derived on structs whose fields are metrics\n= help: write `struct Name { requests_total: Counter, .. }`";

/// The struct's shape (named fields, no generics), each field
/// ([`field`]), and D1 and A5 across its fields.
pub(super) fn fields<'a>(
    cx: &Ctxt,
    input: &'a syn::DeriveInput,
    policy: &metricate_spec::Policy,
    subsystem: &str,
    subsystem_ok: bool,
) -> Vec<Field<'a>> {
    let named = item::named_fields(
        cx,
        input,
        &item::OnlyNamedFields {
            unnamed: "`Metrics` needs named fields: the field names are the metric names\n= help: write `struct Name { requests_total: Counter, .. }`",
            on_enum: NOT_A_STRUCT,
            on_union: NOT_A_STRUCT,
        },
    );
    item::not_generic(
        cx,
        input,
        "a metrics struct cannot be generic: its metrics are `static`\n= help: remove the generic parameters; declare one struct per set of metrics",
    );
    let mut fields = Vec::new();
    for field in named.iter().flat_map(|n| &n.named) {
        if let Some(parsed) = self::field(cx, field, policy, subsystem, subsystem_ok) {
            fields.push(parsed);
        }
    }
    for (i, later) in fields.iter().enumerate() {
        for earlier in &fields[..i] {
            if let Some(violation) = rules::check_d1_names((&earlier.name, earlier.kind), (&later.name, later.kind)) {
                cx.error_at(later.member.span(), violation);
            }
        }
    }
    crate::alert::check_unique(cx, fields.iter().flat_map(|f| f.alerts.iter().map(|a| (a, f.name.as_str()))));
    fields
}

/// One field: its attributes ([`field_attrs`]) and type checked into a
/// [`Field`], or `None` when its type is not a metric.
pub(super) fn field<'a>(
    cx: &Ctxt,
    field: &'a syn::Field,
    policy: &metricate_spec::Policy,
    subsystem: &str,
    subsystem_ok: bool,
) -> Option<Field<'a>> {
    let member = field.ident.as_ref()?;
    let local = member.to_string();
    let local = local.strip_prefix("r#").unwrap_or(&local);
    let FieldAttrs {
        name,
        unit,
        help,
        buckets,
        max_series,
        version,
        deprecated,
        replacement,
        quiet,
        quantiles,
        max_age,
        age_buckets,
        created,
    } = field_attrs(cx, field, local);
    // The full name: `namespace_subsystem_field`, or as given by `name = ".."`
    // (e.g. to keep an existing metric's name); the rules apply either way,
    // reported at the `name` value when there is one.
    let (name_span, name) = match name.get_with_span() {
        Some((span, name)) => (span, name),
        None => (member.span(), policy.full_name(subsystem, local)),
    };
    let buckets = buckets.get().map(|array| (array.span(), parse_numbers(cx, H1List::Buckets, &name, &array)));
    let max_series = series_limit(cx, &name, max_series, policy);

    if let Some(message) = unsupported(&field.ty) {
        cx.error_spanned_by(&field.ty, message);
        return None;
    }
    let Some(Shape { kind, labels, special }) = kind_of(&field.ty) else {
        cx.error_spanned_by(
            &field.ty,
            format_args!(
                "cannot tell the metric type of field `{member}`\n= help: write the field type as `Counter`, `FloatCounter`, `ShardedCounter`, `Gauge`, `IntGauge`, `Histogram`, `Summary`, `ExemplarCounter`, `ExemplarHistogram`, `Family<L, M>` of one of them, `CallbackCounter`, `CallbackGauge`, `Info<L>`, `BuildInfo` or `StateSet<E>`"
            ),
        );
        return None;
    };

    let help = help.get_with_span();
    let help_given = help.is_some();
    let (help_span, help) = match help {
        Some((span, text)) => (span, text),
        None => {
            attr::doc_comment(&field.attrs).map(|(text, span)| (span, text)).unwrap_or((member.span(), String::new()))
        }
    };
    let (unit_span, unit) = match unit.get_with_span() {
        Some((span, unit)) => (Some(span), Some(unit)),
        None => (None, rules::unit_suffix(&name, kind).map(str::to_owned)),
    };
    for violation in rules::check_metric_name(&name, kind, unit.as_deref(), policy) {
        // A bad subsystem is reported once, at its value; N1 on each field
        // then looks at the rest of the name.
        if violation.rule == Rule::N1 && !subsystem_ok && rules::check_n1(&policy.full_name("", local)).is_none() {
            continue;
        }
        let span = match (violation.rule, unit_span) {
            (Rule::N5, Some(span)) => span,
            _ => name_span,
        };
        cx.error_at(span, violation);
    }
    if let Some(mut violation) = rules::check_n7(&name, &help) {
        if help_given {
            "write what the metric measures in `help = \"...\"`, or remove it and write a doc comment"
                .clone_into(&mut violation.help);
        }
        cx.error_at(help_span, violation);
    }
    let buckets = histogram_buckets(cx, &name, kind, buckets);
    let summary = summary_spec(cx, &name, kind, quantiles, max_age, age_buckets);
    let exemplars = matches!(special, Special::Exemplars);
    let created = created_key(cx, &name, kind, created);
    let quiet = check_quiet(cx, &name, quiet, kind, labels.is_some());
    let alerts = crate::alert::parse(cx, field, &name, kind, labels.is_some(), buckets.as_deref());
    let (version, deprecation) = lifecycle(cx, &name, version, deprecated, replacement);
    let help = match &deprecation {
        // The HELP line says so too, for anyone reading a scrape.
        Some((reason, replacement)) => format!("{help} Deprecated: {reason}; use `{replacement}` instead."),
        None => help,
    };
    Some(Field {
        member,
        ty: &field.ty,
        labels,
        name,
        kind,
        help,
        unit,
        buckets,
        summary,
        special,
        exemplars,
        created,
        max_series,
        version,
        deprecation,
        quiet,
        alerts,
    })
}

/// A histogram's bounds (the defaults unless given); an error for bounds
/// on any other kind.
fn histogram_buckets(cx: &Ctxt, name: &str, kind: Kind, buckets: Option<(Span, Vec<f64>)>) -> Option<Vec<f64>> {
    match (kind, buckets) {
        (Kind::Histogram, Some((_, bounds))) => Some(bounds),
        (Kind::Histogram, None) => Some(metricate_spec::DEFAULT_BUCKETS.to_vec()),
        (_, Some((span, _))) => {
            cx.error_at(
                span,
                format_args!(
                    "`buckets` is for histograms; `{name}` is a {}\n= note: buckets are the bounds a histogram counts its observations into; other metric types have none\n= help: remove `buckets`, or make the field a `Histogram`",
                    kind.as_str()
                ),
            );
            None
        }
        (_, None) => None,
    }
}

/// A summary's quantiles (H1), window and age buckets; errors for them on
/// any other kind.
fn summary_spec(
    cx: &Ctxt,
    name: &str,
    kind: Kind,
    quantiles: Slot<syn::ExprArray>,
    max_age: Slot<syn::LitStr>,
    age_buckets: Slot<syn::Expr>,
) -> Option<(Vec<f64>, u64, u32)> {
    if kind != Kind::Summary {
        let spans = [
            quantiles.get_with_span().map(|(span, _)| (span, "quantiles")),
            max_age.get_with_span().map(|(span, _)| (span, "max_age")),
            age_buckets.get_with_span().map(|(span, _)| (span, "age_buckets")),
        ];
        for (span, key) in spans.into_iter().flatten() {
            cx.error_at(
                span,
                format_args!(
                    "`{key}` is for summaries; `{name}` is {}\n= note: a summary reports quantiles over a sliding window; other metric types have none\n= help: remove `{key}`, or make the field a `Summary`",
                    kind.with_article()
                ),
            );
        }
        return None;
    }
    let quantiles = match quantiles.get() {
        Some(array) => parse_numbers(cx, H1List::Quantiles, name, &array),
        None => metricate_spec::DEFAULT_QUANTILES.to_vec(),
    };
    let max_age = match max_age.get() {
        Some(lit) => match rules::parse_duration(&lit.value()) {
            Some(seconds) if seconds > 0 => seconds,
            _ if !lit.value().is_empty() && lit.value().bytes().all(|b| b.is_ascii_digit()) => {
                cx.error_spanned_by(
                    &lit,
                    format_args!(
                        "`max_age` of summary `{name}` has no unit\n= help: write the unit after the number, e.g. `max_age = \"{}s\"` or `\"10m\"`",
                        lit.value()
                    ),
                );
                metricate_spec::DEFAULT_MAX_AGE_SECONDS
            }
            _ => {
                cx.error_spanned_by(
                    &lit,
                    format_args!(
                        "`max_age` of summary `{name}` is not a duration of at least one second\n= note: the window of a summary: observations older than this leave its quantiles\n= help: write a whole number of `d`, `h`, `m` or `s`, e.g. `max_age = \"10m\"` or `\"1h30m\"`"
                    ),
                );
                metricate_spec::DEFAULT_MAX_AGE_SECONDS
            }
        },
        None => metricate_spec::DEFAULT_MAX_AGE_SECONDS,
    };
    let age_buckets = match age_buckets.get() {
        Some(expr) => match &expr {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(int), .. })
                if int.base10_parse::<u32>().is_ok_and(|n| (1..=60).contains(&n)) =>
            {
                int.base10_parse::<u32>().unwrap_or(metricate_spec::DEFAULT_AGE_BUCKETS)
            }
            _ => {
                cx.error_spanned_by(
                    &expr,
                    format_args!(
                        "`age_buckets` of summary `{name}` is not between 1 and 60\n= note: the window moves in `age_buckets` steps of `max_age / age_buckets`\n= help: write a whole number from 1 to 60, e.g. `age_buckets = 5`"
                    ),
                );
                metricate_spec::DEFAULT_AGE_BUCKETS
            }
        },
        None => metricate_spec::DEFAULT_AGE_BUCKETS,
    };
    Some((quantiles, max_age, age_buckets))
}

/// `created`, which only counters, histograms and summaries take.
fn created_key(cx: &Ctxt, name: &str, kind: Kind, slot: Slot<()>) -> bool {
    let Some((span, ())) = slot.get_with_span() else { return false };
    if kind.has_created() {
        return true;
    }
    cx.error_at(
        span,
        format_args!(
            "`created` is for counters, histograms and summaries; `{name}` is {}\n= note: OpenMetrics' `_created` sample says when a cumulative series started counting; {} has none\n= help: remove `created`",
            kind.with_article(),
            kind.with_article(),
        ),
    );
    false
}

/// The series limit: the field's `max_series`, checked against the
/// policy's ceiling (L6), or the policy's limit.
fn series_limit(cx: &Ctxt, name: &str, max_series: Slot<syn::LitInt>, policy: &metricate_spec::Policy) -> usize {
    match max_series.get() {
        Some(lit) => match lit.base10_parse::<usize>() {
            Ok(limit) => {
                if let Some(violation) = rules::check_l6_limit(name, limit, policy) {
                    cx.error_spanned_by(&lit, violation);
                }
                limit
            }
            Err(error) => {
                cx.push(error);
                policy.max_series
            }
        },
        None => policy.max_series,
    }
}

/// `#[metric(quiet)]` or `quiet = false`, which only a metric with labels
/// can say: a metric without labels has one series, always exposed.
fn check_quiet(cx: &Ctxt, name: &str, quiet: Slot<bool>, kind: Kind, labeled: bool) -> Option<bool> {
    match quiet.get_with_span() {
        Some((span, _)) if matches!(kind, Kind::Info | Kind::StateSet) => {
            cx.error_at(
                span,
                format_args!(
                    "`quiet` is for families; `{name}` is {}\n= note: an info metric exposes only the label set it was given last, and a state set every state, 1 or 0\n= help: remove `quiet`",
                    kind.with_article()
                ),
            );
            None
        }
        Some((_, quiet)) if labeled => Some(quiet),
        Some((span, _)) => {
            cx.error_at(
                span,
                format_args!(
                    "`quiet` is for metrics with labels; `{name}` has none\n= note: a quiet metric exposes only the label combinations that have been recorded to; a metric without labels has one series, always exposed\n= help: remove `quiet`, or make the field a `Family<L, M>`"
                ),
            );
            None
        }
        None => None,
    }
}

/// D2: the version (semver, `1.0.0` by default) and the deprecation, each
/// checked at its literal.
fn lifecycle(
    cx: &Ctxt,
    name: &str,
    version: Slot<syn::LitStr>,
    deprecated: Slot<syn::LitStr>,
    replacement: Slot<syn::LitStr>,
) -> (String, Option<(String, String)>) {
    let version = match version.get() {
        Some(lit) => {
            if let Some(violation) = rules::check_d2_version(name, &lit.value()) {
                cx.error_spanned_by(&lit, violation);
            }
            lit.value()
        }
        None => DEFAULT_VERSION.to_owned(),
    };
    let deprecation = match (deprecated.get(), replacement.get()) {
        (Some(reason), replacement) => {
            let with = replacement.as_ref().map(syn::LitStr::value);
            if let Some(violation) = rules::check_d2_deprecation(name, &reason.value(), with.as_deref()) {
                match &replacement {
                    Some(lit) if !reason.value().trim().is_empty() => cx.error_spanned_by(lit, violation),
                    _ => cx.error_spanned_by(&reason, violation),
                }
            }
            Some((reason.value(), with.unwrap_or_default()))
        }
        (None, Some(lit)) => {
            cx.error_spanned_by(
                &lit,
                "`replacement` names what replaces a deprecated metric\n= help: add `deprecated = \"<why>\"`, or remove `replacement`",
            );
            None
        }
        (None, None) => None,
    };
    (version, deprecation)
}

/// The numbers of a `buckets = [..]` or `quantiles = [..]` array, checked by
/// H1 (`metricate_spec::rules::check_h1` for bucket bounds,
/// `check_quantiles` for quantiles) with each violation at its element.
fn parse_numbers(cx: &Ctxt, list: H1List, name: &str, array: &syn::ExprArray) -> Vec<f64> {
    let mut numbers = Vec::new();
    let mut elems = Vec::new();
    for elem in &array.elems {
        match number(elem) {
            Some(value) => {
                numbers.push(value);
                elems.push(elem);
            }
            None => cx.error_spanned_by(elem, rules::h1_not_a_literal(list, name, &crate::emit::source(elem))),
        }
    }
    // With every element rejected above, "no bounds" would only repeat it.
    if numbers.is_empty() && !array.elems.is_empty() {
        return numbers;
    }
    let checked = match list {
        H1List::Buckets => rules::check_h1(name, &numbers),
        H1List::Quantiles => rules::check_quantiles(name, &numbers),
    };
    for violation in checked {
        match violation.index.and_then(|i| elems.get(i)) {
            Some(elem) => cx.error_spanned_by(elem, violation),
            None => cx.error_spanned_by(array, violation),
        }
    }
    numbers
}

pub(crate) fn number(expr: &syn::Expr) -> Option<f64> {
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Float(f), .. }) => f.base10_parse().ok(),
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => i.base10_parse::<i64>().ok().map(|i| i as f64),
        syn::Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), expr, .. }) => number(expr).map(|v| -v),
        _ => None,
    }
}
