//! What `#[instrument_metric]` checks: the function (one a clock can wrap),
//! the arguments against each other and the function, the names of the
//! metrics it declares (through `metricate_spec::rules`), and the label
//! fields that take how a call ended.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use metricate_spec::rules;

use super::attr::{BUCKETS, Config, HELP, METRICS, NAME, REASON, SUBSYSTEM};
use super::{Shape, future_output, member_name, result_error};
use crate::attr;
use crate::ctxt::Ctxt;
use crate::policy;

/// Rejects the functions a clock cannot wrap; returns how the function runs.
pub(super) fn function(cx: &Ctxt, function: &syn::ItemFn) -> Shape {
    let sig = &function.sig;
    cx.error_each_spanned_by(&[
        (sig.constness.as_ref().map(|t| t as _), "`#[instrument_metric]` cannot instrument a `const fn`: const evaluation has no clock and records nothing\n= help: remove `const`, or instrument the functions that call it at run time"),
        (sig.abi.as_ref().map(|t| t as _), "`#[instrument_metric]` cannot instrument an `extern` function: its body would run inside a Rust closure, whose unwinding and calling convention differ\n= help: instrument a Rust function that the `extern` function calls"),
        (sig.variadic.as_ref().map(|t| t as _), "`#[instrument_metric]` cannot instrument a variadic function\n= help: instrument a function with a fixed argument list that this one calls"),
    ]);
    if sig.asyncness.is_some() {
        Shape::Async
    } else if future_output(&sig.output).is_some() {
        Shape::ReturnsFuture
    } else {
        Shape::Sync
    }
}

pub(super) fn config(cx: &Ctxt, config: &Config, function: &syn::ItemFn) {
    if config.targets() {
        let declared_only: [(&str, Option<Span>); 6] = [
            (METRICS, config.metrics.as_ref().map(syn::Ident::span)),
            (NAME, config.name.as_ref().map(syn::LitStr::span)),
            (SUBSYSTEM, config.subsystem.as_ref().map(syn::LitStr::span)),
            (HELP, config.help.as_ref().map(syn::LitStr::span)),
            (BUCKETS, config.buckets.as_ref().map(Spanned::span)),
            (REASON, config.reason.as_ref().map(Spanned::span)),
        ];
        for (key, span) in declared_only {
            let help = if key == METRICS {
                "the struct that declares those metrics is their typed handle already: remove `metrics`, or remove `duration` and `count`".to_owned()
            } else {
                format!("set `{key}` on those metrics' declaration, or remove `duration` and `count`")
            };
            if let Some(span) = span {
                cx.error_at(
                    span,
                    format_args!("`{key}` is for the metrics the attribute declares; with `duration`/`count` it records into metrics declared elsewhere\n= help: {help}"),
                );
            }
        }
        if let (Some(outcome), None) = (&config.outcome, &config.labels) {
            cx.error_spanned_by(
                outcome,
                format_args!("`outcome = {outcome}` names a field of `labels`, and there is no `labels`\n= help: add the label set, with the field alone: `labels = Request {{ .., {outcome} }}`"),
            );
        }
        if let Some((span, None)) = &config.in_flight {
            cx.error_at(
                *span,
                "with `duration`/`count`, `in_flight` names a declared gauge\n= help: write `in_flight = <IntGauge>`, e.g. `in_flight = Agent::global().boots_in_flight`",
            );
        }
    } else {
        cx.error_each_spanned_by(&[
            (config.labels.as_ref().map(|t| t as _), "`labels` is for recording into declared metrics: the metrics the attribute declares are labeled `{result}` only\n= help: add `duration = ..` and/or `count = ..` naming metrics of this label set"),
            (config.outcome.as_ref().map(|t| t as _), "`outcome` names a field of `labels`, for recording into declared metrics: the metrics the attribute declares are labeled `{result}` only\n= help: remove `outcome`, or add `duration = ..`/`count = ..` and `labels = ..`"),
            (config.in_flight.as_ref().and_then(|(_, gauge)| gauge.as_ref()).map(|t| t as _), "`in_flight = <gauge>` is for recording into declared metrics\n= help: write `in_flight` alone to declare the gauge, or add `duration`/`count`"),
        ]);
    }
    if let (Some(metrics), Some(receiver)) = (&config.metrics, function.sig.receiver()) {
        cx.error_spanned_by(
            metrics,
            format_args!(
                "`metrics = {metrics}` declares a struct next to the function, and the `impl` of a method (here `{}`) cannot hold one\n= help: declare the metrics in a `#[derive(Metrics)]` struct and record into them with `duration = ..`/`count = ..`, or drop `metrics` and read the metrics through the registry",
                crate::emit::written(receiver)
            ),
        );
    }
    if let Some(reason) = &config.reason {
        check_reason(cx, reason, function);
    }
}

