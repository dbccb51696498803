//! `#[instrument_metric]`: call counts, durations and outcomes of a function,
//! recorded without changing its signature.
//!
//! Two forms. Without `duration`/`count`, the attribute declares the metrics
//! itself: a struct deriving `Metrics` inside the function body (so that it
//! works on methods and generic functions alike, one set of metrics per
//! function), named `<namespace>_<subsystem>_<name>_total{result}` and
//! `.._duration_seconds{result}` and checked by the same rules as any
//! declaration. With `duration = <histogram>` and/or `count = <counter>`, it
//! records into metrics declared elsewhere, with `labels = Set { .. }`.
//!
//! The body runs in a closure (sync) or an async block (async), so that its
//! `return` and `?` end the body and not the recording around it.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use metricate_catalog::rules;

use crate::attr;
use crate::ctxt::Ctxt;
use crate::policy;
use crate::private::Private;

const KEYS: &[&str] = &[
    "name",
    "subsystem",
    "help",
    "buckets",
    "in_flight",
    "reason",
    "classify",
    "duration",
    "count",
    "labels",
    "crate",
];

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
        let value = if key == "reason" { Value::Type(input.parse()?) } else { Value::Expr(input.parse()?) };
        Ok(Arg { key, value: Some(value) })
    }
}

/// The attribute's arguments, checked.
#[derive(Default)]
struct Config {
    krate: Option<syn::Path>,
    name: Option<syn::LitStr>,
    subsystem: Option<syn::LitStr>,
    help: Option<syn::LitStr>,
    buckets: Option<syn::ExprArray>,
    /// `in_flight` (declare a gauge) or `in_flight = <gauge>`.
    in_flight: Option<(Span, Option<syn::Expr>)>,
    reason: Option<syn::Type>,
    classify: Option<syn::Expr>,
    duration: Option<syn::Expr>,
    count: Option<syn::Expr>,
    labels: Option<syn::ExprStruct>,
}

impl Config {
    /// Whether the attribute records into declared metrics.
    fn targets(&self) -> bool {
        self.duration.is_some() || self.count.is_some()
    }
}

/// How the function runs, which decides how its end is observed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Sync,
    Async,
    /// A non-`async` function returning `impl Future`.
    ReturnsFuture,
}

