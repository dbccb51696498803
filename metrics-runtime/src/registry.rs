//! The registry: every declared metric, sorted by name and checked once for
//! names that collide in the exposition.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};

use metricate_spec::Descriptor;

use crate::constant::{ConstantLabelError, ConstantLabels};
use crate::metric::{Collect, MetricGroup};
use crate::snapshot::{SeriesSnapshot, Snapshot};

/// One `#[derive(Metrics)]` struct's registered instance, submitted to
/// `inventory` by generated code.
#[doc(hidden)]
pub struct Entry {
    group: &'static dyn MetricGroup,
}

impl Entry {
    /// Not public API. Used by generated code.
    pub const fn new(group: &'static dyn MetricGroup) -> Entry {
        Entry { group }
    }
}

inventory::collect!(Entry);

/// A registered metric: its descriptor and its live state.
#[derive(Clone, Copy)]
pub struct Registered<'a> {
    /// What the metric is.
    pub descriptor: &'static Descriptor,
    /// Its state, read at scrape time.
    pub metric: &'a dyn Collect,
}

impl fmt::Debug for Registered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registered").field("name", &self.descriptor.name).finish_non_exhaustive()
    }
}

/// Two metrics that would expose the same name (rule D1).
#[derive(Clone, Debug, PartialEq)]
pub struct Collision {
    /// The name both would expose: a family name or a series name such as
    /// `x_count`.
    pub exposed: String,
    /// The metric registered first.
    pub first: &'static Descriptor,
    /// The metric that collides with it.
    pub second: &'static Descriptor,
}

pub use crate::versions::VersionCollision;

