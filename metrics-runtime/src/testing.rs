//! Helpers for tests that read metrics.
//!
//! Every handle reads its value as a scrape would ([`MetricHandle`]), and
//! [`assert_metric!`](crate::assert_metric) compares it with a failure
//! message that names the series:
//!
//! ```should_panic
//! use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, assert_metric};
//!
//! #[derive(Clone, Copy, LabelValue)]
//! enum Queue { Email, Sms }
//!
//! #[derive(Clone, Copy, LabelSet)]
//! struct ByQueue { queue: Queue }
//!
//! /// The job queue.
//! #[derive(Metrics)]
//! #[metrics(subsystem = "jobs")]
//! struct Jobs {
//!     /// Jobs done, by queue.
//!     done_total: Family<ByQueue, Counter>,
//! }
//!
//! Jobs::global().done_total.with(ByQueue { queue: Queue::Email }).inc();
//! assert_metric!(Jobs::global().done_total.with(ByQueue { queue: Queue::Email }), 1);
//! assert_metric!(Jobs::global().done_total.with(ByQueue { queue: Queue::Sms }), 1);
//! // panics: metric `metrics_jobs_done_total{queue="sms"}` is 0, expected 1
//! //           handle: Jobs::global().done_total.with(ByQueue { queue: Queue::Sms })
//! ```
//!
//! With the feature `test-scope` (meant for `[dev-dependencies]`), a
//! [`Scope`] gives each test fresh instances of every metrics struct, so
//! that tests running in parallel count only their own calls, without
//! passing metrics around as parameters:
//!
//! ```toml
//! [dev-dependencies]
//! metricate = { version = "0.1", features = ["test-scope"] }
//! ```
//!
//! Without the feature, `Struct::global()` is the address of its `static`,
//! compiled exactly as before; with it, `global()` reads a thread-local
//! first. Cargo enables a dev-dependency's features only for the targets
//! that use them (tests, benches, examples), so a release build of the
//! program does not carry it.

#[cfg(feature = "test-scope")]
mod scope;

use std::fmt::{Debug, Write as _};

#[cfg(feature = "test-scope")]
use metricate_spec::Descriptor;

#[cfg(feature = "test-scope")]
use crate::metric::MetricGroup;
use crate::metric::{
    Counter, FloatCounter, Gauge, Histogram, HistogramRef, HistogramSnapshot, IntGauge, ShardedCounter,
};

#[cfg(feature = "test-scope")]
#[doc(hidden)]
pub use scope::__scoped;
#[cfg(feature = "test-scope")]
pub use scope::{Scope, ScopeGuard, Scoped, scope};

/// `Struct::global()` of a `#[derive(Metrics)]` struct: the current scope's
/// instance with the feature `test-scope` (see `scope`), the registered
/// `static` otherwise. Not public API. Used by generated code: a function,
/// not a macro, so that the derive's output needs no further expansion.
#[doc(hidden)]
#[inline]
pub fn __global<T: crate::MetricGroup + 'static>(global: &'static T, new: fn() -> T) -> &'static T {
    #[cfg(feature = "test-scope")]
    return scope::__scoped(global, new);
    #[cfg(not(feature = "test-scope"))]
    {
        let _ = new;
        global
    }
}

/// A handle a test reads: a metric field (`Struct::global().field`) or one
/// series of a family (`.field.with(labels)`). The read is the value a scrape
/// would show now; a histogram's is one consistent [`HistogramSnapshot`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric handle",
    note = "pass a metric field (`Struct::global().field`) or a series of a family (`Struct::global().field.with(labels)`)"
)]
pub trait MetricHandle {
    /// What a read gives: `u64` for integer counters, `i64` for integer
    /// gauges, `f64` for float gauges and counters, a [`HistogramSnapshot`]
    /// for histograms.
    type Value;

    /// Reads the value.
    fn value(&self) -> Self::Value;

    /// Where the handle's cells start. Not public API.
    #[doc(hidden)]
    fn __address(&self) -> usize;
}

macro_rules! single_cell_handle {
    ($($ty:ident => $value:ty),* $(,)?) => {$(
        impl MetricHandle for $ty {
            type Value = $value;

            fn value(&self) -> $value {
                self.get()
            }

            fn __address(&self) -> usize {
                std::ptr::from_ref(self).addr()
            }
        }
    )*};
}

