//! Gauges: a floating-point gauge and an integer gauge whose increments are a
//! single atomic add.
//!
//! Both know whether anything has recorded to them, for quiet families
//! (`#[metric(quiet)]`), which expose only the series recorded to: a gauge
//! set to zero is recorded to, one never touched is not, and both read zero.
//! The float gauge keeps that in its one cell (see [`UNTOUCHED`]); the
//! integer gauge, whose every bit pattern is a value, in a flag beside it.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use metricate_spec::{Label, MetricKind};

use super::counter::single_cell_metric;
use super::{Collect, Metric, MetricField, ReadScratch, SeriesVisitor, Value};

/// The bits of a float gauge nothing has recorded to: a signalling NaN with
/// payload 1, which arithmetic never produces (it yields quiet NaNs), and
/// which a write of exactly these bits stores as the canonical NaN instead
/// (every NaN is written `NaN`). So the gauge's one cell says both its value
/// and whether it was recorded to: `set` stays one store, `add` one
/// compare-and-swap loop, and every other value, `-0.0` included, is kept
/// bit for bit.
const UNTOUCHED: u64 = 0x7FF0_0000_0000_0001;

/// The bits a recorded gauge stores for `v`: its own, unless they are
/// [`UNTOUCHED`]'s.
#[inline]
fn recorded(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits == UNTOUCHED { f64::NAN.to_bits() } else { bits }
}

/// The value of a gauge's bits: zero for [`UNTOUCHED`].
#[inline]
fn value(bits: u64) -> f64 {
    if bits == UNTOUCHED { 0.0 } else { f64::from_bits(bits) }
}

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
///
/// // Whether anything has recorded to it (what quiet families expose):
/// let gauge = Gauge::new();
/// assert!(!gauge.touched());
/// gauge.set(0.0);
/// assert!(gauge.touched()); // recorded to, though still zero
/// ```
#[derive(Debug)]
pub struct Gauge {
    bits: AtomicU64,
}

impl Default for Gauge {
    fn default() -> Gauge {
        Gauge::new()
    }
}

impl Gauge {
    /// A gauge at zero, not recorded to yet.
    pub const fn new() -> Gauge {
        Gauge { bits: AtomicU64::new(UNTOUCHED) }
    }

    /// Sets the value.
    #[inline]
    pub fn set(&self, v: f64) {
        self.bits.store(recorded(v), Ordering::Relaxed);
    }

    /// Adds `v` (which may be negative).
    #[inline]
    pub fn add(&self, v: f64) {
        let mut current = self.bits.load(Ordering::Relaxed);
        loop {
            let next = recorded(value(current) + v);
            match self.bits.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// Subtracts `v`.
    #[inline]
    pub fn sub(&self, v: f64) {
        self.add(-v);
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

    /// The current value (zero when nothing has recorded to it).
    pub fn get(&self) -> f64 {
        value(self.bits.load(Ordering::Relaxed))
    }

    /// Whether anything has recorded to the gauge (`set`, `add`, ...), even
    /// if its value is zero now. Quiet families expose only such series.
    pub fn touched(&self) -> bool {
        self.bits.load(Ordering::Relaxed) != UNTOUCHED
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [Gauge], _bounds: &'static [f64]) -> Gauge {
        Gauge::new()
    }
}

/// An integer gauge (connections in use, items in a queue): `inc`/`dec`/`add`
/// are one atomic add, cheaper than the float gauge's compare-and-swap.
///
/// Beside its value it keeps whether anything has recorded to it (for quiet
/// families): every record loads that flag first and stores it only the
/// first time, so a warm series pays one load of a byte on the cache line it
/// writes anyway. 16 bytes per series.
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
/// assert!(pool.connections_in_use.touched());
/// assert!(!IntGauge::new().touched());
/// ```
#[derive(Debug, Default)]
pub struct IntGauge {
    value: AtomicI64,
    touched: AtomicBool,
}

impl IntGauge {
    /// A gauge at zero, not recorded to yet.
    pub const fn new() -> IntGauge {
        IntGauge { value: AtomicI64::new(0), touched: AtomicBool::new(false) }
    }

    /// Marks the gauge recorded to: a load, and a store only the first time,
    /// so that a warm series' cache line is not written twice per record.
    #[inline]
    fn touch(&self) {
        if !self.touched.load(Ordering::Relaxed) {
            self.touched.store(true, Ordering::Relaxed);
        }
    }

    /// Sets the value.
    #[inline]
    pub fn set(&self, v: i64) {
        self.touch();
        self.value.store(v, Ordering::Relaxed);
    }

    /// Adds `v` (which may be negative), wrapping on overflow.
    #[inline]
    pub fn add(&self, v: i64) {
        self.touch();
        self.value.fetch_add(v, Ordering::Relaxed);
    }

    /// Subtracts `v`, wrapping on overflow.
    #[inline]
    pub fn sub(&self, v: i64) {
        self.touch();
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

    /// Whether anything has recorded to the gauge (`set`, `add`, ...), even
    /// if its value is zero now. Quiet families expose only such series.
    pub fn touched(&self) -> bool {
        // The value first: a non-zero value was recorded, whether or not the
        // flag's store is visible yet.
        self.value.load(Ordering::Relaxed) != 0 || self.touched.load(Ordering::Relaxed)
    }

    #[doc(hidden)]
    pub const fn __from_static(_cells: &'static [IntGauge], _bounds: &'static [f64]) -> IntGauge {
        IntGauge::new()
    }
}

single_cell_metric!(Gauge, MetricKind::Gauge, Float, Gauge::get, Gauge::touched);
single_cell_metric!(IntGauge, MetricKind::Gauge, Signed, IntGauge::get, IntGauge::touched);
