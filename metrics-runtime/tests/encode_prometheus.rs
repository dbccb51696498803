//! The Prometheus text format 0.0.4 encoder against exact expected text (also
//! of the names and help text the derive gives), and the registry's D1 check
//! (two metrics exposing the same name).
//!
//! Every test encodes `new_unregistered()` instances through a local
//! `Registry`, so the global registry plays no part in what is encoded.
//!
//! Note: this test binary declares groups whose names collide on purpose (the
//! D1 tests), so the *global* registry of this binary refuses to build and
//! `metricate::global()` is an error here; `global_registry_refuses_collisions`
//! checks exactly that. Tests that read the global registry live in
//! `encode_openmetrics.rs`.

mod common;

use common::{
    Method, encode_group, encode_registry, hand_built, is_valid_number, populated_counters, populated_escaping,
    populated_floats, populated_gauges, populated_histograms, populated_naming, populated_negative_buckets,
    populated_nohelp, populated_options, populated_order, populated_units, sample_values,
};
use metricate::encode::{self, Format, PrometheusText};
use metricate::{
    Collect, Counter, Descriptor, Family, Gauge, Histogram, IntGauge, LabelSet, MetricGroup, MetricKind, Metrics,
    Registry, RegistryError,
};

const FORMAT: Format = Format::Prometheus;

