//! Metrics whose labels carry the value: info metrics (`build_info`, the
//! current configuration) and state sets (which state a component is in).

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};

use metricate_spec::{Label, MetricKind};

use super::counter::inline_field;
use super::{Collect, MetricField, SeriesCells, SeriesVisitor, StaticCell, Value};
use crate::label::{LabelSet, LabelValue};

/// The index of one series, set with one atomic store: an info metric's
/// label set, a state set's state.
struct Chosen(AtomicUsize);

impl Chosen {
    /// Nothing chosen yet.
    const fn new() -> Chosen {
        Chosen(AtomicUsize::new(0))
    }

    #[inline]
    fn set(&self, index: usize) {
        // Plus one: zero is "nothing chosen".
        self.0.store(index + 1, Ordering::Relaxed);
    }

    fn get(&self) -> Option<usize> {
        self.0.load(Ordering::Relaxed).checked_sub(1)
    }
}

impl fmt::Debug for Chosen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

/// An info metric: a constant 1 whose labels, a [`LabelSet`], carry the
/// information. Setting it is one atomic store; only the set it was given
/// last is exposed (nothing before the first). The field name ends in
/// `_info` (rule N6), which OpenMetrics writes as an `info` family and the
/// Prometheus text format as a gauge.
///
/// ```
/// use metricate::encode::Format;
/// use metricate::{Info, LabelSet, LabelValue, Metrics, Registry};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Mode { Primary, Replica }
///
/// #[derive(Clone, Copy, LabelSet)]
/// struct Role { mode: Mode }
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_info")]
/// struct Node {
///     /// The node's role.
///     role_info: Info<Role>,
/// }
///
/// let node = Node::new_unregistered();
/// node.role_info.set(Role { mode: Mode::Replica });
/// let mut registry = Registry::new();
/// registry.register_group(&node).unwrap();
/// let mut out = Vec::new();
/// Format::OpenMetrics.encode(&registry, &mut out);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains("# TYPE metrics_doc_info_role info\n"));
/// assert!(text.contains("metrics_doc_info_role_info{mode=\"replica\"} 1\n"));
/// ```
pub struct Info<L> {
    /// The series index of the set given last.
    current: Chosen,
    labels: PhantomData<fn(L)>,
}

impl<L: LabelSet> Info<L> {
    /// An info metric with nothing set.
    pub const fn new() -> Info<L> {
        Info { current: Chosen::new(), labels: PhantomData }
    }

    /// Sets the information: one atomic store.
    // Label sets are small `Copy` structs: by value reads best at call sites.
    #[allow(clippy::needless_pass_by_value)]
    #[inline]
    pub fn set(&self, labels: L) {
        self.current.set(labels.index());
    }

    /// The series index of the set given last, if any.
    pub fn index(&self) -> Option<usize> {
        self.current.get()
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [Info<L>], _bounds: &'static [f64]) -> Info<L> {
        Info::new()
    }
}

impl<L: LabelSet> Default for Info<L> {
    fn default() -> Info<L> {
        Info::new()
    }
}

impl<L> fmt::Debug for Info<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Info").field("current", &self.current).finish()
    }
}

impl<L: LabelSet> Collect for Info<L> {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        if let Some(index) = self.index() {
            visitor.series(index, Value::Unsigned(1));
        }
    }
}

#[allow(clippy::declare_interior_mutable_const)]
impl<L: LabelSet + 'static> StaticCell for Info<L> {
    const INIT: Info<L> = Info::new();
}

impl<L: LabelSet + 'static> MetricField for Info<L> {
    const KIND: MetricKind = MetricKind::Info;
    const LABELS: &'static [Label] = L::LABELS;
    const CARDINALITY: usize = L::CARDINALITY;
    type Cell = Info<L>;
    // The one cell is the field itself: the `static` holds none.
    const CELLS: SeriesCells = SeriesCells::fixed(0);

    fn new_heap(_bounds: &'static [f64]) -> Info<L> {
        Info::new()
    }
}

/// The build of the program, as an info metric that is always 1: its labels
/// are `version` (the declaring crate's version), `rustc` (the compiler's
/// version), `target` (the target triple) and `revision` (the git revision,
/// `unknown` unless the build script sets it; see
/// [`build::git_revision`](crate::build::git_revision)). The derive fills
/// them in when the crate is compiled. Name the field `build_info`.
///
/// ```
/// use metricate::encode::Format;
/// use metricate::{BuildInfo, Metrics, Registry};
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc")]
/// struct App {
///     /// The build of the program.
///     build_info: BuildInfo,
/// }
///
/// let app = App::new_unregistered();
/// let mut registry = Registry::new();
/// registry.register_group(&app).unwrap();
/// let mut out = Vec::new();
/// Format::Prometheus.encode(&registry, &mut out);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains("# TYPE metrics_doc_build_info gauge\n"));
/// assert!(text.contains(&format!("metrics_doc_build_info{{version=\"{}\",", env!("CARGO_PKG_VERSION"))));
/// ```
#[derive(Debug, Default)]
pub struct BuildInfo(());

