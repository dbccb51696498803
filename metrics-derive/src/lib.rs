//! Derive macros of `metricate`. Use them through its re-exports; their
//! documentation lives there.
//!
//! ```
//! use metricate::{Counter, Family, LabelSet, LabelValue, Metrics};
//!
//! #[derive(Clone, Copy, LabelValue)]
//! enum Outcome { Ok, Error }
//!
//! #[derive(Clone, Copy, LabelSet)]
//! struct ByOutcome { result: Outcome }
//!
//! #[derive(Metrics)]
//! #[metrics(subsystem = "jobs")]
//! struct Jobs {
//!     /// Jobs finished.
//!     runs_total: Family<ByOutcome, Counter>,
//! }
//!
//! Jobs::global().runs_total.with(ByOutcome { result: Outcome::Ok }).inc();
//! ```
//!
//! Each derive and the attribute work in three stages, a file each under
//! their own directory: `attr.rs` reads the attributes into a small IR that
//! keeps the original tokens for spans, `validate.rs` applies the rules
//! (through `metricate_spec::rules`, which writes every rule's text), and
//! `expand.rs` (`expand/` for the attribute) writes the expansion, which
//! cannot fail. Every error is
//! collected (`ctxt.rs`) with the span of the offending token.
//!
//! `HttpMetrics` implements `metricate::http::HttpMetrics` for a
//! `#[derive(Metrics)]` struct whose fields have the trait's method names
//! (`http_metrics/`): it reads no policy, its rules being the trait's types.
//!
//! `Metrics`, `LabelSet`, `instrument_metric` and `constant_labels!` read
//! the crate's policy at expansion time (`policy.rs`: the lookup of
//! `metricate_spec::manifest::find` over the crate's manifest,
//! `METRICS_POLICY_MANIFEST` and the workspace's), and fail with a compile
//! error when there is none. The first expansion in a crate that reads a
//! manifest emits an `include_bytes!` of it, and an `option_env!` of the
//! variable where it can change the policy, so that Cargo rebuilds the crate
//! when either changes (the loads hand these items to the context, which
//! every expansion must emit); each manifest is parsed once per compiler
//! process.
//!
//! Every crate that declares metrics runs these macros on every build,
//! unoptimised: they write what needs no span as source text, lexed once by
//! the compiler (`emit.rs`), and put the rest (descriptor construction,
//! cells, registration) in generic code of the runtime's `__private`
//! module, so that a declaration expands to little.

mod alert;
mod attr;
mod case;
mod constant_labels;
mod ctxt;
mod emit;
mod http_metrics;
mod input;
mod instrument;
mod item;
mod label_set;
mod label_value;
mod metrics;
mod policy;
mod private;
mod rustdoc_catalog;

use proc_macro::TokenStream;

/// Reads a derive's input (`input::derive_input`) and expands it, or reports
/// why it cannot be read.
fn derive(input: TokenStream, expand: fn(&syn::DeriveInput) -> proc_macro2::TokenStream) -> TokenStream {
    match input::derive_input(input.into()) {
        Ok(input) => expand(&input).into(),
        Err(error) => error.to_compile_error().into(),
    }
}

/// See `metricate::Metrics`.
#[proc_macro_derive(Metrics, attributes(metrics, metric, alert))]
pub fn derive_metrics(input: TokenStream) -> TokenStream {
    derive(input, metrics::expand)
}

/// See `metricate::LabelValue`.
#[proc_macro_derive(LabelValue, attributes(label))]
pub fn derive_label_value(input: TokenStream) -> TokenStream {
    derive(input, label_value::expand)
}

/// See `metricate::LabelSet`.
#[proc_macro_derive(LabelSet, attributes(label))]
pub fn derive_label_set(input: TokenStream) -> TokenStream {
    derive(input, label_set::expand)
}

/// See `metricate::http::HttpMetrics`.
#[proc_macro_derive(HttpMetrics, attributes(metrics))]
pub fn derive_http_metrics(input: TokenStream) -> TokenStream {
    derive(input, http_metrics::expand)
}

/// Not public API: the compile-time half of `metricate::constant_labels!`,
/// which checks the label names (L1 to L3, with the crate's policy).
#[doc(hidden)]
#[proc_macro]
pub fn check_constant_label_names(input: TokenStream) -> TokenStream {
    constant_labels::expand(input.into()).into()
}

/// See `metricate::instrument_metric`.
#[proc_macro_attribute]
pub fn instrument_metric(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument::expand(args.into(), &item.into()).into()
}