#[test]
fn content_type() {
    assert_eq!(FORMAT.content_type(), "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(encode::Encoder::content_type(&PrometheusText::new()), FORMAT.content_type());
}

#[test]
fn counters_unlabeled_labeled_and_float() {
    assert_eq!(
        encode_group(FORMAT, &populated_counters()),
        r#"# HELP metrics_counters_busy_seconds_total Time spent working.
# TYPE metrics_counters_busy_seconds_total counter
metrics_counters_busy_seconds_total 1.75
# HELP metrics_counters_jobs_total Jobs finished.
# TYPE metrics_counters_jobs_total counter
metrics_counters_jobs_total 42
# HELP metrics_counters_requests_total Requests served.
# TYPE metrics_counters_requests_total counter
metrics_counters_requests_total{method="get",code="2xx"} 7
metrics_counters_requests_total{method="get",code="5xx"} 0
metrics_counters_requests_total{method="post",code="2xx"} 3
metrics_counters_requests_total{method="post",code="5xx"} 1
"#
    );
}

#[test]
fn counter_declared_without_total_keeps_its_name() {
    assert_eq!(
        encode_group(FORMAT, &populated_naming()),
        r"# HELP metrics_naming_cpu_seconds CPU time used.
# TYPE metrics_naming_cpu_seconds counter
metrics_naming_cpu_seconds 0.5
# HELP metrics_naming_events Events seen.
# TYPE metrics_naming_events counter
metrics_naming_events 3
"
    );
}

#[test]
fn gauges_float_and_negative_integers() {
    assert_eq!(
        encode_group(FORMAT, &populated_gauges()),
        r"# HELP metrics_gauges_balance_min The most negative balance.
# TYPE metrics_gauges_balance_min gauge
metrics_gauges_balance_min -9223372036854775808
# HELP metrics_gauges_queue_depth Items queued, after a burst of cancellations.
# TYPE metrics_gauges_queue_depth gauge
metrics_gauges_queue_depth -6
# HELP metrics_gauges_temperature_celsius Temperature of the room.
# TYPE metrics_gauges_temperature_celsius gauge
metrics_gauges_temperature_celsius 21.25
"
    );
}

#[test]
fn histograms_default_and_custom_buckets() {
    // latency_seconds (default buckets) saw 0.005 twice (on the first bound:
    // `le` is inclusive), 0.3, 1.0 (on a bound), 7.5 and 12.0 (+Inf only).
    // payload_bytes{get} saw 0.5, 1.0, 2.0, 2.5, 3.0, 100.0; {post} saw 10.0.
    // batch_size (bounds written `[1, 5]`) saw nothing.
    assert_eq!(
        encode_group(FORMAT, &populated_histograms()),
        r#"# HELP metrics_histograms_batch_size Batch sizes, bounds written as integer literals; never observed.
# TYPE metrics_histograms_batch_size histogram
metrics_histograms_batch_size_bucket{le="1.0"} 0
metrics_histograms_batch_size_bucket{le="5.0"} 0
metrics_histograms_batch_size_bucket{le="+Inf"} 0
metrics_histograms_batch_size_sum 0.0
metrics_histograms_batch_size_count 0
# HELP metrics_histograms_latency_seconds Request latency.
# TYPE metrics_histograms_latency_seconds histogram
metrics_histograms_latency_seconds_bucket{le="0.005"} 2
metrics_histograms_latency_seconds_bucket{le="0.01"} 2
metrics_histograms_latency_seconds_bucket{le="0.025"} 2
metrics_histograms_latency_seconds_bucket{le="0.05"} 2
metrics_histograms_latency_seconds_bucket{le="0.1"} 2
metrics_histograms_latency_seconds_bucket{le="0.25"} 2
metrics_histograms_latency_seconds_bucket{le="0.5"} 3
metrics_histograms_latency_seconds_bucket{le="1.0"} 4
metrics_histograms_latency_seconds_bucket{le="2.5"} 4
metrics_histograms_latency_seconds_bucket{le="5.0"} 4
metrics_histograms_latency_seconds_bucket{le="10.0"} 5
metrics_histograms_latency_seconds_bucket{le="+Inf"} 6
metrics_histograms_latency_seconds_sum 20.810000000000002
metrics_histograms_latency_seconds_count 6
# HELP metrics_histograms_payload_bytes Payload sizes.
# TYPE metrics_histograms_payload_bytes histogram
metrics_histograms_payload_bytes_bucket{method="get",le="1.0"} 2
metrics_histograms_payload_bytes_bucket{method="get",le="2.5"} 4
metrics_histograms_payload_bytes_bucket{method="get",le="10.0"} 5
metrics_histograms_payload_bytes_bucket{method="get",le="+Inf"} 6
metrics_histograms_payload_bytes_sum{method="get"} 109.0
metrics_histograms_payload_bytes_count{method="get"} 6
metrics_histograms_payload_bytes_bucket{method="post",le="1.0"} 0
metrics_histograms_payload_bytes_bucket{method="post",le="2.5"} 0
metrics_histograms_payload_bytes_bucket{method="post",le="10.0"} 1
metrics_histograms_payload_bytes_bucket{method="post",le="+Inf"} 1
metrics_histograms_payload_bytes_sum{method="post"} 10.0
metrics_histograms_payload_bytes_count{method="post"} 1
"#
    );
    // The sum is the f64 sum in observation order.
    assert_eq!((0.005 + 0.005 + 0.3 + 1.0 + 7.5 + 12.0_f64).to_string(), "20.810000000000002");
}

#[test]
fn histogram_with_negative_and_extreme_bounds() {
    // Prometheus text has no rule against negative thresholds or a negative
    // `_sum`: the histogram is written as is.
    assert_eq!(
        encode_group(FORMAT, &populated_negative_buckets()),
        r#"# HELP metrics_negative_drift Temperature deltas, around zero.
# TYPE metrics_negative_drift histogram
metrics_negative_drift_bucket{le="-1.0"} 1
metrics_negative_drift_bucket{le="0.0"} 3
metrics_negative_drift_bucket{le="1e-7"} 4
metrics_negative_drift_bucket{le="1e21"} 5
metrics_negative_drift_bucket{le="+Inf"} 5
metrics_negative_drift_sum -1.99999999
metrics_negative_drift_count 5
"#
    );
}

#[test]
fn escaping_of_label_values_and_help() {
    // HELP: `\` and line feed are escaped, `"` is not. Label values: `\`, `"`
    // and line feed are escaped. Non-ASCII passes through.
    assert_eq!(
        encode_group(FORMAT, &populated_escaping()),
        r#"# HELP metrics_escaping_odd_total line1\nline2 "q" \\ back
# TYPE metrics_escaping_odd_total counter
metrics_escaping_odd_total{value="say \"hi\""} 1
metrics_escaping_odd_total{value="C:\\dir\\"} 2
metrics_escaping_odd_total{value="two\nlines"} 3
metrics_escaping_odd_total{value="zürich ☃ 東京"} 4
# HELP metrics_escaping_unicode Non-ASCII help: zürich ☃ 東京.
# TYPE metrics_escaping_unicode gauge
metrics_escaping_unicode 1.0
"#
    );
    // Every line of the output is one line: no raw newline leaked.
    let text = encode_group(FORMAT, &populated_escaping());
    assert_eq!(text.lines().count(), 9);
}

#[test]
fn special_and_extreme_floats() {
    let text = encode_group(FORMAT, &populated_floats());
    assert_eq!(
        text,
        r"# HELP metrics_floats_big_whole The largest integer below the switch to exponent notation.
# TYPE metrics_floats_big_whole gauge
metrics_floats_big_whole 1000000000000000.0
# HELP metrics_floats_large A large value.
# TYPE metrics_floats_large gauge
metrics_floats_large 1e21
# HELP metrics_floats_nan Not a number.
# TYPE metrics_floats_nan gauge
metrics_floats_nan NaN
# HELP metrics_floats_neg_inf Negative infinity.
# TYPE metrics_floats_neg_inf gauge
metrics_floats_neg_inf -Inf
# HELP metrics_floats_neg_large A large negative value.
# TYPE metrics_floats_neg_large gauge
metrics_floats_neg_large -1.5e300
# HELP metrics_floats_neg_zero Negative zero.
# TYPE metrics_floats_neg_zero gauge
metrics_floats_neg_zero -0.0
# HELP metrics_floats_pos_inf Positive infinity.
# TYPE metrics_floats_pos_inf gauge
metrics_floats_pos_inf +Inf
# HELP metrics_floats_small A small value.
# TYPE metrics_floats_small gauge
metrics_floats_small 1e-7
# HELP metrics_floats_tiny The smallest subnormal.
# TYPE metrics_floats_tiny gauge
metrics_floats_tiny 5e-324
# HELP metrics_floats_whole An integral value.
# TYPE metrics_floats_whole gauge
metrics_floats_whole 42.0
"
    );
    let values = sample_values(&text);
    assert_eq!(values.len(), 10);
    for value in values {
        assert!(is_valid_number(value), "`{value}` is not a valid sample value");
        // Every finite spelling reads back as the value written (Go's
        // ParseFloat, which Prometheus uses, accepts what Rust's parse does
        // for these spellings).
        if !matches!(value, "NaN" | "+Inf" | "-Inf") {
            value.parse::<f64>().expect("a finite spelling parses");
        }
    }
    assert!(text.contains(" -0.0\n"), "negative zero keeps its sign");
}

#[test]
fn option_labels_render_unknown_for_none() {
    assert_eq!(
        encode_group(FORMAT, &populated_options()),
        r#"# HELP metrics_options_lookups_total Cache lookups.
# TYPE metrics_options_lookups_total counter
metrics_options_lookups_total{method="get",outcome="hit"} 5
metrics_options_lookups_total{method="get",outcome="miss"} 0
metrics_options_lookups_total{method="get",outcome="unknown"} 2
metrics_options_lookups_total{method="post",outcome="hit"} 0
metrics_options_lookups_total{method="post",outcome="miss"} 1
metrics_options_lookups_total{method="post",outcome="unknown"} 9
"#
    );
}

#[test]
fn empty_help_has_no_help_line() {
    assert_eq!(
        encode_group(FORMAT, &populated_nohelp()),
        r"# TYPE metrics_nohelp_blank_total counter
metrics_nohelp_blank_total 1
# TYPE metrics_nohelp_undocumented gauge
metrics_nohelp_undocumented -1
"
    );
}

/// A label field that is a raw identifier.
#[derive(Clone, Copy, LabelSet)]
struct ByType {
    r#type: Method,
}

/// No subsystem: every name is `metrics_<field>`, without the `r#` of a raw
/// identifier; help from a doc comment of two lines, from `help` over a doc
/// comment; a full name given with `name`.
#[derive(Metrics)]
struct Unprefixed {
    /// Matches, by type:
    /// a doc comment over two lines.
    r#match_total: Family<ByType, Counter>,
    /// The doc comment, for readers of the code.
    #[metric(help = "The help text, for readers of the metrics.")]
    r#loop: IntGauge,
    /// Requests, under the name dashboards already use.
    #[metric(name = "metrics_api_requests_total")]
    requests_total: Counter,
}

#[test]
fn names_and_help_text_as_declared() {
    let m = Unprefixed::new_unregistered();
    m.r#match_total.with(ByType { r#type: Method::Post }).inc();
    m.r#loop.set(2);
    m.requests_total.inc_by(3);
    assert_eq!(
        encode_group(FORMAT, &m),
        r#"# HELP metrics_api_requests_total Requests, under the name dashboards already use.
# TYPE metrics_api_requests_total counter
metrics_api_requests_total 3
# HELP metrics_loop The help text, for readers of the metrics.
# TYPE metrics_loop gauge
metrics_loop 2
# HELP metrics_match_total Matches, by type: a doc comment over two lines.
# TYPE metrics_match_total counter
metrics_match_total{type="get"} 0
metrics_match_total{type="post"} 1
"#
    );
}

#[test]
fn units_never_appear_in_prometheus_text() {
    assert_eq!(
        encode_group(FORMAT, &populated_units()),
        r"# HELP metrics_units_load_ratio Load, as a fraction.
# TYPE metrics_units_load_ratio gauge
metrics_units_load_ratio 0.75
# HELP metrics_units_memory_bytes Memory in use.
# TYPE metrics_units_memory_bytes gauge
metrics_units_memory_bytes 4096.0
# HELP metrics_units_nanoseconds A name that ends with the unit's letters but not with `_seconds`.
# TYPE metrics_units_nanoseconds gauge
metrics_units_nanoseconds 3.0
# HELP metrics_units_sent_bytes_total Bytes sent.
# TYPE metrics_units_sent_bytes_total counter
metrics_units_sent_bytes_total 1024
# HELP metrics_units_uptime Seconds since start, with the unit given but not in the name.
# TYPE metrics_units_uptime gauge
metrics_units_uptime 12.5
"
    );
}

#[test]
fn empty_registry_and_empty_snapshot_encode_to_nothing() {
    let registry = Registry::new();
    assert!(registry.is_empty());
    assert_eq!(encode_registry(FORMAT, &registry), "");

    let counters = populated_counters();
    let mut registry = Registry::new();
    registry.register_group(&counters).unwrap();
    let snapshot = registry.snapshot(|_| false);
    assert!(snapshot.families().is_empty());
    let mut out = Vec::new();
    FORMAT.encode(&snapshot, &mut out);
    assert_eq!(out, b"");
}

#[test]
fn families_are_sorted_by_name_regardless_of_field_and_group_order() {
    assert_eq!(
        encode_group(FORMAT, &populated_order()),
        r"# HELP metrics_order_alpha_total First by name.
# TYPE metrics_order_alpha_total counter
metrics_order_alpha_total 1
# HELP metrics_order_mia Sorts just before `mid`.
# TYPE metrics_order_mia gauge
metrics_order_mia 12
# HELP metrics_order_mid In the middle.
# TYPE metrics_order_mid gauge
metrics_order_mid 13
# HELP metrics_order_zeta Last by name.
# TYPE metrics_order_zeta gauge
metrics_order_zeta 26.0
"
    );

    // Groups registered in either order give the same bytes.
    let (order, gauges, counters) = (populated_order(), populated_gauges(), populated_counters());
    let groups: [&dyn MetricGroup; 3] = [&order, &gauges, &counters];
    let mut forward = Registry::new();
    let mut backward = Registry::new();
    for group in groups {
        forward.register_group(group).unwrap();
    }
    for group in groups.into_iter().rev() {
        backward.register_group(group).unwrap();
    }
    let text = encode_registry(FORMAT, &forward);
    assert_eq!(text, encode_registry(FORMAT, &backward));
    let families: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("# TYPE ")).collect();
    let mut sorted = families.clone();
    sorted.sort_unstable();
    assert_eq!(families, sorted);
    assert_eq!(families.len(), 3 + 4 + 3);
}

