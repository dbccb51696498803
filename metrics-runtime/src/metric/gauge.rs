//! Gauges: a floating-point gauge and an integer gauge whose increments are a
//! single atomic add.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use metricate_catalog::{Label, MetricKind};

use super::counter::{add_f64, single_cell_metric};
use super::{Collect, Metric, MetricField, ReadScratch, SeriesVisitor, Value};

/// A value that goes up and down, stored as `f64` bits in one `AtomicU64`.
/// `set` is one store; `add`/`sub`/`inc`/`dec` are a compare-and-swap loop.
///
/// ```
/// use metricate::{Gauge, Metrics};
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_gauge")]
/// struct Room {
///     /// Air temperature.
///     temperature_celsius: Gauge,
/// }
///
/// let room = Room::global();
/// room.temperature_celsius.set(21.5);
/// room.temperature_celsius.sub(0.5);
/// assert_eq!(room.temperature_celsius.get(), 21.0);
/// ```
#[derive(Debug, Default)]
pub struct Gauge {
    bits: AtomicU64,
}

impl Gauge {
    /// A gauge at zero.
    pub const fn new() -> Gauge {
        Gauge { bits: AtomicU64::new(0) }
    }

    /// Sets the value.
    #[inline]
    pub fn set(&self, v: f64) {
        self.bits.store(v.to_bits(), Ordering::Relaxed);
    }

    /// Adds `v` (which may be negative).
    #[inline]
    pub fn add(&self, v: f64) {
        add_f64(&self.bits, v);
    }

    /// Subtracts `v`.
    #[inline]
    pub fn sub(&self, v: f64) {
        add_f64(&self.bits, -v);
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1.0);
    }

    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.add(-1.0);
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [Gauge], _bounds: &'static [f64]) -> Gauge {
        Gauge::new()
    }
}

/// An integer gauge (connections in use, items in a queue): `inc`/`dec`/`add`
/// are one atomic add, cheaper than the float gauge's compare-and-swap.
///
/// ```
/// use metricate::{IntGauge, Metrics};
///
/// #[derive(Metrics)]
/// #[metrics(subsystem = "doc_int_gauge")]
/// struct Pool {
///     /// Connections handed out and not yet returned.
///     connections_in_use: IntGauge,
/// }
///
/// let pool = Pool::global();
/// pool.connections_in_use.inc();
/// pool.connections_in_use.inc();
/// pool.connections_in_use.dec();
/// assert_eq!(pool.connections_in_use.get(), 1);
/// ```
#[derive(Debug, Default)]
pub struct IntGauge {
    value: AtomicI64,
}

impl IntGauge {
    /// A gauge at zero.
    pub const fn new() -> IntGauge {
        IntGauge { value: AtomicI64::new(0) }
    }

    /// Sets the value.
    #[inline]
    pub fn set(&self, v: i64) {
        self.value.store(v, Ordering::Relaxed);
    }

    /// Adds `v` (which may be negative), wrapping on overflow.
    #[inline]
    pub fn add(&self, v: i64) {
        self.value.fetch_add(v, Ordering::Relaxed);
    }

    /// Subtracts `v`, wrapping on overflow.
    #[inline]
    pub fn sub(&self, v: i64) {
        self.value.fetch_sub(v, Ordering::Relaxed);
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }

    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.sub(1);
    }

    /// The current value.
    pub fn get(&self) -> i64 {
        self.value.load(Ordering::Relaxed)
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [IntGauge], _bounds: &'static [f64]) -> IntGauge {
        IntGauge::new()
    }
}

single_cell_metric!(Gauge, MetricKind::Gauge, Float, Gauge::get);
single_cell_metric!(IntGauge, MetricKind::Gauge, Signed, IntGauge::get);
