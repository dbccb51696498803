//! Label types, metric groups and helpers shared by the encoder tests.
//!
//! Every group here is populated by a `populated_*` function, so that the
//! Prometheus and the OpenMetrics tests encode exactly the same state and only
//! the expected text differs. The groups' registered (`global()`) instances
//! are never touched; the tests encode `new_unregistered()` instances through
//! a local `Registry`.
#![allow(dead_code)]

use metricate::encode::Format;
use std::panic::Location;

use metricate::{
    Collect, Counter, Descriptor, Family, FloatCounter, Gauge, Histogram, IntGauge, LabelSet, LabelValue, MetricGroup,
    MetricKind, Metrics, Registry, Source,
};

// ---------------------------------------------------------------------------
// Label values and sets.
// ---------------------------------------------------------------------------

/// An HTTP method.
#[derive(Clone, Copy, Debug, LabelValue)]
pub(crate) enum Method {
    Get,
    Post,
}

/// A status class, renamed to values that are not identifiers.
#[derive(Clone, Copy, Debug, LabelValue)]
pub(crate) enum Code {
    #[label(rename = "2xx")]
    Success,
    #[label(rename = "5xx")]
    Failure,
}

/// Two labels: `method` (most significant) and `code`.
#[derive(Clone, Copy, LabelSet)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) code: Code,
}

/// One label, for a labeled histogram.
#[derive(Clone, Copy, LabelSet)]
pub(crate) struct ByMethod {
    pub(crate) method: Method,
}

/// Values that need escaping in a quoted label value, and non-ASCII.
#[derive(Clone, Copy, Debug, LabelValue)]
pub(crate) enum Tricky {
    #[label(rename = "say \"hi\"")]
    Quote,
    #[label(rename = "C:\\dir\\")]
    Backslash,
    #[label(rename = "two\nlines")]
    Newline,
    #[label(rename = "zürich ☃ 東京")]
    Unicode,
}

#[derive(Clone, Copy, LabelSet)]
pub(crate) struct TrickyLabels {
    pub(crate) value: Tricky,
}

/// A cache outcome; used as `Option<Outcome>`, whose `None` is `unknown`.
#[derive(Clone, Copy, Debug, LabelValue)]
pub(crate) enum Outcome {
    Hit,
    Miss,
}

#[derive(Clone, Copy, LabelSet)]
pub(crate) struct Lookup {
    pub(crate) method: Method,
    pub(crate) outcome: Option<Outcome>,
}

// ---------------------------------------------------------------------------
// Metric groups.
// ---------------------------------------------------------------------------

/// Integer and float counters, unlabeled and labeled.
#[derive(Metrics)]
#[metrics(subsystem = "counters")]
pub(crate) struct Counters {
    /// Jobs finished.
    pub(crate) jobs_total: Counter,
    /// Requests served.
    pub(crate) requests_total: Family<Request, Counter>,
    /// Time spent working.
    pub(crate) busy_seconds_total: FloatCounter,
}

pub(crate) fn populated_counters() -> Counters {
    let m = Counters::new_unregistered();
    m.jobs_total.inc();
    m.jobs_total.inc_by(41);
    m.requests_total.with(Request { method: Method::Get, code: Code::Success }).inc_by(7);
    m.requests_total.with(Request { method: Method::Post, code: Code::Failure }).inc();
    m.requests_total.with(Request { method: Method::Post, code: Code::Success }).inc_by(3);
    m.busy_seconds_total.inc_by(1.5);
    m.busy_seconds_total.inc_by(0.25);
    m
}

/// A float gauge and an integer gauge.
#[derive(Metrics)]
#[metrics(subsystem = "gauges")]
pub(crate) struct Gauges {
    /// Temperature of the room.
    pub(crate) temperature_celsius: Gauge,
    /// Items queued, after a burst of cancellations.
    pub(crate) queue_depth: IntGauge,
    /// The most negative balance.
    pub(crate) balance_min: IntGauge,
}