#[test]
fn encoding_is_deterministic_and_snapshots_encode_like_the_registry() {
    let (counters, gauges, histograms, escaping, floats) =
        (populated_counters(), populated_gauges(), populated_histograms(), populated_escaping(), populated_floats());
    let mut registry = Registry::new();
    for group in [&counters as &dyn MetricGroup, &gauges, &histograms, &escaping, &floats] {
        registry.register_group(group).unwrap();
    }
    // Reading a histogram moves its state between shards; the bytes must not
    // change.
    let first = encode_registry(FORMAT, &registry);
    let second = encode_registry(FORMAT, &registry);
    assert_eq!(first, second);
    let snapshot = registry.snapshot(|_| true);
    let mut out = Vec::new();
    FORMAT.encode(&snapshot, &mut out);
    assert_eq!(String::from_utf8(out).unwrap(), first);

    // A reused encoder and a reused buffer: `encode` appends.
    let mut encoder = PrometheusText::new();
    let mut buffer = b"prefix\n".to_vec();
    encode::encode(&registry, &mut encoder, &mut buffer);
    encode::encode(&registry, &mut encoder, &mut buffer);
    assert_eq!(String::from_utf8(buffer).unwrap(), format!("prefix\n{first}{first}"));
}

#[test]
fn snapshot_of_one_family() {
    let counters = populated_counters();
    let mut registry = Registry::new();
    registry.register_group(&counters).unwrap();
    let snapshot = registry.snapshot(|d| d.name == "metrics_counters_requests_total");
    assert_eq!(snapshot.families().len(), 1);
    let family = snapshot.family("metrics_counters_requests_total").unwrap();
    let post_2xx = family.find(&[("method", "post"), ("code", "2xx")]).unwrap();
    assert_eq!(post_2xx.value(), &metricate::OwnedValue::Unsigned(3));
    assert_eq!(post_2xx.index(), 2);
    let mut out = Vec::new();
    FORMAT.encode(&snapshot, &mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"# HELP metrics_counters_requests_total Requests served.
# TYPE metrics_counters_requests_total counter
metrics_counters_requests_total{method="get",code="2xx"} 7
metrics_counters_requests_total{method="get",code="5xx"} 0
metrics_counters_requests_total{method="post",code="2xx"} 3
metrics_counters_requests_total{method="post",code="5xx"} 1
"#
    );
}

