//! The program's other runtime versions: when semver-incompatible versions
//! of this crate end up in one program, each submits itself to
//! `metricate-abi` (a crate whose API never breaks, so that all of them link
//! the same copy). The global registry of whichever version serves a scrape
//! writes the metrics of the others after its own, and refuses to build when
//! a name is exposed under two versions.
//!
//! What a version gives the others is its program metrics: not its own
//! metrics about itself (`metrics_export_*`, the process metrics), which
//! every version has and the serving one writes. Only scrapes (the global
//! registry's encodings) have the other versions' metrics: snapshots, the
//! push sinks and the catalogue are this version's alone.

use metricate_abi::{Format as AbiFormat, Runtime};
use metricate_spec::Descriptor;

use crate::encode::{Exposition, Format};
use crate::metric::Collect;
use crate::registry::Registry;

/// This version's address among the program's runtimes.
static MARKER: u8 = 0;

metricate_abi::submit!(Runtime::new(env!("CARGO_PKG_VERSION"), &MARKER, exposed_names, write));

/// The crate version, as the other versions name this one.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Whether a metric is the runtime's own (self and process metrics), which
/// each version writes of itself only.
fn own(descriptor: &Descriptor) -> bool {
    crate::is_runtime_metric(descriptor) || crate::process::is_process_metric(descriptor)
}

/// Every name this version's program metrics expose, with where each metric
/// is declared: from the groups linked in, without building the registry (a
/// version that builds its own may ask while this one builds).
fn exposed_names() -> Vec<(String, String)> {
    let mut names = Vec::new();
    crate::registry::for_each_declared(&mut |descriptor| {
        if !own(descriptor) {
            let at = format!("{}", descriptor.source);
            names.extend(descriptor.exposed_names().into_iter().map(|name| (name, at.clone())));
        }
    });
    names
}

/// The global registry without the runtime's own metrics and without the
/// other versions: what this version adds to another's scrape.
struct Program<'r>(&'r Registry<'static>);

impl Exposition for Program<'_> {
    fn for_each_family<'s>(&'s self, f: &mut dyn FnMut(&'static Descriptor, &'s dyn Collect)) {
        for entry in self.0.iter().filter(|e| !own(e.descriptor)) {
            f(entry.descriptor, entry.metric);
        }
    }

    fn constant_labels(&self) -> &crate::ConstantLabels {
        self.0.constant_labels()
    }

    fn created_samples(&self) -> bool {
        self.0.created_samples()
    }
}

/// Appends this version's program metrics to another version's scrape.
fn write(format: AbiFormat, out: &mut Vec<u8>) {
    let Ok(registry) = crate::global() else { return };
    let program = Program(registry);
    match format {
        AbiFormat::Prometheus => Format::Prometheus.encode(&program, out),
        AbiFormat::OpenMetrics => {
            Format::OpenMetrics.encode(&program, out);
            // The serving version ends the exposition once.
            if out.ends_with(b"# EOF\n") {
                out.truncate(out.len() - b"# EOF\n".len());
            }
        }
        // A format a later `metricate-abi` knows and this version does not.
        _ => {}
    }
}

/// The other runtime versions of the program.
fn others() -> impl Iterator<Item = &'static Runtime> {
    metricate_abi::runtimes().filter(|r| !r.is(&MARKER))
}

/// Appends the other versions' metrics in `format` (the global registry's
/// scrapes).
pub(crate) fn write_others(format: Format, out: &mut Vec<u8>) {
    let format = match format {
        Format::Prometheus => AbiFormat::Prometheus,
        Format::OpenMetrics => AbiFormat::OpenMetrics,
    };
    for runtime in others() {
        runtime.write(format, out);
    }
}

/// A name that a metric of this version and one of another version both
/// expose (rule D1 across versions).
#[derive(Clone, Debug, PartialEq)]
pub struct VersionCollision {
    /// The name both expose.
    pub exposed: String,
    /// This version's metric.
    pub ours: &'static Descriptor,
    /// The other version, e.g. `0.2.0`.
    pub other_version: &'static str,
    /// Where the other version's metric is declared (`file:line:column`).
    pub other_source: String,
}

impl std::fmt::Display for VersionCollision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "D1: metric name `{}` is exposed by two versions of metricate: by `{}` declared at {} (metricate {VERSION}) \
             and by a metric declared at {} (metricate {})",
            self.exposed, self.ours.name, self.ours.source, self.other_source, self.other_version
        )
    }
}

/// The names `registry`'s program metrics share with another version's.
pub(crate) fn collisions(registry: &Registry<'_>) -> Vec<VersionCollision> {
    let mut found = Vec::new();
    for runtime in others() {
        let theirs = runtime.exposed_names();
        if theirs.is_empty() {
            continue;
        }
        for entry in registry.iter().filter(|e| !own(e.descriptor)) {
            // One report per metric: the first name it shares.
            let shared = entry
                .descriptor
                .exposed_names()
                .into_iter()
                .find_map(|name| theirs.iter().find(|(n, _)| *n == name).map(|(_, at)| (name, at.clone())));
            if let Some((exposed, other_source)) = shared {
                found.push(VersionCollision {
                    exposed,
                    ours: entry.descriptor,
                    other_version: runtime.version(),
                    other_source,
                });
            }
        }
    }
    found
}