pub(crate) fn populated_gauges() -> Gauges {
    let m = Gauges::new_unregistered();
    m.temperature_celsius.set(20.0);
    m.temperature_celsius.add(1.5);
    m.temperature_celsius.sub(0.25);
    m.temperature_celsius.inc();
    m.temperature_celsius.dec();
    m.queue_depth.set(3);
    m.queue_depth.sub(10);
    m.queue_depth.inc();
    m.balance_min.set(i64::MIN);
    m
}

/// Histograms with the default and with custom buckets, one labeled.
#[derive(Metrics)]
#[metrics(subsystem = "histograms")]
pub(crate) struct Histograms {
    /// Request latency.
    pub(crate) latency_seconds: Histogram,
    /// Payload sizes.
    #[metric(buckets = [1.0, 2.5, 10.0])]
    pub(crate) payload_bytes: Family<ByMethod, Histogram>,
    /// Batch sizes, bounds written as integer literals; never observed.
    #[metric(buckets = [1, 5])]
    pub(crate) batch_size: Histogram,
}

pub(crate) fn populated_histograms() -> Histograms {
    let m = Histograms::new_unregistered();
    // Default buckets: a value on a bound falls in that bound's bucket.
    for v in [0.005, 0.005, 0.3, 1.0, 7.5, 12.0] {
        m.latency_seconds.observe(v);
    }
    let get = m.payload_bytes.with(ByMethod { method: Method::Get });
    for v in [0.5, 1.0, 2.0, 2.5, 3.0, 100.0] {
        get.observe(v);
    }
    m.payload_bytes.with(ByMethod { method: Method::Post }).observe(10.0);
    m
}

/// A histogram with negative, zero, tiny and huge bounds, and negative
/// observations.
#[derive(Metrics)]
#[metrics(subsystem = "negative")]
pub(crate) struct NegativeBuckets {
    /// Temperature deltas, around zero.
    #[metric(buckets = [-1.0, 0.0, 1e-7, 1e21])]
    pub(crate) drift: Histogram,
}

pub(crate) fn populated_negative_buckets() -> NegativeBuckets {
    let m = NegativeBuckets::new_unregistered();
    for v in [-2.0, -0.5, 0.0, 1e-8, 0.5] {
        m.drift.observe(v);
    }
    m
}

/// Counters named without `_total`. The derive refuses them (N3), so they are
/// hand-built: the encoders still write whatever a registered descriptor says.
pub(crate) struct Naming {
    pub(crate) events: Counter,
    pub(crate) cpu_seconds: FloatCounter,
}

static NAMING_EVENTS: Descriptor = hand_built("metrics_naming_events", "Events seen.", MetricKind::Counter, None);
static NAMING_CPU_SECONDS: Descriptor =
    hand_built("metrics_naming_cpu_seconds", "CPU time used.", MetricKind::Counter, Some("seconds"));

impl MetricGroup for Naming {
    fn for_each_metric<'a>(&'a self, f: &mut dyn FnMut(&'static Descriptor, &'a dyn Collect)) {
        f(&NAMING_EVENTS, &self.events);
        f(&NAMING_CPU_SECONDS, &self.cpu_seconds);
    }
}

pub(crate) fn populated_naming() -> Naming {
    let m = Naming { events: Counter::new(), cpu_seconds: FloatCounter::new() };
    m.events.inc_by(3);
    m.cpu_seconds.inc_by(0.5);
    m
}

/// Help text and label values that need escaping.
#[derive(Metrics)]
#[metrics(subsystem = "escaping")]
pub(crate) struct Escaping {
    #[metric(help = "line1\nline2 \"q\" \\ back")]
    pub(crate) odd_total: Family<TrickyLabels, Counter>,
    /// Non-ASCII help: zürich ☃ 東京.
    pub(crate) unicode: Gauge,
}