// ---------------------------------------------------------------------------
// D1: two metrics that would expose the same name.
//
// The `*_LINE` constants are the line of the field declared below them
// (`line!()` of the constant plus the lines in between).
// ---------------------------------------------------------------------------

const X_TOTAL_LINE: u32 = line!() + 7;
/// A counter: exposes `metrics_d1_x_total`, and `metrics_d1_x` as its
/// OpenMetrics family.
#[derive(Metrics)]
#[metrics(subsystem = "d1")]
struct CounterX {
    /// Things counted.
    x_total: Counter,
}

const X_LINE: u32 = line!() + 6;
/// A gauge named like the counter's OpenMetrics family.
#[derive(Metrics)]
#[metrics(subsystem = "d1")]
struct GaugeX {
    /// Things measured.
    x: Gauge,
}

const Y_LINE: u32 = line!() + 6;
/// A histogram: owns `metrics_d1_y_bucket`, `_sum` and `_count`.
#[derive(Metrics)]
#[metrics(subsystem = "d1")]
struct HistogramY {
    /// Things observed.
    y: Histogram,
}

/// A gauge named like the histogram's `_count` series, next to a metric that
/// collides with nothing. The derive refuses a name ending in `_count` (N6),
/// so the group is hand-built, as a program registering descriptors of its
/// own would build it.
struct GaugeYCount {
    y_count: Gauge,
    z: Gauge,
}

