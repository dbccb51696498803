//! `#[derive(Metrics)]`: a struct whose fields are metrics becomes a
//! registered group of declared metrics with `static` storage.

use std::fmt::Write as _;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use metricate_catalog::MetricKind as Kind;
use metricate_catalog::rules::{self, H1List, Rule};

use crate::attr::{self, Slot};
use crate::ctxt::Ctxt;
use crate::emit;
use crate::policy;
use crate::private::Private;
use crate::rustdoc_catalog::{self, Committed};

/// A metric's version when it declares none (the runtime's
/// `__private::base` says the same).
const DEFAULT_VERSION: &str = "1.0.0";

struct Field<'a> {
    member: &'a syn::Ident,
    ty: &'a syn::Type,
    /// The label set of a `Family<L, M>`.
    labels: Option<&'a syn::Type>,
    name: String,
    kind: Kind,
    help: String,
    unit: Option<String>,
    buckets: Option<Vec<f64>>,
    /// A summary's quantiles, window in seconds and age buckets.
    summary: Option<(Vec<f64>, u64, u32)>,
    /// What the field's type needs of the derive beyond its `MetricField`
    /// constants.
    special: Special<'a>,
    /// Whether its series carry exemplars (`ExemplarCounter`,
    /// `ExemplarHistogram`).
    exemplars: bool,
    /// `#[metric(created)]`.
    created: bool,
    /// The series limit: the policy's, or the field's own `max_series`.
    max_series: usize,
    version: String,
    /// `(reason, replacement)` of a deprecated metric.
    deprecation: Option<(String, String)>,
    /// `#[metric(quiet)]` (`Some(true)`): only the series recorded to are
    /// exposed; `quiet = false`: every one; `None`: as the label set says.
    quiet: Option<bool>,
    /// `#[alert(..)]`s.
    alerts: Vec<crate::alert::Alert>,
}