pub(crate) fn populated_escaping() -> Escaping {
    let m = Escaping::new_unregistered();
    m.odd_total.with(TrickyLabels { value: Tricky::Quote }).inc();
    m.odd_total.with(TrickyLabels { value: Tricky::Backslash }).inc_by(2);
    m.odd_total.with(TrickyLabels { value: Tricky::Newline }).inc_by(3);
    m.odd_total.with(TrickyLabels { value: Tricky::Unicode }).inc_by(4);
    m.unicode.set(1.0);
    m
}

/// Gauges set to special and extreme floats.
#[derive(Metrics)]
#[metrics(subsystem = "floats")]
pub(crate) struct Floats {
    /// Not a number.
    pub(crate) nan: Gauge,
    /// Positive infinity.
    pub(crate) pos_inf: Gauge,
    /// Negative infinity.
    pub(crate) neg_inf: Gauge,
    /// Negative zero.
    pub(crate) neg_zero: Gauge,
    /// A large value.
    pub(crate) large: Gauge,
    /// A small value.
    pub(crate) small: Gauge,
    /// A large negative value.
    pub(crate) neg_large: Gauge,
    /// The smallest subnormal.
    pub(crate) tiny: Gauge,
    /// An integral value.
    pub(crate) whole: Gauge,
    /// The largest integer below the switch to exponent notation.
    pub(crate) big_whole: Gauge,
}

pub(crate) fn populated_floats() -> Floats {
    let m = Floats::new_unregistered();
    m.nan.set(f64::NAN);
    m.pos_inf.set(f64::INFINITY);
    m.neg_inf.set(f64::NEG_INFINITY);
    m.neg_zero.set(-0.0);
    m.large.set(1e21);
    m.small.set(1e-7);
    m.neg_large.set(-1.5e300);
    m.tiny.set(5e-324);
    m.whole.set(42.0);
    m.big_whole.set(1e15);
    m
}

/// `Option<E>` labels.
#[derive(Metrics)]
#[metrics(subsystem = "options")]
pub(crate) struct Options {
    /// Cache lookups.
    pub(crate) lookups_total: Family<Lookup, Counter>,
}

pub(crate) fn populated_options() -> Options {
    let m = Options::new_unregistered();
    m.lookups_total.with(Lookup { method: Method::Get, outcome: Some(Outcome::Hit) }).inc_by(5);
    m.lookups_total.with(Lookup { method: Method::Get, outcome: None }).inc_by(2);
    m.lookups_total.with(Lookup { method: Method::Post, outcome: Some(Outcome::Miss) }).inc();
    m.lookups_total.with(Lookup { method: Method::Post, outcome: None }).inc_by(9);
    m
}

/// Metrics without help text, hand-built (the derive refuses them: N7).
pub(crate) struct NoHelp {
    pub(crate) undocumented: IntGauge,
    pub(crate) blank_total: Counter,
}

static NOHELP_UNDOCUMENTED: Descriptor = hand_built("metrics_nohelp_undocumented", "", MetricKind::Gauge, None);
static NOHELP_BLANK_TOTAL: Descriptor = hand_built("metrics_nohelp_blank_total", "", MetricKind::Counter, None);

impl MetricGroup for NoHelp {
    fn for_each_metric<'a>(&'a self, f: &mut dyn FnMut(&'static Descriptor, &'a dyn Collect)) {
        f(&NOHELP_UNDOCUMENTED, &self.undocumented);
        f(&NOHELP_BLANK_TOTAL, &self.blank_total);
    }
}

pub(crate) fn populated_nohelp() -> NoHelp {
    let m = NoHelp { undocumented: IntGauge::new(), blank_total: Counter::new() };
    m.undocumented.set(-1);
    m.blank_total.inc();
    m
}

/// Fields declared out of name order.
#[derive(Metrics)]
#[metrics(subsystem = "order")]
pub(crate) struct Order {
    /// Last by name.
    pub(crate) zeta: Gauge,
    /// First by name.
    pub(crate) alpha_total: Counter,
    /// In the middle.
    pub(crate) mid: IntGauge,
    /// Sorts just before `mid`.
    pub(crate) mia: IntGauge,
}