const Y_COUNT_LINE: u32 = line!() + 1;
static Y_COUNT: Descriptor = hand_built("metrics_d1_y_count", "Not a count of `y`.", MetricKind::Gauge, None);
static Z: Descriptor = hand_built("metrics_d1_z", "Unrelated.", MetricKind::Gauge, None);

/// The (1-based) column of `hand_built` in `static Y_COUNT` above.
const HAND_BUILT_COLUMN: u32 = 30;

impl MetricGroup for GaugeYCount {
    fn for_each_metric<'a>(&'a self, f: &mut dyn FnMut(&'static Descriptor, &'a dyn Collect)) {
        f(&Y_COUNT, &self.y_count);
        f(&Z, &self.z);
    }
}

impl GaugeYCount {
    fn new_unregistered() -> GaugeYCount {
        GaugeYCount { y_count: Gauge::new(), z: Gauge::new() }
    }
}

/// A counter named without `_total` (`w`), hand-built (the derive refuses it:
/// N3): its OpenMetrics samples are `metrics_d1_w_total`.
static W: Descriptor = hand_built("metrics_d1_w", "Things counted.", MetricKind::Counter, None);
/// A gauge whose samples are `metrics_d1_w_total` in both formats, hand-built
/// (the derive refuses `_total` on a gauge: N3).
static W_TOTAL: Descriptor = hand_built("metrics_d1_w_total", "Things measured.", MetricKind::Gauge, None);

