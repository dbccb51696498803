//! Metrics whose value is read from a function when a scrape, a snapshot or
//! a delivery reads them: queue lengths, pool sizes, anything another
//! component already counts. Declared in a `#[derive(Metrics)]` struct like
//! any other metric; the function is registered once, at run time.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use metricate_spec::{Label, MetricKind};

use super::counter::inline_field;
use super::{Collect, MetricField, SeriesVisitor, Value};

/// The function of a callback metric.
type Callback = Box<dyn Fn() -> f64 + Send + Sync>;

unit_error! {
    /// Why a callback was not registered: the metric has one already.
    AlreadyRegistered,
    "this callback metric has its function already: a metric is read by one function"
}

/// Reads the callback: its value, or `None` (counted) when it panicked.
fn call(read: &Callback) -> Option<f64> {
    match catch_unwind(AssertUnwindSafe(read)) {
        Ok(value) => Some(value),
        Err(_) => {
            crate::self_metrics::callback_panicked();
            None
        }
    }
}

macro_rules! callback_metric {
    ($(#[$doc:meta])* $ty:ident, $kind:expr, $check:expr) => {
        $(#[$doc])*
        pub struct $ty {
            read: OnceLock<Callback>,
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty)).field("registered", &self.read.get().is_some()).finish()
            }
        }

        impl Default for $ty {
            fn default() -> $ty {
                $ty::new()
            }
        }

        impl $ty {
            /// A metric without its function yet: it has no series until
            /// one is registered.
            pub const fn new() -> $ty {
                $ty { read: OnceLock::new() }
            }

            /// Registers the function that gives the value, once. Refuses a
            /// second one.
            pub fn register(&self, read: impl Fn() -> f64 + Send + Sync + 'static) -> Result<(), AlreadyRegistered> {
                self.read.set(Box::new(read)).map_err(|_| AlreadyRegistered)
            }

            /// Whether a function is registered.
            pub fn is_registered(&self) -> bool {
                self.read.get().is_some()
            }

            /// The value now: the function's, if registered and it did not
            /// panic (a panic is caught and counted) and the value is valid.
            pub fn get(&self) -> Option<f64> {
                let check: fn(f64) -> bool = $check;
                self.read.get().and_then(call).filter(|v| {
                    let valid = check(*v);
                    if !valid {
                        crate::self_metrics::reject(crate::self_metrics::InvalidSample::from_value(*v));
                    }
                    valid
                })
            }

            #[doc(hidden)]
            pub const fn __from_static(_cells: &'static [$ty], _bounds: &'static [f64]) -> $ty {
                $ty::new()
            }
        }

        inline_field!($ty, $kind);

        impl Collect for $ty {
            fn collect(&self, visitor: &mut dyn SeriesVisitor) {
                if let Some(value) = self.get() {
                    visitor.series(0, Value::Float(value));
                }
            }

            fn __series_at(&self, address: usize) -> Option<usize> {
                (std::ptr::from_ref(self).addr() == address).then_some(0)
            }
        }
    };
}

callback_metric!(
    /// A gauge whose value a function gives when the metric is read.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use metricate::{CallbackGauge, Metrics};
    ///
    /// #[derive(Metrics)]
    /// #[metrics(subsystem = "doc_pool")]
    /// struct Pool {
    ///     /// Connections idle in the pool.
    ///     idle_connections: CallbackGauge,
    /// }
    ///
    /// let idle = Arc::new(AtomicUsize::new(4));
    /// let pool = Pool::new_unregistered();
    /// let reading = Arc::clone(&idle);
    /// pool.idle_connections.register(move || reading.load(Ordering::Relaxed) as f64).unwrap();
    /// assert_eq!(pool.idle_connections.get(), Some(4.0));
    /// idle.store(2, Ordering::Relaxed);
    /// assert_eq!(pool.idle_connections.get(), Some(2.0)); // read when asked
    /// assert!(pool.idle_connections.register(|| 0.0).is_err()); // one function per metric
    /// ```
    ///
    /// Until a function is registered the metric has no series. A function
    /// that panics is caught: the series is left out of that read and the
    /// panic counted in `metrics_export_callback_panics_total`; the scrape
    /// goes on. A NaN is left out too (and counted as an invalid sample).
    /// The function runs on the thread that reads (a scrape, a delivery):
    /// keep it quick and free of locks a recorder could hold for long.
    CallbackGauge,
    MetricKind::Gauge,
    |v| !v.is_nan()
);

callback_metric!(
    /// A counter whose value a function gives when the metric is read: a
    /// total another component keeps (bytes a socket moved, rows a driver
    /// returned). The function must give a total that never goes down; a
    /// negative, NaN or infinite value is left out and counted as an invalid
    /// sample. Otherwise as [`CallbackGauge`].
    CallbackCounter,
    MetricKind::Counter,
    |v| v.is_finite() && v >= 0.0
);