single_cell_handle!(Counter => u64, ShardedCounter => u64, FloatCounter => f64, Gauge => f64, IntGauge => i64);

impl MetricHandle for Histogram {
    type Value = HistogramSnapshot;

    fn value(&self) -> HistogramSnapshot {
        self.snapshot()
    }

    fn __address(&self) -> usize {
        self.address()
    }
}

impl MetricHandle for HistogramRef<'_> {
    type Value = HistogramSnapshot;

    fn value(&self) -> HistogramSnapshot {
        self.snapshot()
    }

    fn __address(&self) -> usize {
        self.address()
    }
}

impl<T: MetricHandle + ?Sized> MetricHandle for &T {
    type Value = T::Value;

    fn value(&self) -> T::Value {
        (**self).value()
    }

    fn __address(&self) -> usize {
        (**self).__address()
    }
}

/// The series a handle points at, as a scrape names it
/// (`name{label="value",..}`), when it belongs to a registered metric or (with
/// the feature `test-scope`) to an instance of the current scope; `None` for
/// instances made with `new_unregistered()`. It builds the global registry
/// if nothing did yet (see [`global()`](crate::global)), after which
/// [`register_global`](crate::register_global) refuses more groups;
/// `assert_metric!` calls it only to word a failure.
///
/// ```
/// use metricate::{Counter, Metrics};
///
/// /// The mailer.
/// #[derive(Metrics)]
/// #[metrics(subsystem = "outbox")]
/// struct Outbox {
///     /// Mails sent.
///     sent_total: Counter,
/// }
///
/// let name = metricate::testing::describe(&Outbox::global().sent_total);
/// assert_eq!(name.as_deref(), Some("metrics_outbox_sent_total"));
/// assert_eq!(metricate::testing::describe(&Outbox::new_unregistered().sent_total), None);
/// ```
pub fn describe<H: MetricHandle + ?Sized>(handle: &H) -> Option<String> {
    let address = handle.__address();
    #[cfg(feature = "test-scope")]
    let in_scope = Scope::current().and_then(|scope| scope.groups().into_iter().find_map(|g| locate(g, address)));
    #[cfg(not(feature = "test-scope"))]
    let in_scope = None;
    let found = in_scope.or_else(|| {
        let registry = crate::global().ok()?;
        registry.iter().find_map(|e| e.metric.__series_at(address).map(|index| (e.descriptor, index)))
    });
    let (descriptor, index) = found?;
    let mut name = descriptor.name.to_owned();
    let labels = crate::snapshot::label_values(descriptor, index);
    for (i, (label, value)) in labels.enumerate() {
        let _ = write!(name, "{}{label}=\"{}\"", if i == 0 { "{" } else { "," }, value.escape_debug());
    }
    if !descriptor.labels.is_empty() {
        name.push('}');
    }
    Some(name)
}

/// The metric of `group` whose series `address` is, and its index.
#[cfg(feature = "test-scope")]
fn locate(group: &dyn MetricGroup, address: usize) -> Option<(&'static Descriptor, usize)> {
    let mut found = None;
    group.for_each_metric(&mut |descriptor, metric| {
        if found.is_none() {
            found = metric.__series_at(address).map(|index| (descriptor, index));
        }
    });
    found
}

/// How a failure message names the series of `handle`.
fn series_name<H: MetricHandle + ?Sized>(handle: &H) -> String {
    describe(handle).map_or_else(|| "an unregistered metric".to_owned(), |name| format!("`{name}`"))
}

/// [`assert_metric!`](crate::assert_metric) with a value. Not public API.
#[doc(hidden)]
#[track_caller]
pub fn __assert_value<H>(handle: &H, expression: &str, expected: &H::Value)
where
    H: MetricHandle + ?Sized,
    H::Value: PartialEq + Debug,
{
    let actual = handle.value();
    assert!(
        actual == *expected,
        "metric {} is {actual:?}, expected {expected:?}\n  handle: {expression}",
        series_name(handle)
    );
}

/// [`assert_metric!`](crate::assert_metric) with `count = ..`. Not public API.
#[doc(hidden)]
#[track_caller]
pub fn __assert_count<H>(handle: &H, expression: &str, expected: u64)
where
    H: MetricHandle<Value = HistogramSnapshot> + ?Sized,
{
    let read = handle.value();
    assert!(
        read.count() == expected,
        "histogram {} has count {}, expected {expected} (sum {:?})\n  handle: {expression}",
        series_name(handle),
        read.count(),
        read.sum()
    );
}