fn source(line: u32, column: u32) -> String {
    format!("{}:{line}:{column}", file!())
}

#[test]
fn descriptor_source_points_at_the_field() {
    let counter = CounterX::new_unregistered();
    let mut descriptors = Vec::new();
    counter.for_each_metric(&mut |d, _| descriptors.push(d));
    let [d] = descriptors[..] else { panic!("one metric") };
    assert_eq!(d.name, "metrics_d1_x_total");
    assert_eq!(d.source.file, file!());
    assert_eq!(d.source.line, X_TOTAL_LINE);
    // The field name's column (1-based), after four spaces of indentation.
    assert_eq!(d.source.column, 5);
    assert_eq!(d.source.module_path, module_path!());
    assert_eq!(d.source.to_string(), source(X_TOTAL_LINE, 5));
}

#[test]
fn d1_counter_total_and_gauge_named_like_its_family() {
    let (counter, gauge) = (CounterX::new_unregistered(), GaugeX::new_unregistered());
    let mut registry = Registry::new();
    registry.register_group(&counter).unwrap();
    let error: RegistryError = registry.register_group(&gauge).unwrap_err();
    assert_eq!(error.collisions.len(), 1);
    let collision = &error.collisions[0];
    assert_eq!(collision.exposed, "metrics_d1_x");
    assert_eq!(collision.first.name, "metrics_d1_x_total");
    assert_eq!(collision.second.name, "metrics_d1_x");
    assert_eq!(collision.first.source.line, X_TOTAL_LINE);
    assert_eq!(collision.second.source.line, X_LINE);
    assert_eq!(
        error.to_string(),
        format!(
            "D1: metric name `metrics_d1_x` is exposed twice: by `metrics_d1_x_total` declared at {} and by `metrics_d1_x` declared at {}",
            source(X_TOTAL_LINE, 5),
            source(X_LINE, 5),
        )
    );
    // The refused metric is not added.
    assert_eq!(registry.len(), 1);
    assert!(registry.get("metrics_d1_x").is_none());

    // The other order collides too, naming the gauge first.
    let mut registry = Registry::new();
    registry.register_group(&gauge).unwrap();
    let error = registry.register_group(&counter).unwrap_err();
    assert_eq!(error.collisions.len(), 1);
    assert_eq!(error.collisions[0].exposed, "metrics_d1_x");
    assert_eq!(error.collisions[0].first.name, "metrics_d1_x");
    assert_eq!(error.collisions[0].second.name, "metrics_d1_x_total");
}