/// The registry's check failed: some exposed names are claimed twice, or a
/// metric has a label that is one of the registry's constant labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegistryError {
    /// Every collision found.
    pub collisions: Vec<Collision>,
    /// Metrics refused because a label of theirs is one of the registry's
    /// constant labels (D1).
    pub label_conflicts: Vec<ConstantLabelError>,
    /// Names exposed both by a metric of this version of the crate and by
    /// one of another version in the same program (the global registry).
    pub versions: Vec<VersionCollision>,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.collisions.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "D1: metric name `{}` is exposed twice: by `{}` declared at {} and by `{}` declared at {}",
                c.exposed, c.first.name, c.first.source, c.second.name, c.second.source
            )?;
        }
        for (i, conflict) in self.label_conflicts.iter().enumerate() {
            if i > 0 || !self.collisions.is_empty() {
                writeln!(f)?;
            }
            write!(f, "{conflict}")?;
        }
        for (i, collision) in self.versions.iter().enumerate() {
            if i > 0 || !self.collisions.is_empty() || !self.label_conflicts.is_empty() {
                writeln!(f)?;
            }
            write!(f, "{collision}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RegistryError {}

/// A set of metrics, sorted by name, in which no two expose the same name.
///
/// The process-wide registry is [`global()`]; tests build their own with
/// [`Registry::new`] and [`Registry::register_group`].
///
/// ```
/// use metricate::encode::Format;
/// use metricate::{Counter, Metrics, Registry};
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_registry")]
/// struct Cache {
///     /// Lookups answered from the cache.
///     hits_total: Counter,
/// }
///
/// let cache = Cache::new_unregistered();
/// cache.hits_total.inc_by(7);
///
/// let mut registry = Registry::new();
/// registry.register_group(&cache).unwrap();
/// assert!(registry.get("metrics_doc_registry_hits_total").is_some());
///
/// let mut out = Vec::new();
/// Format::OpenMetrics.encode(&registry, &mut out);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains("metrics_doc_registry_hits_total 7\n"));
/// assert!(text.ends_with("# EOF\n"));
///
/// // The same struct twice: the second claims names already taken.
/// let again = Cache::new_unregistered();
/// assert!(registry.register_group(&again).is_err());
/// ```
#[derive(Default)]
pub struct Registry<'a> {
    entries: Vec<Registered<'a>>,
    /// Every exposed name, with the metric that claims it.
    claimed: HashMap<String, &'static Descriptor>,
    /// The registry's own constant labels.
    constants: Option<ConstantLabels>,
    /// Whether this is the global registry (or a subset of it), whose
    /// constant labels are the process's.
    global: bool,
    /// Whether OpenMetrics writes every series' `_created`.
    created: bool,
}

impl<'a> Registry<'a> {
    /// An empty registry.
    pub fn new() -> Registry<'a> {
        Registry::default()
    }

    /// Adds one metric. Registering the same descriptor and state twice is a
    /// no-op; a different metric that exposes a name already taken is refused.
    pub fn register(&mut self, descriptor: &'static Descriptor, metric: &'a dyn Collect) -> Result<(), RegistryError> {
        let mut error = RegistryError::default();
        self.add(descriptor, metric, &mut error);
        error.into_result()
    }

    /// Adds every metric of a group (a `#[derive(Metrics)]` struct instance).
    /// The metrics that do not collide are added; the error lists every
    /// collision.
    pub fn register_group(&mut self, group: &'a dyn MetricGroup) -> Result<(), RegistryError> {
        let mut error = RegistryError::default();
        group.for_each_metric(&mut |descriptor, metric| self.add(descriptor, metric, &mut error));
        error.into_result()
    }

    fn add(&mut self, descriptor: &'static Descriptor, metric: &'a dyn Collect, error: &mut RegistryError) {
        let position = self.entries.partition_point(|e| e.descriptor.name < descriptor.name);
        let same = |e: &Registered<'a>| {
            std::ptr::eq(e.descriptor, descriptor)
                && std::ptr::addr_eq(std::ptr::from_ref(e.metric), std::ptr::from_ref(metric))
        };
        if self.entries[position..].iter().take_while(|e| e.descriptor.name == descriptor.name).any(same) {
            return;
        }
        if let Some(conflict) = self.constant_labels().conflict(descriptor) {
            error.label_conflicts.push(conflict);
            return;
        }
        let names = descriptor.exposed_names();
        let before = error.collisions.len();
        for name in &names {
            if let Some(first) = self.claimed.get(name.as_str()) {
                error.collisions.push(Collision { exposed: name.clone(), first, second: descriptor });
            }
        }
        if error.collisions.len() == before {
            for name in names {
                self.claimed.insert(name, descriptor);
            }
            self.entries.insert(position, Registered { descriptor, metric });
        }
    }

    /// The registered metrics, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Registered<'a>> {
        self.entries.iter()
    }

    /// The number of registered metrics.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The metric with this full name.
    pub fn get(&self, name: &str) -> Option<&Registered<'a>> {
        let i = self.entries.binary_search_by(|e| e.descriptor.name.cmp(name)).ok()?;
        self.entries.get(i)
    }

    /// A registry of the same metrics without the runtime's own
    /// (`metrics_export_*`, see [`is_runtime_metric`](crate::is_runtime_metric)),
    /// for a program that does not want them exposed. The server's
    /// `self_metrics(false)` serves one.
    ///
    /// ```
    /// let registry = metricate::global().unwrap();
    /// let without = registry.without_runtime_metrics();
    /// assert!(registry.get("metrics_export_invalid_samples_total").is_some());
    /// assert!(without.get("metrics_export_invalid_samples_total").is_none());
    /// ```
    #[must_use]
    pub fn without_runtime_metrics(&self) -> Registry<'a> {
        self.subset(|d| !crate::is_runtime_metric(d))
    }

    /// A copy without the standard process metrics (`process_cpu_seconds_total`
    /// and the others the runtime registers on Linux), by identity: a
    /// program's metric of the same name stays.
    #[must_use]
    pub fn without_process_metrics(&self) -> Registry<'a> {
        self.subset(|d| !crate::process::is_process_metric(d))
    }

    /// A copy with the entries `keep` selects.
    pub(crate) fn subset(&self, mut keep: impl FnMut(&Descriptor) -> bool) -> Registry<'a> {
        let mut registry = Registry {
            constants: self.constants.clone(),
            global: self.global,
            created: self.created,
            ..Registry::default()
        };
        for entry in self.entries.iter().filter(|e| keep(e.descriptor)) {
            // A subset of a checked registry: no name can collide.
            let mut error = RegistryError::default();
            registry.add(entry.descriptor, entry.metric, &mut error);
            debug_assert!(error.collisions.is_empty() && error.label_conflicts.is_empty());
        }
        registry
    }

    /// The catalogue of the registered metrics: what `/catalog.json` serves
    /// (features `server` or `docs`).
    #[cfg(any(feature = "server", feature = "docs"))]
    pub fn catalog(&self) -> metricate_catalog::json::Catalog {
        metricate_catalog::json::Catalog::from_descriptors(self.iter().map(|r| r.descriptor))
    }

    /// A copy of the selected metrics' current values. Each metric is read
    /// consistently (a histogram's buckets, sum and count describe the same
    /// observations); different metrics are read one after the other.
    pub fn snapshot(&self, mut filter: impl FnMut(&Descriptor) -> bool) -> Snapshot {
        let metrics = self.entries.iter().filter(|e| filter(e.descriptor)).map(|e| (e.descriptor, e.metric));
        Snapshot::collect(metrics).with_constant_labels(self.constant_labels().clone()).with_created(self.created)
    }

    /// The series of metric `name` whose labels include every `(label,
    /// value)` given, read now through a snapshot of that metric alone: how
    /// a test reads what was recorded. `None` when no metric of that name is
    /// registered, or it has no such series (a quiet family's series that
    /// nothing recorded to).
    ///
    /// ```
    /// use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, Registry};
    ///
    /// #[derive(Clone, Copy, LabelValue)]
    /// enum Outcome { Ok, Error }
    ///
    /// #[derive(Clone, Copy, LabelSet)]
    /// struct ByOutcome { result: Outcome }
    ///
    /// #[derive(Metrics)]
    /// #[metrics(subsystem = "doc_series")]
    /// struct Jobs {
    ///     /// Jobs run.
    ///     runs_total: Family<ByOutcome, Counter>,
    /// }
    ///
    /// let jobs = Box::leak(Box::new(Jobs::new_unregistered()));
    /// let mut registry = Registry::new();
    /// registry.register_group(jobs).unwrap();
    /// jobs.runs_total.with(ByOutcome { result: Outcome::Error }).inc();
    /// let errors = registry.series("metrics_doc_series_runs_total", &[("result", "error")]).unwrap();
    /// assert_eq!(errors.value().as_f64(), 1.0);
    /// assert!(registry.series("metrics_doc_series_missing_total", &[]).is_none());
    /// ```
    pub fn series(&self, name: &str, labels: &[(&str, &str)]) -> Option<SeriesSnapshot> {
        self.snapshot(|d| d.name == name).family(name)?.find(labels).cloned()
    }

    /// The registry with (or without) the `_created` sample of every
    /// counter, histogram and summary series in OpenMetrics: when the series
    /// started counting (the process's start). Without it, only the metrics
    /// declared `#[metric(created)]` have one.
    ///
    /// ```
    /// use metricate::encode::Format;
    /// use metricate::{Counter, Gauge, Metrics, Registry};
    ///
    /// #[derive(Metrics)]
    /// #[metrics(subsystem = "doc_created")]
    /// struct Jobs {
    ///     /// Jobs done.
    ///     done_total: Counter,
    ///     /// Jobs failed.
    ///     #[metric(created)]
    ///     failed_total: Counter,
    ///     /// Jobs waiting.
    ///     waiting: Gauge,
    /// }
    ///
    /// let jobs = Jobs::new_unregistered();
    /// let mut registry = Registry::new();
    /// registry.register_group(&jobs).unwrap();
    /// let text = |registry: &Registry| {
    ///     let mut out = Vec::new();
    ///     Format::OpenMetrics.encode(registry, &mut out);
    ///     String::from_utf8(out).unwrap()
    /// };
    /// let declared = text(&registry);
    /// assert!(declared.contains("metrics_doc_created_failed_created "));
    /// assert!(!declared.contains("metrics_doc_created_done_created "));
    /// let all = text(&registry.with_created_samples(true));
    /// assert!(all.contains("metrics_doc_created_done_created "));
    /// assert!(!all.contains("metrics_doc_created_waiting_created"), "gauges have none");
    /// ```
    #[must_use]
    pub fn with_created_samples(mut self, on: bool) -> Registry<'a> {
        self.created = on;
        self
    }

    /// Whether OpenMetrics writes the `_created` sample of every counter,
    /// histogram and summary series (see [`Registry::with_created_samples`]).
    pub fn created_samples(&self) -> bool {
        self.created
    }

    /// The registry with constant labels: every series carries them, in
    /// every encoder, snapshot and sink. Refused when a registered metric
    /// has a label of the same name (D1); metrics registered afterwards are
    /// checked too. For the global registry, see
    /// [`set_constant_labels`](crate::set_constant_labels).
    pub fn with_constant_labels(mut self, labels: ConstantLabels) -> Result<Registry<'a>, ConstantLabelError> {
        if let Some(conflict) = self.entries.iter().find_map(|e| labels.conflict(e.descriptor)) {
            return Err(conflict);
        }
        self.constants = Some(labels);
        Ok(self)
    }

    /// Whether this is the global registry, or a subset of it.
    pub(crate) fn is_global(&self) -> bool {
        self.global
    }

    /// The constant labels of the registry's series: its own, or for the
    /// global registry the process's.
    pub fn constant_labels(&self) -> &ConstantLabels {
        match &self.constants {
            Some(labels) => labels,
            None if self.global => crate::constant::process_constant_labels(),
            None => crate::constant::none(),
        }
    }
}

