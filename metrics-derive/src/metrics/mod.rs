//! `#[derive(Metrics)]`: a struct whose fields are metrics becomes a
//! registered group of declared metrics with `static` storage.
//!
//! The stages, one file each: [`attr`] reads the `#[metrics(..)]` and
//! `#[metric(..)]` attributes as written, [`validate`] applies every rule
//! (through `metricate_spec::rules`) and builds each [`Field`], and
//! [`expand`] writes the expansion, which cannot fail.

mod attr;
mod expand;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use metricate_spec::MetricKind as Kind;

use crate::ctxt::Ctxt;
use crate::policy;
use crate::private::Private;
use crate::rustdoc_catalog;

pub(crate) use validate::number;

/// A metric's version when it declares none (the runtime's
/// `__private::base` says the same).
const DEFAULT_VERSION: &str = "1.0.0";

/// A field, checked: everything the expansion writes of its metric.
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

pub(crate) fn expand(input: &syn::DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let container = attr::container(&cx, input);
    let private = Private(container.krate);
    let policy = policy::load(&cx);
    let committed = rustdoc_catalog::load(&cx, &policy);
    let subsystem_ok = validate::subsystem(&cx, container.subsystem.as_ref());
    let subsystem = container.subsystem.map(|lit| lit.value()).unwrap_or_default();
    let fields = validate::fields(&cx, input, &policy, &subsystem, subsystem_ok);
    let tracking = cx.take_tracking();
    match cx.check() {
        Ok(()) => expand::impl_metrics(
            input,
            &fields,
            &subsystem,
            container.function.as_deref(),
            tracking,
            committed.as_ref(),
            &private,
        ),
        Err(errors) => {
            let errors = errors.to_compile_error();
            let stub = expand::stub(input, &private);
            // The tracking still goes out: it is emitted once per crate.
            quote! { #errors #stub const _: () = { #tracking }; }
        }
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
        let policy = metricate_spec::Policy { namespace: "app".to_owned(), ..Default::default() };
        let cx = Ctxt::new();
        let parsed = validate::field(&cx, &field, &policy, "jobs", true).expect("a metric");
        cx.check().expect("no errors");
        let doc = expand::rustdoc(&parsed, None).join("\n");
        assert!(
            doc.contains("the fields of [`Run`], each with the values its type lists in `LabelValue::VALUES`"),
            "{doc}"
        );
    }
}