pub(crate) fn expand(input: &syn::DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let mut krate = Slot::new("crate");
    let mut subsystem = Slot::new("subsystem");
    let mut subsystem_ok = true;
    let mut function = Slot::new("function");
    attr::for_each_key(&cx, &input.attrs, "metrics", |meta| {
        if meta.path.is_ident("crate") {
            let lit = attr::string(meta)?;
            krate.set(&cx, lit.span(), lit.parse::<syn::Path>()?);
        } else if meta.path.is_ident("subsystem") {
            let lit = attr::string(meta)?;
            if let Some(violation) = rules::check_n1_subsystem(&lit.value()) {
                cx.error_spanned_by(&lit, violation);
                subsystem_ok = false;
            }
            subsystem.set(&cx, lit.span(), lit.value());
        } else if meta.path.is_ident("function") {
            let lit = attr::string(meta)?;
            function.set(&cx, lit.span(), lit.value());
        } else {
            attr::unknown_key(&cx, meta, "metrics", &["subsystem", "crate", "function"]);
        }
        Ok(())
    });
    let private = Private(krate.get());
    let subsystem = subsystem.get().unwrap_or_default();
    let function = function.get();

    let policy::Loaded { policy, mut tracking } = policy::load(&cx);
    let (committed, catalogue_tracking) = rustdoc_catalog::load(&cx, &policy);
    tracking.extend(catalogue_tracking);

    let named = match &input.data {
        syn::Data::Struct(syn::DataStruct { fields: syn::Fields::Named(named), .. }) => Some(named),
        syn::Data::Struct(_) => {
            cx.error_spanned_by(
                &input.ident,
                "`Metrics` needs named fields: the field names are the metric names\n= help: write `struct Name { requests_total: Counter, .. }`",
            );
            None
        }
        syn::Data::Enum(data) => {
            cx.error_spanned_by(
                data.enum_token,
                "`Metrics` is derived on structs whose fields are metrics\n= help: write `struct Name { requests_total: Counter, .. }`",
            );
            None
        }
        syn::Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "`Metrics` is derived on structs whose fields are metrics\n= help: write `struct Name { requests_total: Counter, .. }`",
            );
            None
        }
    };
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "a metrics struct cannot be generic: its metrics are `static`\n= help: remove the generic parameters; declare one struct per set of metrics",
        );
    }

    let mut fields = Vec::new();
    for field in named.iter().flat_map(|n| &n.named) {
        if let Some(parsed) = parse_field(&cx, field, &policy, &subsystem, subsystem_ok) {
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
    crate::alert::check_unique(&cx, fields.iter().flat_map(|f| f.alerts.iter().map(|a| (a, f.name.as_str()))));

    match cx.check() {
        Ok(()) => impl_metrics(input, &fields, &subsystem, function.as_deref(), tracking, committed.as_ref(), &private),
        Err(errors) => {
            let errors = errors.to_compile_error();
            let stub = stub(input, &private);
            // The tracking still goes out: it is emitted once per crate.
            quote! { #errors #stub const _: () = { #tracking }; }
        }
    }
}

/// Field types whose labels the derive writes itself.
#[derive(Clone, Copy)]
enum Special<'a> {
    None,
    /// `BuildInfo`: the declaring crate's version, the compiler, the target
    /// and the revision.
    BuildInfo,
    /// `StateSet<E>`: one label named after the metric, over `E`'s values.
    StateSet(&'a syn::Type),
    /// `ExemplarCounter`, `ExemplarHistogram` (or a family of them): their
    /// series carry exemplars.
    Exemplars,
}

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

/// The `#[metric(..)]` keys of one field, as written.
struct FieldAttrs {
    name: Slot<String>,
    unit: Slot<String>,
    help: Slot<String>,
    buckets: Slot<syn::ExprArray>,
    max_series: Slot<syn::LitInt>,
    version: Slot<syn::LitStr>,
    deprecated: Slot<syn::LitStr>,
    replacement: Slot<syn::LitStr>,
    quiet: Slot<bool>,
    quantiles: Slot<syn::ExprArray>,
    max_age: Slot<syn::LitStr>,
    age_buckets: Slot<syn::Expr>,
    created: Slot<()>,
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

fn field_attrs(cx: &Ctxt, field: &syn::Field, local: &str) -> FieldAttrs {
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

fn parse_field<'a>(
    cx: &Ctxt,
    field: &'a syn::Field,
    policy: &metricate_catalog::Policy,
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
    let buckets = buckets.get().map(|array| (array.span(), parse_buckets(cx, &name, &array)));
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
        (Kind::Histogram, None) => Some(metricate_catalog::DEFAULT_BUCKETS.to_vec()),
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
        Some(array) => parse_quantiles(cx, name, &array),
        None => metricate_catalog::DEFAULT_QUANTILES.to_vec(),
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
                metricate_catalog::DEFAULT_MAX_AGE_SECONDS
            }
            _ => {
                cx.error_spanned_by(
                    &lit,
                    format_args!(
                        "`max_age` of summary `{name}` is not a duration of at least one second\n= note: the window of a summary: observations older than this leave its quantiles\n= help: write a whole number of `d`, `h`, `m` or `s`, e.g. `max_age = \"10m\"` or `\"1h30m\"`"
                    ),
                );
                metricate_catalog::DEFAULT_MAX_AGE_SECONDS
            }
        },
        None => metricate_catalog::DEFAULT_MAX_AGE_SECONDS,
    };
    let age_buckets = match age_buckets.get() {
        Some(expr) => match &expr {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(int), .. })
                if int.base10_parse::<u32>().is_ok_and(|n| (1..=60).contains(&n)) =>
            {
                int.base10_parse::<u32>().unwrap_or(metricate_catalog::DEFAULT_AGE_BUCKETS)
            }
            _ => {
                cx.error_spanned_by(
                    &expr,
                    format_args!(
                        "`age_buckets` of summary `{name}` is not between 1 and 60\n= note: the window moves in `age_buckets` steps of `max_age / age_buckets`\n= help: write a whole number from 1 to 60, e.g. `age_buckets = 5`"
                    ),
                );
                metricate_catalog::DEFAULT_AGE_BUCKETS
            }
        },
        None => metricate_catalog::DEFAULT_AGE_BUCKETS,
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

/// The quantiles of a `quantiles = [..]` array, checked by H1
/// (`metricate_catalog::rules::check_quantiles`) with each violation at its
/// element.
fn parse_quantiles(cx: &Ctxt, name: &str, array: &syn::ExprArray) -> Vec<f64> {
    let mut quantiles = Vec::new();
    let mut elems = Vec::new();
    for elem in &array.elems {
        match number(elem) {
            Some(value) => {
                quantiles.push(value);
                elems.push(elem);
            }
            None => cx.error_spanned_by(elem, rules::h1_not_a_literal(H1List::Quantiles, name, "")),
        }
    }
    if quantiles.is_empty() && !array.elems.is_empty() {
        return quantiles;
    }
    for violation in rules::check_quantiles(name, &quantiles) {
        match violation.index.and_then(|i| elems.get(i)) {
            Some(elem) => cx.error_spanned_by(elem, violation),
            None => cx.error_spanned_by(array, violation),
        }
    }
    quantiles
}