impl BuildInfo {
    /// The build info metric.
    pub const fn new() -> BuildInfo {
        BuildInfo(())
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [BuildInfo], _bounds: &'static [f64]) -> BuildInfo {
        BuildInfo::new()
    }
}

impl Collect for BuildInfo {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        visitor.series(0, Value::Unsigned(1));
    }
}

// No labels of its own: the derive writes those of the declaring crate's
// build.
inline_field!(BuildInfo, MetricKind::Info);

/// The compiler and target this crate was built with, for
/// [`BuildInfo`]'s labels (from the build script, which Cargo runs for the
/// same compiler and target as the program).
#[doc(hidden)]
pub const RUSTC_VERSION: &str = env!("METRICATE_RUSTC_VERSION");
#[doc(hidden)]
pub const TARGET: &str = env!("METRICATE_TARGET");

/// `value` if it needs no escaping in a quoted label value, which the
/// build info's values are written as: checked when the crate compiles.
#[doc(hidden)]
pub const fn plain_label_value(value: &'static str) -> &'static str {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        assert!(
            !matches!(bytes[i], b'\\' | b'"' | b'\n'),
            "a build info value holds a backslash, a quote or a line break; set METRICATE_GIT_REVISION to a plain revision"
        );
        i += 1;
    }
    value
}

/// A state set over the variants of a [`LabelValue`] enum: one series per
/// state, 1 for the current state and 0 for the others (all 0 before the
/// first [`set`](StateSet::set)). The label is named after the metric.
/// Setting the state is one atomic store. OpenMetrics writes a `stateset`
/// family; the Prometheus text format, a gauge with the same samples.
///
/// ```
/// use metricate::encode::Format;
/// use metricate::{LabelValue, Metrics, Registry, StateSet};
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Phase { Starting, Running, Draining }
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_state")]
/// struct Worker {
///     /// The worker's lifecycle phase.
///     phase: StateSet<Phase>,
/// }
///
/// let worker = Worker::new_unregistered();
/// worker.phase.set(Phase::Running);
/// let mut registry = Registry::new();
/// registry.register_group(&worker).unwrap();
/// let mut out = Vec::new();
/// Format::OpenMetrics.encode(&registry, &mut out);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains("# TYPE metrics_doc_state_phase stateset\n"));
/// assert!(text.contains("metrics_doc_state_phase{metrics_doc_state_phase=\"running\"} 1\n"));
/// assert!(text.contains("metrics_doc_state_phase{metrics_doc_state_phase=\"draining\"} 0\n"));
/// ```
pub struct StateSet<E> {
    /// The index of the current state.
    current: Chosen,
    states: PhantomData<fn(E)>,
}

impl<E: LabelValue> StateSet<E> {
    /// A state set in no state.
    pub const fn new() -> StateSet<E> {
        StateSet { current: Chosen::new(), states: PhantomData }
    }

    /// Enters `state`: one atomic store.
    #[allow(clippy::needless_pass_by_value)]
    #[inline]
    pub fn set(&self, state: E) {
        self.current.set(state.index());
    }

    /// The index of the current state, if one was set.
    pub fn index(&self) -> Option<usize> {
        self.current.get()
    }

    /// The name of the current state, if one was set.
    pub fn state(&self) -> Option<&'static str> {
        self.index().and_then(|i| E::VALUES.get(i).copied())
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [StateSet<E>], _bounds: &'static [f64]) -> StateSet<E> {
        StateSet::new()
    }

    /// The label of a state set named `name`: the derive's.
    #[doc(hidden)]
    pub const fn __label(name: &'static str) -> Label {
        Label::new(name, E::VALUES, E::ESCAPED, E::UNKNOWN, E::CAPPED).with_errors(E::ERRORS)
    }
}

impl<E: LabelValue> Default for StateSet<E> {
    fn default() -> StateSet<E> {
        StateSet::new()
    }
}

impl<E> fmt::Debug for StateSet<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateSet").field("current", &self.current).finish()
    }
}

impl<E: LabelValue> Collect for StateSet<E> {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        let current = self.current.get();
        for index in 0..E::CARDINALITY {
            visitor.series(index, Value::Unsigned(u64::from(current == Some(index))));
        }
    }

    fn write_series(&self, writer: &mut crate::encode::SeriesWriter<'_>) {
        let current = self.current.get();
        for index in 0..E::CARDINALITY {
            writer.write(index, Value::Unsigned(u64::from(current == Some(index))), true);
        }
    }
}

#[allow(clippy::declare_interior_mutable_const)]
impl<E: LabelValue + 'static> StaticCell for StateSet<E> {
    const INIT: StateSet<E> = StateSet::new();
}

impl<E: LabelValue + 'static> MetricField for StateSet<E> {
    const KIND: MetricKind = MetricKind::StateSet;
    /// The derive writes the one label, named after the metric.
    const LABELS: &'static [Label] = &[];
    const CARDINALITY: usize = E::CARDINALITY;
    type Cell = StateSet<E>;
    // The one cell is the field itself: the `static` holds none.
    const CELLS: SeriesCells = SeriesCells::fixed(0);

    fn new_heap(_bounds: &'static [f64]) -> StateSet<E> {
        StateSet::new()
    }
}