/// [`assert_metric!`](crate::assert_metric) with `sum = ..`. Not public API.
#[doc(hidden)]
#[track_caller]
pub fn __assert_sum<H>(handle: &H, expression: &str, expected: f64)
where
    H: MetricHandle<Value = HistogramSnapshot> + ?Sized,
{
    let read = handle.value();
    assert!(
        read.sum() == expected,
        "histogram {} has sum {:?}, expected {expected:?} (count {})\n  handle: {expression}",
        series_name(handle),
        read.sum(),
        read.count()
    );
}

/// [`assert_metric!`](crate::assert_metric) with `bucket(le) = ..`. Not public
/// API.
#[doc(hidden)]
#[track_caller]
pub fn __assert_bucket<H>(handle: &H, expression: &str, le: f64, expected: u64)
where
    H: MetricHandle<Value = HistogramSnapshot> + ?Sized,
{
    let read = handle.value();
    match read.bucket(le) {
        Some(actual) if actual == expected => {}
        Some(actual) => panic!(
            "histogram {} has bucket le=\"{}\" at {actual}, expected {expected} (count {})\n  handle: {expression}",
            series_name(handle),
            bound_text(le),
            read.count()
        ),
        None => {
            let bounds: Vec<String> = read.buckets().map(|(bound, _)| bound_text(bound)).collect();
            panic!(
                "histogram {} has no bucket with upper bound {le:?}; its bounds are {}\n  handle: {expression}",
                series_name(handle),
                bounds.join(", ")
            );
        }
    }
}

/// A bucket bound as the `le` label writes it.
fn bound_text(bound: f64) -> String {
    if bound == f64::INFINITY { "+Inf".to_owned() } else { format!("{bound:?}") }
}

/// Asserts the value of a metric handle, and on failure names the series
/// (`name{labels}`), the expected and the actual value, and the handle as
/// written.
///
/// | form | for | checks |
/// |---|---|---|
/// | `assert_metric!(handle, 3)` | counters, gauges | [`MetricHandle::value`] `== 3` (`u64`, `i64` or `f64`, as the handle reads) |
/// | `assert_metric!(handle, count = 3)` | histograms | the number of observations |
/// | `assert_metric!(handle, sum = 0.5)` | histograms | the sum of the observations |
/// | `assert_metric!(handle, bucket(0.1) = 2)` | histograms | the cumulative count at the upper bound `0.1` (`f64::INFINITY` for `+Inf`) |
///
/// A handle is a metric field (`Struct::global().field`) or a series
/// (`Struct::global().field.with(labels)`). Histogram reads are consistent
/// (see [`HistogramSnapshot`]); each form reads once.
///
/// ```
/// use metricate::{Histogram, IntGauge, Metrics, assert_metric};
///
/// /// The worker pool.
/// #[derive(Metrics)]
/// #[metrics(subsystem = "pool")]
/// struct Pool {
///     /// Workers busy.
///     busy: IntGauge,
///     /// Time a job took.
///     #[metric(buckets = [0.1, 1.0])]
///     job_seconds: Histogram,
/// }
///
/// let pool = Pool::global();
/// pool.busy.inc();
/// pool.job_seconds.observe(0.05);
/// pool.job_seconds.observe(0.5);
/// assert_metric!(pool.busy, 1);
/// assert_metric!(pool.job_seconds, count = 2);
/// assert_metric!(pool.job_seconds, sum = 0.55);
/// assert_metric!(pool.job_seconds, bucket(0.1) = 1);
/// assert_metric!(pool.job_seconds, bucket(f64::INFINITY) = 2);
/// ```
#[macro_export]
macro_rules! assert_metric {
    ($handle:expr, count = $expected:expr $(,)?) => {
        $crate::testing::__assert_count(&$handle, ::core::stringify!($handle), $expected)
    };
    ($handle:expr, sum = $expected:expr $(,)?) => {
        $crate::testing::__assert_sum(&$handle, ::core::stringify!($handle), $expected)
    };
    ($handle:expr, bucket($le:expr) = $expected:expr $(,)?) => {
        $crate::testing::__assert_bucket(&$handle, ::core::stringify!($handle), $le, $expected)
    };
    ($handle:expr, $expected:expr $(,)?) => {
        $crate::testing::__assert_value(&$handle, ::core::stringify!($handle), &$expected)
    };
}