/// The series limit: the field's `max_series`, checked against the
/// policy's ceiling (L6), or the policy's limit.
fn series_limit(cx: &Ctxt, name: &str, max_series: Slot<syn::LitInt>, policy: &metricate_catalog::Policy) -> usize {
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

/// The bounds of a `buckets = [..]` array, checked by H1
/// (`metricate_catalog::rules::check_h1`) with each violation at its element.
fn parse_buckets(cx: &Ctxt, name: &str, array: &syn::ExprArray) -> Vec<f64> {
    let mut bounds = Vec::new();
    let mut elems = Vec::new();
    for elem in &array.elems {
        match number(elem) {
            Some(value) => {
                bounds.push(value);
                elems.push(elem);
            }
            None => {
                let written = quote::quote!(#elem).to_string();
                cx.error_spanned_by(elem, rules::h1_not_a_literal(H1List::Buckets, name, &written));
            }
        }
    }
    // With every element rejected above, "no bounds" would only repeat it.
    let checked =
        if bounds.is_empty() && !array.elems.is_empty() { Vec::new() } else { rules::check_h1(name, &bounds) };
    for violation in checked {
        match violation.index.and_then(|i| elems.get(i)) {
            Some(elem) => cx.error_spanned_by(elem, violation),
            None => cx.error_spanned_by(array, violation),
        }
    }
    bounds
}

pub(crate) fn number(expr: &syn::Expr) -> Option<f64> {
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Float(f), .. }) => f.base10_parse().ok(),
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => i.base10_parse::<i64>().ok().map(|i| i as f64),
        syn::Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), expr, .. }) => number(expr).map(|v| -v),
        _ => None,
    }
}