/// `reason = R` needs an error type the macro can name, not one of the
/// function's type parameters.
fn check_reason(cx: &Ctxt, reason: &syn::Type, function: &syn::ItemFn) {
    let generic = |ty: &syn::Type| match ty {
        syn::Type::Path(path) if path.qself.is_none() => {
            path.path.get_ident().is_some_and(|ident| function.sig.generics.type_params().any(|p| p.ident == *ident))
        }
        _ => false,
    };
    if generic(reason) {
        cx.error_spanned_by(reason, rules::l4_generic_reason(false));
        return;
    }
    if let Some(error) = result_error(&function.sig).filter(|e| generic(e)) {
        cx.error_spanned_by(error, rules::l4_generic_reason(true));
    }
}

/// The names and help text of the declared metrics.
pub(super) struct Naming {
    /// The function's name.
    pub(super) fn_name: String,
    /// The name every metric starts with: `<namespace>_<subsystem>_<name>`.
    pub(super) full: String,
    /// Where a problem with the name is reported.
    pub(super) name_span: Span,
    /// The help text: the function's doc comment, or `help = ".."`.
    pub(super) help: String,
    pub(super) help_span: Span,
    /// What makes Cargo track the policy's manifests.
    pub(super) tracking: TokenStream,
}

/// The names (checked against the policy) and help text (N7) of the
/// declared metrics; `None` when the name breaks a rule.
pub(super) fn naming(cx: &Ctxt, config: &Config, function: &syn::ItemFn) -> Option<Naming> {
    let fn_ident = &function.sig.ident;
    let fn_name = fn_ident.unraw().to_string();
    let (name_span, local) = match &config.name {
        Some(lit) => (lit.span(), lit.value()),
        None => (fn_ident.span(), fn_name.clone()),
    };
    let subsystem = config.subsystem.as_ref().map(syn::LitStr::value).unwrap_or_default();
    let policy = policy::load(cx);
    let tracking = cx.take_tracking();
    let full = policy.full_name(&subsystem, &local);
    if !check_base_name(cx, &full, name_span, &policy) {
        return None;
    }
    let (help_span, help) = match &config.help {
        Some(lit) => (lit.span(), lit.value()),
        None => attr::doc_comment(&function.attrs)
            .map(|(text, span)| (span, text))
            .unwrap_or((fn_ident.span(), String::new())),
    };
    if let Some(mut violation) = rules::check_n7(&format!("{full}_total"), &help) {
        violation.help =
            format!("add a doc comment to `{fn_name}` saying what a call does, or `help = \"...\"` to the attribute");
        cx.error_at(help_span, violation);
    }
    Some(Naming { fn_name, full, name_span, help, help_span, tracking })
}

/// The rules that concern the name every declared metric starts with (N1,
/// N2, N4, and a `_total` the attribute would double), reported once at the
/// name rather than once per metric. Returns whether the name passed.
fn check_base_name(cx: &Ctxt, full: &str, span: Span, policy: &metricate_spec::Policy) -> bool {
    let suffixes = format!("`{full}_total` and `{full}_duration_seconds`");
    let mut ok = true;
    for mut violation in
        [rules::check_n1(full), rules::check_n2(full, policy), rules::check_n4(full)].into_iter().flatten()
    {
        violation.help = format!(
            "{}; the attribute names its metrics {suffixes}, so rename the function or set `name = \"...\"`",
            violation.help
        );
        cx.error_at(span, violation);
        ok = false;
    }
    if let Some(violation) = rules::check_n3_generated(full) {
        cx.error_at(span, violation);
        ok = false;
    }
    ok
}