pub(crate) fn expand(args: TokenStream, item: &TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let config = parse_config(&cx, args);
    let function = match parse_function(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            cx.push(error);
            let errors = cx.check().err().map(|e| e.to_compile_error());
            return quote!(#errors #item);
        }
    };
    let shape = check_function(&cx, &function);
    check_config(&cx, &config, &function);
    let private = Private(config.krate.clone());
    let instrumented = instrument(&cx, &config, &function, shape, &private);
    match cx.check() {
        Ok(()) => instrumented,
        // The function as written, so that its callers report nothing more.
        Err(errors) => {
            let errors = errors.to_compile_error();
            quote!(#errors #function)
        }
    }
}

fn parse_config(cx: &Ctxt, args: TokenStream) -> Config {
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
            ("in_flight", value) => config.in_flight = Some((key.span(), value)),
            ("crate", Some(expr)) => config.krate = string(cx, &key, &expr).and_then(|s| parse_or_report(cx, &s)),
            ("name", Some(expr)) => config.name = string(cx, &key, &expr),
            ("subsystem", Some(expr)) => config.subsystem = string(cx, &key, &expr),
            ("help", Some(expr)) => config.help = string(cx, &key, &expr),
            ("buckets", Some(syn::Expr::Array(array))) => config.buckets = Some(array),
            ("buckets", Some(other)) => cx.error_spanned_by(
                other,
                "H1: `buckets` is not a list of bounds\n= help: write the bounds as an array of number literals, e.g. `buckets = [0.005, 0.05, 0.5, 5.0]`",
            ),
            ("classify", Some(expr)) => config.classify = Some(expr),
            ("duration", Some(expr)) => config.duration = Some(expr),
            ("count", Some(expr)) => config.count = Some(expr),
            ("labels", Some(syn::Expr::Struct(labels))) => config.labels = Some(labels),
            ("labels", Some(other)) => cx.error_spanned_by(
                other,
                "`labels` is a label set value, e.g. `labels = ByProjection { projection: self.kind }`\n= help: write a struct expression of the target metrics' label set; a field written `result` takes how the call ended",
            ),
            (known, None) if KEYS.contains(&known) => cx.error_spanned_by(
                &key,
                format_args!("`{known}` needs a value, e.g. `{}`", example(known)),
            ),
            (unknown, _) => {
                let suggestion =
                    attr::did_you_mean(unknown, KEYS).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
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
        "name" => "name = \"reconcile\"",
        "subsystem" => "subsystem = \"scheduler\"",
        "help" => "help = \"Reconcile passes.\"",
        "buckets" => "buckets = [0.01, 0.1, 1.0]",
        "reason" => "reason = AppendError",
        "classify" => "classify = is_conflict",
        "duration" => "duration = Scheduler::global().reconcile_duration_seconds",
        "count" => "count = Scheduler::global().reconcile_runs_total",
        "labels" => "labels = ByProjection { projection: self.kind }",
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
fn parse_function(item: TokenStream) -> syn::Result<syn::ItemFn> {
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

/// Rejects the functions a clock cannot wrap; returns how the function runs.
fn check_function(cx: &Ctxt, function: &syn::ItemFn) -> Shape {
    let sig = &function.sig;
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(
            constness,
            "`#[instrument_metric]` cannot instrument a `const fn`: const evaluation has no clock and records nothing\n= help: remove `const`, or instrument the functions that call it at run time",
        );
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned_by(
            abi,
            "`#[instrument_metric]` cannot instrument an `extern` function: its body would run inside a Rust closure, whose unwinding and calling convention differ\n= help: instrument a Rust function that the `extern` function calls",
        );
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(
            variadic,
            "`#[instrument_metric]` cannot instrument a variadic function\n= help: instrument a function with a fixed argument list that this one calls",
        );
    }
    if sig.asyncness.is_some() {
        Shape::Async
    } else if future_output(&sig.output).is_some() {
        Shape::ReturnsFuture
    } else {
        Shape::Sync
    }
}

/// `X` of a return type `impl Future<Output = X> + ..`.
fn future_output(output: &syn::ReturnType) -> Option<&syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else { return None };
    let syn::Type::ImplTrait(impl_trait) = &**ty else { return None };
    impl_trait.bounds.iter().find_map(|bound| {
        let syn::TypeParamBound::Trait(bound) = bound else { return None };
        let last = bound.path.segments.last()?;
        if last.ident != "Future" {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
        args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(&assoc.ty),
            _ => None,
        })
    })
}

/// The type the function's call produces: its return type, or the output of
/// the future it returns.
fn produced(sig: &syn::Signature) -> Option<&syn::Type> {
    match &sig.output {
        syn::ReturnType::Default => None,
        output @ syn::ReturnType::Type(_, ty) => future_output(output).or(Some(&**ty)),
    }
}

fn check_config(cx: &Ctxt, config: &Config, function: &syn::ItemFn) {
    if config.targets() {
        let declared_only: [(&str, Option<Span>); 5] = [
            ("name", config.name.as_ref().map(syn::LitStr::span)),
            ("subsystem", config.subsystem.as_ref().map(syn::LitStr::span)),
            ("help", config.help.as_ref().map(syn::LitStr::span)),
            ("buckets", config.buckets.as_ref().map(Spanned::span)),
            ("reason", config.reason.as_ref().map(Spanned::span)),
        ];
        for (key, span) in declared_only {
            if let Some(span) = span {
                cx.error_at(
                    span,
                    format_args!("`{key}` is for the metrics the attribute declares; with `duration`/`count` it records into metrics declared elsewhere\n= help: set `{key}` on those metrics' declaration, or remove `duration` and `count`"),
                );
            }
        }
        if let Some((span, None)) = &config.in_flight {
            cx.error_at(
                *span,
                "with `duration`/`count`, `in_flight` names a declared gauge\n= help: write `in_flight = <IntGauge>`, e.g. `in_flight = Agent::global().boots_in_flight`",
            );
        }
    } else {
        if let Some(labels) = &config.labels {
            cx.error_spanned_by(
                labels,
                "`labels` is for recording into declared metrics: the metrics the attribute declares are labeled `{result}` only\n= help: add `duration = ..` and/or `count = ..` naming metrics of this label set",
            );
        }
        if let Some((_, Some(gauge))) = &config.in_flight {
            cx.error_spanned_by(
                gauge,
                "`in_flight = <gauge>` is for recording into declared metrics\n= help: write `in_flight` alone to declare the gauge, or add `duration`/`count`",
            );
        }
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
        cx.error_spanned_by(
            reason,
            "L4: `reason` is a type parameter of the function\n= note: a reason label takes its values from one closed set, fixed at compile time, so that its series stay bounded\n= help: name a `#[derive(LabelValue)]` enum of error kinds, and implement `ErrorReason<ThatEnum>` for the error type",
        );
        return;
    }
    if let Some(error) = result_error(&function.sig).filter(|e| generic(e)) {
        cx.error_spanned_by(
            error,
            "L4: `reason` needs the function's error type, which is a type parameter here\n= note: each instantiation could have other errors, and a label's values are fixed at compile time, so that its series stay bounded\n= help: instrument a function with a concrete error type, or drop `reason`",
        );
    }
}

/// `E` of a function whose call produces `Result<T, E>`, as written (not
/// through an alias).
fn result_error(sig: &syn::Signature) -> Option<&syn::Type> {
    produced(sig).and_then(|ty| match ty {
        syn::Type::Path(path) => {
            let last = path.path.segments.last()?;
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
            if last.ident != "Result" {
                return None;
            }
            args.args.iter().filter_map(|a| if let syn::GenericArgument::Type(t) = a { Some(t) } else { None }).nth(1)
        }
        _ => None,
    })
}

/// Whether a type can be written inside the body: no `impl Trait`, no `_`.
fn nameable(tokens: TokenStream) -> bool {
    tokens.into_iter().all(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident != "impl" && ident != "_",
        proc_macro2::TokenTree::Group(group) => nameable(group.stream()),
        proc_macro2::TokenTree::Punct(_) | proc_macro2::TokenTree::Literal(_) => true,
    })
}