pub(crate) fn populated_order() -> Order {
    let m = Order::new_unregistered();
    m.zeta.set(26.0);
    m.alpha_total.inc();
    m.mid.set(13);
    m.mia.set(12);
    m
}

/// Units read from the name's suffix.
#[derive(Metrics)]
#[metrics(subsystem = "units")]
pub(crate) struct DerivedUnits {
    /// Bytes sent.
    pub(crate) sent_bytes_total: Counter,
    /// Memory in use.
    pub(crate) memory_bytes: Gauge,
    /// Load, as a fraction.
    pub(crate) load_ratio: Gauge,
}

/// The derived units, and two hand-built gauges whose declared unit is not
/// their name's suffix (the derive refuses them: N5); the OpenMetrics encoder
/// then writes no `# UNIT` line.
pub(crate) struct Units {
    pub(crate) derived: DerivedUnits,
    pub(crate) uptime: Gauge,
    pub(crate) nanoseconds: Gauge,
}

static UNITS_UPTIME: Descriptor = hand_built(
    "metrics_units_uptime",
    "Seconds since start, with the unit given but not in the name.",
    MetricKind::Gauge,
    Some("seconds"),
);
static UNITS_NANOSECONDS: Descriptor = hand_built(
    "metrics_units_nanoseconds",
    "A name that ends with the unit's letters but not with `_seconds`.",
    MetricKind::Gauge,
    Some("seconds"),
);

impl MetricGroup for Units {
    fn for_each_metric<'a>(&'a self, f: &mut dyn FnMut(&'static Descriptor, &'a dyn Collect)) {
        self.derived.for_each_metric(f);
        f(&UNITS_UPTIME, &self.uptime);
        f(&UNITS_NANOSECONDS, &self.nanoseconds);
    }
}

pub(crate) fn populated_units() -> Units {
    let m = Units { derived: DerivedUnits::new_unregistered(), uptime: Gauge::new(), nanoseconds: Gauge::new() };
    m.derived.sent_bytes_total.inc_by(1024);
    m.derived.memory_bytes.set(4096.0);
    m.uptime.set(12.5);
    m.nanoseconds.set(3.0);
    m.derived.load_ratio.set(0.75);
    m
}

// ---------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------

/// An unlabeled descriptor written by hand, as a program registers metrics
/// the derive would refuse, through `Registry::register` or a `MetricGroup`
/// of its own. Its source is this helper's call site in the caller's file.
#[track_caller]
pub(crate) const fn hand_built(
    name: &'static str,
    help: &'static str,
    kind: MetricKind,
    unit: Option<&'static str>,
) -> Descriptor {
    let caller = Location::caller();
    let source = Source {
        file: caller.file(),
        line: caller.line(),
        column: caller.column(),
        module_path: module_path!(),
        function: None,
    };
    Descriptor { unit, ..Descriptor::new(name, help, kind, source) }
}

/// Encodes one group through a registry of its own.
pub(crate) fn encode_group(format: Format, group: &dyn MetricGroup) -> String {
    let mut registry = Registry::new();
    registry.register_group(group).expect("the group registers");
    encode_registry(format, &registry)
}

/// Encodes a registry.
pub(crate) fn encode_registry(format: Format, registry: &Registry<'_>) -> String {
    let mut out = Vec::new();
    format.encode(registry, &mut out);
    String::from_utf8(out).expect("the exposition is UTF-8")
}

/// Whether `text` is a number as the OpenMetrics ABNF spells one (and the
/// Prometheus text parser accepts): `[sign] digits [. digits] [e [sign]
/// digits]`, `+Inf`/`-Inf` or `NaN` (the spellings the encoders must use).
pub(crate) fn is_valid_number(text: &str) -> bool {
    if matches!(text, "NaN" | "+Inf" | "-Inf") {
        return true;
    }
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => (digits(int) || int.is_empty()) && (digits(frac) || (frac.is_empty() && digits(int))),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// The value field of every sample line (not `#` lines) of an exposition.
pub(crate) fn sample_values(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| line.rsplit_once(' ').expect("a sample line has a value").1)
        .collect()
}