fn impl_metrics(
    input: &syn::DeriveInput,
    fields: &[Field<'_>],
    subsystem: &str,
    function: Option<&str>,
    tracking: TokenStream,
    committed: Option<&Committed>,
    p: &Private,
) -> TokenStream {
    let ident = input.ident.to_string();
    let vis = match &input.vis {
        syn::Visibility::Public(_) => "pub".to_owned(),
        syn::Visibility::Inherited => String::new(),
        restricted @ syn::Visibility::Restricted(_) => emit::source(restricted),
    };
    // The field types' aliases (the input's own tokens) are built as tokens;
    // the rest is text, lexed once, the items that need a span of the input
    // given it in place (`items`).
    let mut spanned = tracking;
    let mut items = emit::Spanned::default();
    let mut text = String::new();
    let function = emit::option(
        function.map(|name| format!("::core::concat!(::core::module_path!(), \"::\", {})", emit::string(name))),
    );
    let _ = write!(
        text,
        "use {} as __m;
        const __BASE: __m::Descriptor = __m::base({}, ::core::file!(), ::core::module_path!(), {function});",
        p.text(),
        emit::string(subsystem)
    );

    let mut from_static = String::new();
    let mut from_heap = String::new();
    let mut visits = String::new();
    let mut consts = String::new();
    for (i, f) in fields.iter().enumerate() {
        let member = f.member.to_string();
        let upper = member.trim_start_matches("r#").to_uppercase();
        // The field's type, once, under a short name spanned at the type
        // (where rustc reports a type that is not a metric), read off its
        // first token without printing the type.
        let ty_span = crate::input::type_span(f.ty);
        let ty = format_ident!("__T{}", i, span = ty_span);
        let declared = f.ty;
        spanned.extend(quote!(type #ty = #declared;));
        series_check(&mut items, f, i);
        let bound_values = bound_values(f);
        // Only histograms and summaries have a `static` of bounds.
        let bounds = if bound_values.is_empty() {
            "&[]".to_owned()
        } else {
            let values: Vec<String> = bound_values.iter().map(|&v| emit::float(v)).collect();
            let _ = write!(text, "static __B{i}: [f64; {}] = [{}];", values.len(), values.join(", "));
            format!("&__B{i}")
        };
        // The cells' `static` is where rustc first checks the field's type:
        // spanned at it, so that a type that is not a metric is reported
        // there first.
        items.item(
            ty_span,
            format_args!(
                "static __M{i}: __m::Cells<__T{i}, {{ __m::cells::<__T{i}>({}) }}> = __m::Cells::NEW;",
                bound_values.len()
            ),
        );
        let (name, help) = (emit::string(&f.name), emit::string(&f.help));
        let start = f.member.span().start();
        let base = format!("__m::descriptor::<__T{i}>(&__BASE, {name}, {help}, {}, {})", start.line, start.column + 1);
        let (parts, labels) = descriptor_parts(f, &ty, &bounds, p);
        // The descriptor: a `static` of its own (constants may not point
        // into the cells' `static`, whose atomics are interior mutability).
        let desc = match labels {
            None if parts.is_empty() => {
                let _ = write!(text, "static __D{i}: __m::Descriptor = {base};");
                format!("__D{i}")
            }
            None => {
                let _ = write!(text, "static __D{i}: __m::Descriptor = __m::Descriptor {{ {parts} ..{base} }};");
                format!("__D{i}")
            }
            // Labels the derive writes, and alerts, carry spans; the
            // descriptor has a name of its own, which rustc gives when an
            // alert's const evaluation fails.
            Some(labels) => {
                let desc = format_ident!("__METRICS_DESC_{}", upper);
                let (base, parts) = (emit::lex(&base), emit::lex(&parts));
                spanned.extend(quote! {
                    static #desc: __m::Descriptor = __m::Descriptor { #parts #labels ..#base };
                });
                desc.to_string()
            }
        };
        let doc = emit::string(&rustdoc(f, committed).join("\n"));
        let _ = write!(consts, "#[doc = {doc}] {vis} const {upper}: &__m::Descriptor = &{desc};");
        let _ = write!(from_static, "{member}: __T{i}::__from_static(&__M{i}.0, {bounds}),");
        let _ = write!(from_heap, "{member}: __m::MetricField::new_heap({bounds}),");
        let _ = write!(visits, "f(&{desc}, &self.{member});");
    }

    let _ = write!(
        text,
        "static __GLOBAL: {ident} = {ident} {{ {from_static} }};
        __m::inventory::submit! {{ __m::Entry::new(&__GLOBAL) }}

        impl {ident} {{
            #[doc = \" The registered instance.\"]
            #[inline]
            {vis} fn global() -> &'static Self {{
                __m::global_instance(&__GLOBAL, Self::new_unregistered)
            }}

            #[doc = \" An unregistered instance, for tests.\"]
            #[inline]
            {vis} fn new_unregistered() -> Self {{
                {ident} {{ {from_heap} }}
            }}

            {consts}
        }}

        #[automatically_derived]
        impl __m::MetricGroup for {ident} {{
            fn for_each_metric<'a>(&'a self, f: __m::Visit<'_, 'a>) {{
                {visits}
            }}
        }}"
    );
    let text = items.finish(&text);
    quote!(const _: () = { #text #spanned };)
}

/// The fields of a descriptor that differ from what `__private::descriptor`
/// gives (see there): as source text, `field: value,` pairs of what needs no
/// span, and as tokens those that do (labels the derive writes, alerts).
fn descriptor_parts(f: &Field<'_>, ty: &syn::Ident, bounds: &str, p: &Private) -> (String, Option<TokenStream>) {
    let mut parts = String::new();
    if let Some(unit) = &f.unit {
        let _ = write!(parts, "unit: {},", emit::option(Some(emit::string(unit))));
    }
    if f.summary.is_none() && f.buckets.is_some() {
        let _ = write!(parts, "buckets: {bounds},");
    }
    if f.version != DEFAULT_VERSION {
        let _ = write!(parts, "version: {},", emit::string(&f.version));
    }
    if let Some((reason, replacement)) = &f.deprecation {
        let _ = write!(
            parts,
            "deprecation: ::core::option::Option::Some(__m::Deprecation {{ reason: {}, replacement: {} }}),",
            emit::string(reason),
            emit::option(Some(emit::string(replacement)))
        );
    }
    if let Some(quiet) = f.quiet {
        let _ = write!(parts, "quiet: {quiet},");
    }
    if let Some((quantiles, max_age, age_buckets)) = &f.summary {
        let quantiles: Vec<String> = quantiles.iter().map(|&q| emit::float(q)).collect();
        let _ = write!(
            parts,
            "summary: ::core::option::Option::Some(__m::SummarySpec {{ quantiles: {{ static QUANTILES: [f64; {}] = \
             [{}]; &QUANTILES }}, max_age_seconds: {max_age}, age_buckets: {age_buckets} }}),",
            quantiles.len(),
            quantiles.join(", ")
        );
    }
    if f.created {
        parts.push_str("created: true,");
    }
    let labels = label_tokens(f, p);
    let mut spanned = TokenStream::new();
    if let Some(labels) = &labels {
        spanned.extend(quote!(labels: #labels,));
    }
    if !f.alerts.is_empty() {
        let labels =
            labels.unwrap_or_else(|| quote_spanned!(crate::input::type_span(f.ty)=> <#ty as __m::MetricField>::LABELS));
        let alerts = crate::alert::tokens(&f.alerts, &labels, &f.name, p);
        spanned.extend(quote!(alerts: #alerts,));
    }
    (parts, (!spanned.is_empty()).then_some(spanned))
}

/// The values of a field's `bounds` static: a histogram's bounds; a
/// summary's window and quantiles, which is how the runtime's `Summary`
/// learns them: `[max_age, age_buckets, q..]`.
fn bound_values(f: &Field<'_>) -> Vec<f64> {
    match &f.summary {
        Some((quantiles, max_age, age_buckets)) => {
            [*max_age as f64, f64::from(*age_buckets)].into_iter().chain(quantiles.iter().copied()).collect()
        }
        None => f.buckets.clone().unwrap_or_default(),
    }
}

/// The labels of a descriptor the derive writes itself, if it does: those
/// of `BuildInfo` (the declaring crate's build) and `StateSet<E>` (one label
/// named after the metric); other types' are their `MetricField::LABELS`.
fn label_tokens(f: &Field<'_>, p: &Private) -> Option<TokenStream> {
    match f.special {
        Special::None | Special::Exemplars => None,
        Special::BuildInfo => {
            let label = |name: &str, value: TokenStream| {
                quote! {{
                    const VALUE: &str = #p::plain_label_value(#value);
                    #p::Label::of_build(#name, &[VALUE])
                }}
            };
            let version = label("version", quote!(::core::env!("CARGO_PKG_VERSION")));
            let rustc = label("rustc", quote!(#p::RUSTC_VERSION));
            let target = label("target", quote!(#p::TARGET));
            let revision = label(
                "revision",
                quote! {
                    match ::core::option_env!("METRICATE_GIT_REVISION") {
                        ::core::option::Option::Some(revision) => revision,
                        ::core::option::Option::None => "unknown",
                    }
                },
            );
            Some(quote!({
                static LABELS: [#p::Label; 4] = [#version, #rustc, #target, #revision];
                &LABELS
            }))
        }
        Special::StateSet(states) => {
            let name = &f.name;
            Some(quote!({
                static LABELS: [#p::Label; 1] = [#p::StateSet::<#states>::__label(#name)];
                &LABELS
            }))
        }
    }
}

/// The rustdoc of a metric's descriptor constant, one line per `#[doc]`:
/// what a reader of `cargo doc` needs to query it. With a committed
/// catalogue (policy key `rustdoc_catalog`), a family's labels and values.
fn rustdoc(f: &Field<'_>, committed: Option<&Committed>) -> Vec<String> {
    let name = &f.name;
    let mut lines = vec![format!(" `{name}`: {}", f.help), String::new()];
    lines.push(format!(" - type: {}", f.kind.as_str()));
    lines.push(format!(" - unit: {}", f.unit.as_deref().map_or("none".to_owned(), |u| format!("`{u}`"))));
    let labels = f.labels.map(|labels| quote!(#labels).to_string().replace(' ', ""));
    match (labels, committed) {
        (Some(labels), Some(committed)) => lines.extend(committed.label_lines(name, &labels)),
        (Some(labels), None) => lines.push(format!(
            " - labels: the fields of [`{labels}`], each with the values its type lists in `LabelValue::VALUES`"
        )),
        (None, _) => lines.push(" - labels: none".to_owned()),
    }
    if let Some(buckets) = &f.buckets {
        let bounds: Vec<String> = buckets.iter().map(|b| format!("{b:?}")).collect();
        lines.push(format!(" - buckets: {}, `+Inf`", bounds.join(", ")));
    }
    if let Some((quantiles, max_age, age_buckets)) = &f.summary {
        let quantiles: Vec<String> = quantiles.iter().map(|q| format!("{q:?}")).collect();
        lines.push(format!(" - quantiles: {}, over the last {max_age} s in {age_buckets} steps", quantiles.join(", ")));
    }
    if f.exemplars {
        lines.push(" - exemplars: the latest per series (and per bucket), in OpenMetrics".to_owned());
    }
    if f.created {
        lines.push(" - created: OpenMetrics writes each series' `_created`".to_owned());
    }
    match f.quiet {
        Some(true) => lines.push(" - quiet: only the label combinations recorded to are exposed".to_owned()),
        Some(false) => lines.push(" - not quiet: every label combination is exposed from the first scrape".to_owned()),
        // Quiet by its label set, which the catalogue knows.
        None if committed.is_some_and(|c| c.quiet(name)) => {
            lines
                .push(" - quiet (as its label set is): only the label combinations recorded to are exposed".to_owned());
        }
        None => {}
    }
    lines.push(format!(" - version: {}", f.version));
    if let Some((reason, replacement)) = &f.deprecation {
        lines.push(format!(" - **deprecated**: {reason}; use `{replacement}` instead"));
    }
    let example = match f.kind {
        Kind::Counter => format!("sum(rate({name}[5m]))"),
        Kind::Gauge => format!("max_over_time({name}[5m])"),
        Kind::Histogram => format!("histogram_quantile(0.99, sum by (le) (rate({name}_bucket[5m])))"),
        Kind::Summary => format!("max by (quantile) ({name})"),
        Kind::Info => format!("{name} == 1"),
        Kind::StateSet => format!("{name}{{{name}=\"...\"}} == 1"),
    };
    lines.extend([String::new(), " ```promql".to_owned(), format!(" {example}"), " ```".to_owned()]);
    lines
}

/// L6 in const evaluation (only const evaluation knows the series count; the
/// runtime's `check_series` writes the rule's text), with every token of the
/// call at the field name, where rustc then points the failed evaluation.
fn series_check(items: &mut emit::Spanned, f: &Field<'_>, i: usize) {
    if f.labels.is_some() {
        // (One series is within any limit: limits are at least 1.)
        items.item(
            f.member.span(),
            format_args!(
                "const _: () = __m::check_series(__m::series::<__T{i}>(), {}, {});",
                f.max_series,
                emit::string(&f.name)
            ),
        );
    }
}

/// What an invalid struct expands to besides its errors: the accessors, so
/// that code using them reports nothing more.
fn stub(input: &syn::DeriveInput, p: &Private) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let predicates = where_clause.iter().flat_map(|w| &w.predicates);
    let sync_where = quote!(where #(#predicates,)* Self: ::core::marker::Sync);
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #ident #ty_generics #where_clause {
                #[allow(missing_docs)]
                #vis fn global() -> &'static Self
                where
                    Self: 'static,
                {
                    ::core::unreachable!()
                }
                #[allow(missing_docs)]
                #vis fn new_unregistered() -> Self
                where
                    Self: Sized,
                {
                    ::core::unreachable!()
                }
            }
            #[automatically_derived]
            impl #impl_generics #p::MetricGroup for #ident #ty_generics #sync_where {
                fn for_each_metric<'a>(
                    &'a self,
                    _: &mut dyn ::core::ops::FnMut(&'static #p::Descriptor, &'a dyn #p::Collect),
                ) {
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_familys_rustdoc_without_a_catalogue_points_at_the_label_values() {
        let field: syn::Field = syn::parse_quote! {
            /// Jobs run.
            runs_total: Family<Run, Counter>
        };
        let policy = metricate_catalog::Policy { namespace: "app".to_owned(), ..Default::default() };
        let cx = Ctxt::new();
        let parsed = parse_field(&cx, &field, &policy, "jobs", true).expect("a metric");
        cx.check().expect("no errors");
        let doc = rustdoc(&parsed, None).join("\n");
        assert!(
            doc.contains("the fields of [`Run`], each with the values its type lists in `LabelValue::VALUES`"),
            "{doc}"
        );
    }
}