/// The instrumented function.
fn instrument(cx: &Ctxt, config: &Config, function: &syn::ItemFn, shape: Shape, p: &Private) -> TokenStream {
    let syn::ItemFn { attrs, vis, sig, block } = function;
    // `start` needs `From<Outcome>` of the `result` label's type: its
    // tokens carry the span of the `result` the user wrote, where a missing
    // impl is then reported.
    let (items, setup, record, after, start) = if config.targets() {
        let (setup, record, result) = recording_into_targets(config, p);
        let span = result.unwrap_or_else(Span::call_site);
        (TokenStream::new(), setup, record, TokenStream::new(), span)
    } else {
        let (items, setup, record, after) = declaring(cx, config, function, shape, p);
        (items, setup, record, after, Span::call_site())
    };
    // The whole call, path included, carries that span: a path that starts
    // with tokens of another span would be reported at the attribute.
    let start = |on_drop: TokenStream| quote_spanned!(start=> __MetricsCallGuard::start(#on_drop, #record));
    let (start_panic, start_cancel) = (start(quote!(#p::Outcome::Panic)), start(quote!(#p::Outcome::Cancelled)));
    // The call ends with the `result` label `classify` gives, or with the
    // outcome of the output (`Classify`, else ok) converted by the guard.
    let finish_call = match &config.classify {
        Some(classify) => {
            quote_spanned!(classify.span()=> __metrics_guard.finish_classified(&__metrics_out, #classify))
        }
        None => quote! {
            __metrics_guard.finish_outcome({
                #[allow(unused_imports)]
                use #p::{ClassifyByTrait as _, ClassifyOther as _};
                (&#p::Probe(&__metrics_out)).__metrics_outcome()
            })
        },
    };
    let finish = quote! {
        #after
        #finish_call;
        __metrics_out
    };
    // The output type, where it can be written in the body: it types the
    // body (a closure or an async closure) before its `?` and `return` are
    // checked, and the output before it is classified.
    let output = match produced(sig) {
        None => Some(quote!(())),
        Some(ty) if nameable(ty.to_token_stream()) => Some(ty.to_token_stream()),
        Some(_) => None,
    };
    let (out_ty, returns) = match &output {
        Some(ty) => (quote!(: #ty), quote!(-> #ty)),
        None => (TokenStream::new(), TokenStream::new()),
    };
    let items = quote! {
        #items
        use #p::CallGuard as __MetricsCallGuard;
    };
    let body = match shape {
        Shape::Sync => quote! {
            #items
            #setup
            let __metrics_guard = #start_panic;
            let __metrics_out #out_ty = #p::call_once(move || #returns #block);
            #finish
        },
        // An async closure, so that its return type is the function's.
        Shape::Async => quote! {
            #items
            #setup
            let __metrics_guard = #start_cancel;
            let (__metrics_out, __metrics_guard) =
                #p::Instrumented::new((async move || #returns #block)(), __metrics_guard).await;
            let __metrics_out #out_ty = __metrics_out;
            #finish
        },
        Shape::ReturnsFuture => quote! {
            #items
            #setup
            let __metrics_guard = #start_panic;
            let __metrics_future = #p::call_once(move || #block);
            let __metrics_guard = __metrics_guard.pending();
            async move {
                let (__metrics_out, __metrics_guard) =
                    #p::Instrumented::new(__metrics_future, __metrics_guard).await;
                let __metrics_out #out_ty = __metrics_out;
                #finish
            }
        },
    };
    quote! {
        #(#attrs)*
        #vis #sig {
            #body
        }
    }
}

/// The metrics the attribute declares, and how a call records into them.
/// Returns (items, setup statements, the record closure, statements after
/// the call).
fn declaring(
    cx: &Ctxt,
    config: &Config,
    function: &syn::ItemFn,
    shape: Shape,
    p: &Private,
) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
    let fn_ident = &function.sig.ident;
    let fn_name = fn_ident.unraw().to_string();
    let (name_span, local) = match &config.name {
        Some(lit) => (lit.span(), lit.value()),
        None => (fn_ident.span(), fn_name.clone()),
    };
    let subsystem = config.subsystem.as_ref().map(syn::LitStr::value).unwrap_or_default();
    let policy::Loaded { policy, tracking } = policy::load(cx);
    let full = policy.full_name(&subsystem, &local);
    if !check_base_name(cx, &full, name_span, &policy) {
        return (TokenStream::new(), TokenStream::new(), TokenStream::new(), TokenStream::new());
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
    let help = help.trim();
    let lit = |text: String, span: Span| syn::LitStr::new(&text, span);
    let calls_name = lit(format!("{full}_total"), name_span);
    let duration_name = lit(format!("{full}_duration_seconds"), name_span);
    let calls_help = lit(format!("Calls of `{fn_name}`, by result. {help}"), help_span);
    let duration_help = lit(format!("Duration of `{fn_name}` in seconds, by result. {help}"), help_span);
    let buckets = config.buckets.as_ref().map(|b| quote!(, buckets = #b));
    let krate = config.krate.as_ref().map(|k| {
        let text = k.to_token_stream().to_string().replace(' ', "");
        quote!(crate = #text,)
    });
    let field = |ident: &str| format_ident!("{}", ident, span = name_span);
    let (calls, duration) = (field("calls_total"), field("duration_seconds"));

    // Only a future can be dropped before it completes: a synchronous
    // function's `result` has no `cancelled`.
    let (by_outcome, labels) = match shape {
        Shape::Sync => (quote!(#p::BySyncOutcome), quote!(#p::BySyncOutcome { result: #p::SyncOutcome::from(result) })),
        Shape::Async | Shape::ReturnsFuture => (quote!(#p::ByOutcome), quote!(#p::ByOutcome { result })),
    };
    let mut fields = quote! {
        #[metric(name = #calls_name, help = #calls_help)]
        #calls: #p::Family<#by_outcome, #p::Counter>,
        #[metric(name = #duration_name, help = #duration_help #buckets)]
        #duration: #p::Family<#by_outcome, #p::Histogram>,
    };
    let mut items = quote!(const _: () = { #tracking };);
    let mut on_start = TokenStream::new();
    let mut on_end = TokenStream::new();
    let mut after = TokenStream::new();
    if let Some((span, _)) = &config.in_flight {
        let name = lit(format!("{full}_in_flight"), *span);
        let help = lit(format!("Calls of `{fn_name}` in progress. {help}"), help_span);
        let in_flight = format_ident!("in_flight", span = *span);
        fields.extend(quote! {
            #[metric(name = #name, help = #help)]
            #in_flight: #p::IntGauge,
        });
        on_start = quote!(__metrics.#in_flight.inc(););
        on_end = quote!(__metrics.#in_flight.dec(););
    }
    if let Some(reason) = &config.reason {
        let set = format_ident!("__MetricsReason");
        let vis = TokenStream::new();
        let metric = ReasonMetric { reason, set: &set, vis: &vis, full: &full, fn_name: &fn_name, help, help_span };
        let (field, item, record) = metric.expand(function, p);
        fields.extend(field);
        items.extend(item);
        after = record;
    }
    items.extend(quote! {
        #[derive(#p::Metrics)]
        #[metrics(#krate function = #fn_name)]
        struct __MetricsOfCall {
            #fields
        }
    });
    let setup = quote! {
        let __metrics = __MetricsOfCall::global();
        #on_start
    };
    let record = quote! {
        move |result: #p::Outcome, seconds: f64| {
            let labels = #labels;
            __metrics.#calls.with(labels).inc();
            __metrics.#duration.with(labels).observe(seconds);
            #on_end
        }
    };
    (items, setup, record, after)
}

/// The rules that concern the name every declared metric starts with (N1,
/// N2, N4, and a `_total` the attribute would double), reported once at the
/// name rather than once per metric. Returns whether the name passed.
fn check_base_name(cx: &Ctxt, full: &str, span: Span, policy: &metricate_catalog::Policy) -> bool {
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
    if let Some(stem) = full.strip_suffix("_total") {
        cx.error_at(
            span,
            format_args!(
                "N3: metric name `{full}` ends in `_total`, which the attribute adds to its counter itself\n= note: `_total` marks a counter; a name that already has it would give `{full}_total`\n= help: rename the function, or set `name = \"...\"`, so that the metrics are `{stem}_total` and `{stem}_duration_seconds`"
            ),
        );
        ok = false;
    }
    ok
}

/// `<name>_errors_total{reason}` of `reason = R`: its field, its label set
/// `set` (a struct holding the reason's index, so that an error type with
/// data and without `Copy` is its own reason), and what records an error
/// after the call.
///
/// Every use of `R` as a label value is spanned at `R`, so that a type that
/// is not one is reported there once (rustc merges the identical reports),
/// and the label set's impl has no bounds, so that nothing else reports it.
/// When the function's error type is written `R`, the record path needs
/// nothing more of it; otherwise it needs `IntoReason<R>` of the error (the
/// derive's, or an `ErrorReason<R>` mapping).
struct ReasonMetric<'a> {
    reason: &'a syn::Type,
    set: &'a syn::Ident,
    vis: &'a TokenStream,
    full: &'a str,
    fn_name: &'a str,
    help: &'a str,
    help_span: Span,
}

impl ReasonMetric<'_> {
    fn expand(&self, function: &syn::ItemFn, p: &Private) -> (TokenStream, TokenStream, TokenStream) {
        let Self { reason, set, vis, full, fn_name, help, help_span } = self;
        let span = reason.span();
        let name = syn::LitStr::new(&format!("{full}_errors_total"), span);
        let help = syn::LitStr::new(&format!("Errors of `{fn_name}`, by reason. {help}"), *help_span);
        let errors = format_ident!("errors_total", span = span);
        let field = quote! {
            #[metric(name = #name, help = #help)]
            #errors: #p::Family<#set, #p::Counter>,
        };
        let value = quote_spanned!(span=> <#reason as #p::LabelValue>);
        let set_doc = format!(" The label `reason` of `{full}_errors_total`: a value of the reason type, by index.");
        let new_doc = " The label of this reason.";
        let item = quote_spanned! {span=>
            #[doc = #set_doc]
            #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::cmp::PartialEq, ::core::cmp::Eq)]
            #vis struct #set(usize);

            #[automatically_derived]
            impl #p::LabelSet for #set {
                const CARDINALITY: usize = #value::CARDINALITY;
                const LABELS: &'static [#p::Label] = &[#p::Label::new(
                    "reason", #value::VALUES, #value::ESCAPED, #value::UNKNOWN, #value::CAPPED,
                )];
                #[inline]
                fn index(&self) -> usize {
                    self.0
                }
            }

            impl #set {
                #[doc = #new_doc]
                #[allow(dead_code)]
                #[inline]
                #vis fn new(reason: &#reason) -> #set {
                    #set(#value::index(reason))
                }
            }
        };
        let same_type = result_error(&function.sig)
            .is_some_and(|error| error.to_token_stream().to_string() == reason.to_token_stream().to_string());
        // All of the record path's tokens at the reason type: a return type
        // that is not a `Result`, or an error without this reason, is
        // reported once, there.
        let record = if same_type {
            quote_spanned! {span=>
                if let ::core::option::Option::Some(error) = #p::HasError::error(&__metrics_out) {
                    __metrics.#errors.with(#set(#value::index(error))).inc();
                }
            }
        } else {
            quote_spanned! {span=>
                if let ::core::option::Option::Some(index) = #p::reason_index::<#reason, _>(&__metrics_out, #value::index) {
                    __metrics.#errors.with(#set(index)).inc();
                }
            }
        };
        (field, item, record)
    }
}

/// Recording into metrics declared elsewhere (`duration`, `count`,
/// `in_flight = ..`, with `labels`). The label values other than `result`
/// are evaluated when the call starts, before the body can move them.
fn recording_into_targets(config: &Config, p: &Private) -> (TokenStream, TokenStream, Option<Span>) {
    let mut setup = TokenStream::new();
    let mut takes_result = None;
    // The user's struct expression, with each value other than `result`
    // replaced by a local read when the call starts: its tokens keep their
    // spans, so that a wrong label set is reported where it is written.
    let labels = match &config.labels {
        None => quote!(()),
        Some(labels) => {
            let mut labels = labels.clone();
            for (i, field) in labels.fields.iter_mut().enumerate() {
                let span = field.expr.span();
                if matches!(&field.expr, syn::Expr::Path(path) if path.path.is_ident("result")) {
                    takes_result = Some(span);
                    continue;
                }
                let local = format_ident!("__metrics_label_{}", i, span = span);
                let expr = &field.expr;
                setup.extend(quote_spanned!(span=> let #local = #expr;));
                field.expr = syn::parse_quote_spanned!(span=> #local);
                field.colon_token.get_or_insert_with(|| syn::Token![:](span));
            }
            labels.to_token_stream()
        }
    };
    let mut on_end = TokenStream::new();
    if let Some(duration) = &config.duration {
        setup.extend(quote_spanned!(duration.span()=> let __metrics_duration = &#duration;));
        on_end.extend(quote_spanned!(duration.span()=>
            __MetricsDuration::record_duration(__metrics_duration, #labels, seconds);
        ));
    }
    if let Some(count) = &config.count {
        setup.extend(quote_spanned!(count.span()=> let __metrics_count = &#count;));
        on_end.extend(quote_spanned!(count.span()=>
            __MetricsCount::record_call(__metrics_count, #labels);
        ));
    }
    if let Some((_, Some(gauge))) = &config.in_flight {
        setup.extend(quote_spanned!(gauge.span()=>
            let __metrics_in_flight: &#p::IntGauge = &#gauge;
            __metrics_in_flight.inc();
        ));
        on_end.extend(quote!(__metrics_in_flight.dec();));
    }
    let result = if takes_result.is_some() { quote!(result) } else { quote!(_: #p::Outcome) };
    let record = quote! {
        move |#result, seconds: f64| {
            #[allow(unused_imports)]
            use #p::{CountMetric as __MetricsCount, DurationMetric as __MetricsDuration};
            #on_end
        }
    };
    (setup, record, takes_result)
}