impl RegistryError {
    fn into_result(self) -> Result<(), RegistryError> {
        if self.collisions.is_empty() && self.label_conflicts.is_empty() && self.versions.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

static EXPLICIT: Mutex<Vec<&'static dyn MetricGroup>> = Mutex::new(Vec::new());
static GLOBAL: OnceLock<Result<Registry<'static>, RegistryError>> = OnceLock::new();

/// The process-wide registry: every `#[derive(Metrics)]` struct of the
/// program (collected at link time through `inventory`) plus those added
/// with [`register_global`], checked once on first use.
///
/// Returns the check's error, naming both declarations of every collision,
/// instead of panicking; the HTTP server refuses to start on it.
pub fn global() -> Result<&'static Registry<'static>, &'static RegistryError> {
    GLOBAL
        .get_or_init(|| {
            let mut registry = Registry { global: true, ..Registry::new() };
            let mut collisions = Vec::new();
            for group in declared_groups() {
                if let Err(mut e) = registry.register_group(group) {
                    collisions.append(&mut e.collisions);
                }
            }
            // Asked with no lock held: another version may ask this one at
            // the same time.
            let versions = crate::versions::collisions(&registry);
            if collisions.is_empty() && versions.is_empty() {
                Ok(registry)
            } else {
                Err(RegistryError { collisions, label_conflicts: Vec::new(), versions })
            }
        })
        .as_ref()
}

/// Every group of the program: those linked in and those registered with
/// [`register_global`] (a copy of the list, taken under its lock).
fn declared_groups() -> Vec<&'static dyn MetricGroup> {
    let explicit = EXPLICIT.lock().unwrap_or_else(PoisonError::into_inner).clone();
    inventory::iter::<Entry>.into_iter().map(|e| e.group).chain(explicit).collect()
}

/// Calls `f` with the descriptor of every metric of the program's groups,
/// without building the registry.
pub(crate) fn for_each_declared(f: &mut dyn FnMut(&'static Descriptor)) {
    for group in declared_groups() {
        group.for_each_metric(&mut |descriptor, _| f(descriptor));
    }
}

unit_error! {
    /// The global registry was already built when [`register_global`] was called.
    AlreadyBuilt,
    "the global registry was already built: register groups before the first scrape or `global()` call"
}

/// Adds a group to the global registry explicitly, for platforms where
/// link-time registration does not run. Call it before the first
/// [`global()`]; registering a group that `inventory` also found is harmless.
pub fn register_global(group: &'static dyn MetricGroup) -> Result<(), AlreadyBuilt> {
    let mut explicit = EXPLICIT.lock().unwrap_or_else(PoisonError::into_inner);
    if GLOBAL.get().is_some() {
        return Err(AlreadyBuilt);
    }
    explicit.push(group);
    Ok(())
}