#[test]
fn d1_histogram_and_gauge_named_like_its_count() {
    let (histogram, gauges) = (HistogramY::new_unregistered(), GaugeYCount::new_unregistered());
    let mut registry = Registry::new();
    registry.register_group(&histogram).unwrap();
    let error = registry.register_group(&gauges).unwrap_err();
    assert_eq!(error.collisions.len(), 1);
    let collision = &error.collisions[0];
    assert_eq!(collision.exposed, "metrics_d1_y_count");
    assert_eq!(collision.first.name, "metrics_d1_y");
    assert_eq!(collision.second.name, "metrics_d1_y_count");
    assert_eq!(
        error.to_string(),
        format!(
            "D1: metric name `metrics_d1_y_count` is exposed twice: by `metrics_d1_y` declared at {} and by `metrics_d1_y_count` declared at {}",
            source(Y_LINE, 5),
            source(Y_COUNT_LINE, HAND_BUILT_COLUMN),
        )
    );
    // The group's other metric, which collides with nothing, is added.
    assert_eq!(registry.iter().map(|e| e.descriptor.name).collect::<Vec<_>>(), ["metrics_d1_y", "metrics_d1_z"]);
}

#[test]
fn d1_every_collision_is_listed() {
    let (counter, gauge, histogram, gauges) = (
        CounterX::new_unregistered(),
        GaugeX::new_unregistered(),
        HistogramY::new_unregistered(),
        GaugeYCount::new_unregistered(),
    );
    let mut registry = Registry::new();
    registry.register_group(&counter).unwrap();
    registry.register_group(&histogram).unwrap();
    // A second instance of a registered group collides on every name it
    // exposes, and the error lists each of them.
    assert!(registry.register_group(&gauge).is_err());
    assert!(registry.register_group(&gauges).is_err());
    let second_histogram = HistogramY::new_unregistered();
    let error = registry.register_group(&second_histogram).unwrap_err();
    let exposed: Vec<&str> = error.collisions.iter().map(|c| c.exposed.as_str()).collect();
    assert_eq!(
        exposed,
        ["metrics_d1_y", "metrics_d1_y_bucket", "metrics_d1_y_sum", "metrics_d1_y_count", "metrics_d1_y_created"]
    );
    assert_eq!(error.to_string().lines().count(), 5);
    assert!(error.to_string().lines().all(|l| l.starts_with("D1: metric name `metrics_d1_y")));
}

#[test]
fn registering_the_same_instance_twice_is_a_no_op() {
    let counter = CounterX::new_unregistered();
    let mut registry = Registry::new();
    registry.register_group(&counter).unwrap();
    registry.register_group(&counter).unwrap();
    assert_eq!(registry.len(), 1);
    counter.x_total.inc();
    assert_eq!(
        encode_registry(FORMAT, &registry),
        "# HELP metrics_d1_x_total Things counted.\n# TYPE metrics_d1_x_total counter\nmetrics_d1_x_total 1\n"
    );
}

// A counter declared without `_total` (`w`) writes OpenMetrics samples named
// `w_total`, so a gauge `w_total` collides with it and is refused.
#[test]
fn d1_counter_without_total_and_gauge_named_like_its_samples() {
    let (counter, gauge) = (Counter::new(), Gauge::new());
    let mut registry = Registry::new();
    registry.register(&W, &counter).unwrap();
    let result = registry.register(&W_TOTAL, &gauge);
    let om = encode_registry(Format::OpenMetrics, &registry);
    let duplicated = om.lines().filter(|l| l.starts_with("metrics_d1_w_total ")).count();
    assert!(
        result.is_err(),
        "a counter `w` and a gauge `w_total` were both registered; OpenMetrics output has {duplicated} samples named `metrics_d1_w_total`:\n{om}"
    );
}

#[test]
fn global_registry_refuses_collisions() {
    // This binary declares the colliding derived groups above (every
    // `#[derive(Metrics)]` struct is registered globally at link time; the
    // hand-built groups are not).
    let Err(error) = metricate::global() else { panic!("the global registry of this binary has collisions") };
    let text = error.to_string();
    assert!(text.contains("`metrics_d1_x` is exposed twice"), "{text}");
    assert!(text.contains(&source(X_TOTAL_LINE, 5)), "{text}");
    assert!(text.contains(&source(X_LINE, 5)), "{text}");
}