/// Which fields of `labels` take how the call ended: the one `outcome =
/// field` names, or else every field written `result`. Reports at the token
/// every case that is ambiguous or names nothing.
pub(super) fn takes_outcome(cx: &Ctxt, config: &Config, function: &syn::ItemFn, labels: &syn::ExprStruct) -> Vec<bool> {
    let is_result = |expr: &syn::Expr| matches!(expr, syn::Expr::Path(path) if path.path.is_ident("result"));
    let Some(outcome) = &config.outcome else {
        return labels.fields.iter().map(|field| is_result(&field.expr)).collect();
    };
    let parameters = parameter_names(&function.sig);
    let set = crate::emit::written(&labels.path);
    let mut found = false;
    let takes = labels
        .fields
        .iter()
        .map(|field| {
            let member = member_name(&field.member);
            if *outcome == member {
                found = true;
                let shorthand = field.colon_token.is_none();
                if shorthand && parameters.contains(&member) {
                    cx.error_spanned_by(
                        &field.expr,
                        format_args!("`{member}` is ambiguous: a parameter of `{}` and the field that takes how the call ended (`outcome = {outcome}`)\n= help: rename the parameter, or write the value the field takes from it and name another field in `outcome`", function.sig.ident),
                    );
                } else if !shorthand && !is_result(&field.expr) {
                    cx.error_spanned_by(
                        &field.expr,
                        format_args!("`{member}` takes how the call ended (`outcome = {outcome}`), so it has no value of its own\n= help: write `{member}` alone in `labels`, or remove `outcome` to record this value"),
                    );
                }
                return true;
            }
            if is_result(&field.expr) && !parameters.contains(&"result".to_owned()) {
                cx.error_spanned_by(
                    &field.expr,
                    format_args!("two fields take how the call ended: `{outcome}` (`outcome = {outcome}`) and `{member}`, written `result`\n= help: give `{member}` a value of its own, or remove `outcome` and write `{outcome}` a value"),
                );
                return true;
            }
            false
        })
        .collect();
    if !found {
        let names: Vec<String> = labels.fields.iter().map(|f| member_name(&f.member)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let suggestion = attr::did_you_mean(&outcome.to_string(), &names)
            .map(|name| format!("; did you mean `{name}`?"))
            .unwrap_or_default();
        cx.error_spanned_by(
            outcome,
            format_args!("`labels` has no field `{outcome}`{suggestion}\n= help: `outcome` names the field of `{set}` that takes how the call ended; write it alone in `labels`: `{set} {{ .., {outcome} }}`"),
        );
    }
    takes
}

/// The names a function's parameters bind.
fn parameter_names(sig: &syn::Signature) -> Vec<String> {
    fn bind(pat: &syn::Pat, names: &mut Vec<String>) {
        match pat {
            syn::Pat::Ident(ident) => {
                names.push(ident.ident.to_string());
                if let Some((_, sub)) = &ident.subpat {
                    bind(sub, names);
                }
            }
            syn::Pat::Reference(reference) => bind(&reference.pat, names),
            syn::Pat::Tuple(tuple) => tuple.elems.iter().for_each(|p| bind(p, names)),
            syn::Pat::TupleStruct(tuple) => tuple.elems.iter().for_each(|p| bind(p, names)),
            syn::Pat::Struct(fields) => fields.fields.iter().for_each(|f| bind(&f.pat, names)),
            syn::Pat::Slice(slice) => slice.elems.iter().for_each(|p| bind(p, names)),
            syn::Pat::Paren(paren) => bind(&paren.pat, names),
            syn::Pat::Type(typed) => bind(&typed.pat, names),
            _ => {}
        }
    }
    let mut names = Vec::new();
    for input in &sig.inputs {
        if let syn::FnArg::Typed(typed) = input {
            bind(&typed.pat, &mut names);
        }
    }
    names
}
