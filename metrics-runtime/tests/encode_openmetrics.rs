//! The OpenMetrics 1.0 text encoder against exact expected text; content
//! negotiation; and the rejects of invalid samples, as counted in the global
//! registry's `metrics_export_invalid_samples_total{reason}`.
//!
//! The encoder tests encode `new_unregistered()` instances through a local
//! `Registry`. The global registry of this binary must build (every metric
//! declared here has a name of its own), because the reject tests read it.

mod common;

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use common::{
    ByMethod, encode_group, encode_registry, is_valid_number, populated_counters, populated_escaping, populated_floats,
    populated_gauges, populated_histograms, populated_naming, populated_negative_buckets, populated_nohelp,
    populated_options, populated_order, populated_units, sample_values,
};
use metricate::encode::{self, Format, OpenMetrics};
use metricate::{Family, FloatCounter, Histogram, MetricGroup, Metrics, OwnedValue, Registry};

const FORMAT: Format = Format::OpenMetrics;

/// Checks the structure of an OpenMetrics exposition: each family starts
/// with `# TYPE`, then at most one `# UNIT` (only for a family named
/// `..._<unit>`), then at most one `# HELP`, then its samples, whose names are
/// the family name plus a suffix allowed for its type; no family or sample
/// (name and labels) appears twice; every value is a valid number; the text
/// ends with `# EOF\n` and has nothing after it.
fn check_structure(text: &str) {
    assert!(text.ends_with("# EOF\n"), "no final `# EOF`:\n{text}");
    let body = &text[..text.len() - "# EOF\n".len()];
    assert!(!body.contains("# EOF"), "`# EOF` before the end:\n{text}");
    let mut families = HashSet::new();
    let mut samples = HashSet::new();
    let mut family: Option<(&str, &str)> = None;
    // 0: expecting UNIT, HELP or samples; 1: expecting HELP or samples; 2: samples only.
    let mut stage = 0;
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("`# TYPE name kind`");
            assert!(matches!(kind, "counter" | "gauge" | "histogram"), "{line}");
            assert!(families.insert(name), "family `{name}` twice:\n{text}");
            family = Some((name, kind));
            stage = 0;
            continue;
        }
        let (name, kind) = family.unwrap_or_else(|| panic!("`{line}` before any `# TYPE`"));
        if let Some(rest) = line.strip_prefix("# UNIT ") {
            assert_eq!(stage, 0, "`{line}` out of order");
            let (unit_family, unit) = rest.split_once(' ').expect("`# UNIT name unit`");
            assert_eq!(unit_family, name);
            assert!(name.ends_with(&format!("_{unit}")), "{line}: the family name must end with the unit");
            stage = 1;
        } else if let Some(rest) = line.strip_prefix("# HELP ") {
            assert!(stage <= 1, "`{line}` out of order");
            let help_family = rest.split_once(' ').map_or(rest, |(f, _)| f);
            assert_eq!(help_family, name);
            stage = 2;
        } else {
            assert!(!line.starts_with('#'), "unexpected `{line}`");
            stage = 2;
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            assert!(is_valid_number(value), "`{value}` in `{line}`");
            let sample_name = series.split_once('{').map_or(series, |(n, _)| n);
            let suffix = sample_name.strip_prefix(name).unwrap_or_else(|| panic!("`{line}` outside family `{name}`"));
            let allowed: &[&str] = match kind {
                "counter" => &["_total"],
                "gauge" => &[""],
                _ => &["_bucket", "_count", "_sum"],
            };
            assert!(allowed.contains(&suffix), "`{line}`: suffix `{suffix}` on a {kind}");
            assert!(samples.insert(series), "sample `{series}` twice:\n{text}");
        }
    }
}

/// Encodes a group and checks the structure of the output.
fn encode_checked(group: &dyn MetricGroup) -> String {
    let text = encode_group(FORMAT, group);
    check_structure(&text);
    text
}

#[test]
fn content_type() {
    assert_eq!(FORMAT.content_type(), "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assert_eq!(encode::Encoder::content_type(&OpenMetrics::new()), FORMAT.content_type());
}

#[test]
fn counters_unlabeled_labeled_and_float() {
    // Counter families are named without `_total`, their samples with it; a
    // family named `..._seconds` gets `# UNIT`.
    assert_eq!(
        encode_checked(&populated_counters()),
        r#"# TYPE metrics_counters_busy_seconds counter
# UNIT metrics_counters_busy_seconds seconds
# HELP metrics_counters_busy_seconds Time spent working.
metrics_counters_busy_seconds_total 1.75
# TYPE metrics_counters_jobs counter
# HELP metrics_counters_jobs Jobs finished.
metrics_counters_jobs_total 42
# TYPE metrics_counters_requests counter
# HELP metrics_counters_requests Requests served.
metrics_counters_requests_total{method="get",code="2xx"} 7
metrics_counters_requests_total{method="get",code="5xx"} 0
metrics_counters_requests_total{method="post",code="2xx"} 3
metrics_counters_requests_total{method="post",code="5xx"} 1
# EOF
"#
    );
}

#[test]
fn counter_declared_without_total_gets_total_on_its_samples() {
    assert_eq!(
        encode_checked(&populated_naming()),
        r"# TYPE metrics_naming_cpu_seconds counter
# UNIT metrics_naming_cpu_seconds seconds
# HELP metrics_naming_cpu_seconds CPU time used.
metrics_naming_cpu_seconds_total 0.5
# TYPE metrics_naming_events counter
# HELP metrics_naming_events Events seen.
metrics_naming_events_total 3
# EOF
"
    );
}

#[test]
fn gauges_float_and_negative_integers() {
    assert_eq!(
        encode_checked(&populated_gauges()),
        r"# TYPE metrics_gauges_balance_min gauge
# HELP metrics_gauges_balance_min The most negative balance.
metrics_gauges_balance_min -9223372036854775808
# TYPE metrics_gauges_queue_depth gauge
# HELP metrics_gauges_queue_depth Items queued, after a burst of cancellations.
metrics_gauges_queue_depth -6
# TYPE metrics_gauges_temperature_celsius gauge
# UNIT metrics_gauges_temperature_celsius celsius
# HELP metrics_gauges_temperature_celsius Temperature of the room.
metrics_gauges_temperature_celsius 21.25
# EOF
"
    );
}

#[test]
fn histograms_default_and_custom_buckets() {
    // Same observations as in the Prometheus test; `_count` comes before
    // `_sum`.
    assert_eq!(
        encode_checked(&populated_histograms()),
        r#"# TYPE metrics_histograms_batch_size histogram
# HELP metrics_histograms_batch_size Batch sizes, bounds written as integer literals; never observed.
metrics_histograms_batch_size_bucket{le="1.0"} 0
metrics_histograms_batch_size_bucket{le="5.0"} 0
metrics_histograms_batch_size_bucket{le="+Inf"} 0
metrics_histograms_batch_size_count 0
metrics_histograms_batch_size_sum 0.0
# TYPE metrics_histograms_latency_seconds histogram
# UNIT metrics_histograms_latency_seconds seconds
# HELP metrics_histograms_latency_seconds Request latency.
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
metrics_histograms_latency_seconds_count 6
metrics_histograms_latency_seconds_sum 20.810000000000002
# TYPE metrics_histograms_payload_bytes histogram
# UNIT metrics_histograms_payload_bytes bytes
# HELP metrics_histograms_payload_bytes Payload sizes.
metrics_histograms_payload_bytes_bucket{method="get",le="1.0"} 2
metrics_histograms_payload_bytes_bucket{method="get",le="2.5"} 4
metrics_histograms_payload_bytes_bucket{method="get",le="10.0"} 5
metrics_histograms_payload_bytes_bucket{method="get",le="+Inf"} 6
metrics_histograms_payload_bytes_count{method="get"} 6
metrics_histograms_payload_bytes_sum{method="get"} 109.0
metrics_histograms_payload_bytes_bucket{method="post",le="1.0"} 0
metrics_histograms_payload_bytes_bucket{method="post",le="2.5"} 0
metrics_histograms_payload_bytes_bucket{method="post",le="10.0"} 1
metrics_histograms_payload_bytes_bucket{method="post",le="+Inf"} 1
metrics_histograms_payload_bytes_count{method="post"} 1
metrics_histograms_payload_bytes_sum{method="post"} 10.0
# EOF
"#
    );
}

// OpenMetrics 1.0 ("Histogram"): "Negative threshold buckets MAY be used,
// but then the Histogram MetricPoint MUST NOT contain a sum value". A
// histogram whose first bound is negative is written without `_sum`, and
// without `_count`, which the reference parser accepts only with a `_sum`
// (the `+Inf` bucket holds the count).
#[test]
fn histogram_with_negative_bounds_has_no_sum() {
    assert_eq!(
        encode_group(FORMAT, &populated_negative_buckets()),
        r#"# TYPE metrics_negative_drift histogram
# HELP metrics_negative_drift Temperature deltas, around zero.
metrics_negative_drift_bucket{le="-1.0"} 1
metrics_negative_drift_bucket{le="0.0"} 3
metrics_negative_drift_bucket{le="1e-7"} 4
metrics_negative_drift_bucket{le="1e21"} 5
metrics_negative_drift_bucket{le="+Inf"} 5
# EOF
"#
    );
}

/// A histogram that met both infinities.
#[derive(Metrics)]
#[metrics(subsystem = "infinite")]
struct Infinite {
    /// Waits, some forever, some less than never.
    #[metric(buckets = [1.0])]
    wait_seconds: Histogram,
}

// Observing +Inf and -Inf makes the sum NaN, which OpenMetrics cannot carry
// ("sums and totals not NaN"): the point is written without `_sum` and
// `_count`, as for negative bounds; the buckets still hold every observation.
#[test]
fn histogram_with_a_nan_sum_has_no_sum() {
    let infinite = Infinite::new_unregistered();
    infinite.wait_seconds.observe(f64::INFINITY);
    infinite.wait_seconds.observe(f64::NEG_INFINITY);
    let text = encode_checked(&infinite);
    assert_eq!(
        text,
        r#"# TYPE metrics_infinite_wait_seconds histogram
# UNIT metrics_infinite_wait_seconds seconds
# HELP metrics_infinite_wait_seconds Waits, some forever, some less than never.
metrics_infinite_wait_seconds_bucket{le="1.0"} 1
metrics_infinite_wait_seconds_bucket{le="+Inf"} 2
# EOF
"#
    );
    metricate_catalog::exposition::parse(&text, metricate_catalog::exposition::Format::OpenMetrics)
        .expect("a strict parser accepts it");
}

// A negative observation under non-negative bounds makes a negative sum,
// which OpenMetrics does not allow either (a sum is a counter; the official
// parser suite's `bad_counter_values`): written without `_sum` and `_count`,
// while a positive sum later brings them back.
#[test]
fn histogram_with_a_negative_sum_has_no_sum() {
    let infinite = Infinite::new_unregistered();
    infinite.wait_seconds.observe(-3.0);
    let text = encode_checked(&infinite);
    assert!(!text.contains("_sum") && !text.contains("_count"), "{text}");
    assert!(text.contains("metrics_infinite_wait_seconds_bucket{le=\"+Inf\"} 1\n"), "{text}");
    metricate_catalog::exposition::parse(&text, metricate_catalog::exposition::Format::OpenMetrics)
        .expect("a strict parser accepts it");
    infinite.wait_seconds.observe(5.0);
    assert!(encode_checked(&infinite).contains("metrics_infinite_wait_seconds_sum 2.0\n"));
}

#[test]
fn escaping_of_label_values_and_help() {
    // HELP escapes `\`, line feed and `"`; label values the same three.
    assert_eq!(
        encode_checked(&populated_escaping()),
        r#"# TYPE metrics_escaping_odd counter
# HELP metrics_escaping_odd line1\nline2 \"q\" \\ back
metrics_escaping_odd_total{value="say \"hi\""} 1
metrics_escaping_odd_total{value="C:\\dir\\"} 2
metrics_escaping_odd_total{value="two\nlines"} 3
metrics_escaping_odd_total{value="zürich ☃ 東京"} 4
# TYPE metrics_escaping_unicode gauge
# HELP metrics_escaping_unicode Non-ASCII help: zürich ☃ 東京.
metrics_escaping_unicode 1.0
# EOF
"#
    );
}

#[test]
fn special_and_extreme_floats() {
    let text = encode_checked(&populated_floats());
    assert_eq!(
        text,
        r"# TYPE metrics_floats_big_whole gauge
# HELP metrics_floats_big_whole The largest integer below the switch to exponent notation.
metrics_floats_big_whole 1000000000000000.0
# TYPE metrics_floats_large gauge
# HELP metrics_floats_large A large value.
metrics_floats_large 1e21
# TYPE metrics_floats_nan gauge
# HELP metrics_floats_nan Not a number.
metrics_floats_nan NaN
# TYPE metrics_floats_neg_inf gauge
# HELP metrics_floats_neg_inf Negative infinity.
metrics_floats_neg_inf -Inf
# TYPE metrics_floats_neg_large gauge
# HELP metrics_floats_neg_large A large negative value.
metrics_floats_neg_large -1.5e300
# TYPE metrics_floats_neg_zero gauge
# HELP metrics_floats_neg_zero Negative zero.
metrics_floats_neg_zero -0.0
# TYPE metrics_floats_pos_inf gauge
# HELP metrics_floats_pos_inf Positive infinity.
metrics_floats_pos_inf +Inf
# TYPE metrics_floats_small gauge
# HELP metrics_floats_small A small value.
metrics_floats_small 1e-7
# TYPE metrics_floats_tiny gauge
# HELP metrics_floats_tiny The smallest subnormal.
metrics_floats_tiny 5e-324
# TYPE metrics_floats_whole gauge
# HELP metrics_floats_whole An integral value.
metrics_floats_whole 42.0
# EOF
"
    );
    for value in sample_values(&text) {
        assert!(is_valid_number(value), "`{value}`");
        if !matches!(value, "NaN" | "+Inf" | "-Inf") {
            value.parse::<f64>().expect("a finite spelling parses");
        }
    }
}

#[test]
fn option_labels_render_unknown_for_none() {
    assert_eq!(
        encode_checked(&populated_options()),
        r#"# TYPE metrics_options_lookups counter
# HELP metrics_options_lookups Cache lookups.
metrics_options_lookups_total{method="get",outcome="hit"} 5
metrics_options_lookups_total{method="get",outcome="miss"} 0
metrics_options_lookups_total{method="get",outcome="unknown"} 2
metrics_options_lookups_total{method="post",outcome="hit"} 0
metrics_options_lookups_total{method="post",outcome="miss"} 1
metrics_options_lookups_total{method="post",outcome="unknown"} 9
# EOF
"#
    );
}

#[test]
fn empty_help_has_no_help_line() {
    assert_eq!(
        encode_checked(&populated_nohelp()),
        r"# TYPE metrics_nohelp_blank counter
metrics_nohelp_blank_total 1
# TYPE metrics_nohelp_undocumented gauge
metrics_nohelp_undocumented -1
# EOF
"
    );
}

#[test]
fn unit_only_where_the_family_name_ends_with_it() {
    // `uptime` and `nanoseconds` declare `unit = "seconds"`, but their names
    // do not end with `_seconds`: no `# UNIT` line.
    assert_eq!(
        encode_checked(&populated_units()),
        r"# TYPE metrics_units_load_ratio gauge
# UNIT metrics_units_load_ratio ratio
# HELP metrics_units_load_ratio Load, as a fraction.
metrics_units_load_ratio 0.75
# TYPE metrics_units_memory_bytes gauge
# UNIT metrics_units_memory_bytes bytes
# HELP metrics_units_memory_bytes Memory in use.
metrics_units_memory_bytes 4096.0
# TYPE metrics_units_nanoseconds gauge
# HELP metrics_units_nanoseconds A name that ends with the unit's letters but not with `_seconds`.
metrics_units_nanoseconds 3.0
# TYPE metrics_units_sent_bytes counter
# UNIT metrics_units_sent_bytes bytes
# HELP metrics_units_sent_bytes Bytes sent.
metrics_units_sent_bytes_total 1024
# TYPE metrics_units_uptime gauge
# HELP metrics_units_uptime Seconds since start, with the unit given but not in the name.
metrics_units_uptime 12.5
# EOF
"
    );
}

#[test]
fn empty_registry_and_empty_snapshot_are_just_eof() {
    let registry = Registry::new();
    assert_eq!(encode_registry(FORMAT, &registry), "# EOF\n");

    let counters = populated_counters();
    let mut registry = Registry::new();
    registry.register_group(&counters).unwrap();
    let snapshot = registry.snapshot(|d| d.name == "no_such_metric");
    assert!(snapshot.families().is_empty());
    let mut out = Vec::new();
    FORMAT.encode(&snapshot, &mut out);
    assert_eq!(out, b"# EOF\n");
}

#[test]
fn families_are_sorted_by_name_regardless_of_field_order() {
    assert_eq!(
        encode_checked(&populated_order()),
        r"# TYPE metrics_order_alpha counter
# HELP metrics_order_alpha First by name.
metrics_order_alpha_total 1
# TYPE metrics_order_mia gauge
# HELP metrics_order_mia Sorts just before `mid`.
metrics_order_mia 12
# TYPE metrics_order_mid gauge
# HELP metrics_order_mid In the middle.
metrics_order_mid 13
# TYPE metrics_order_zeta gauge
# HELP metrics_order_zeta Last by name.
metrics_order_zeta 26.0
# EOF
"
    );
}

#[test]
fn encoding_is_deterministic_and_snapshots_encode_like_the_registry() {
    let (counters, gauges, histograms, escaping, floats, units) = (
        populated_counters(),
        populated_gauges(),
        populated_histograms(),
        populated_escaping(),
        populated_floats(),
        populated_units(),
    );
    let groups: [&dyn MetricGroup; 6] = [&counters, &gauges, &histograms, &escaping, &floats, &units];
    let mut registry = Registry::new();
    let mut reversed = Registry::new();
    for group in groups {
        registry.register_group(group).unwrap();
    }
    for group in groups.into_iter().rev() {
        reversed.register_group(group).unwrap();
    }
    let first = encode_registry(FORMAT, &registry);
    check_structure(&first);
    assert_eq!(first, encode_registry(FORMAT, &registry));
    assert_eq!(first, encode_registry(FORMAT, &reversed));
    let snapshot = registry.snapshot(|_| true);
    let mut out = Vec::new();
    FORMAT.encode(&snapshot, &mut out);
    assert_eq!(String::from_utf8(out).unwrap(), first);
    // Exactly one `# EOF`, however many groups.
    assert_eq!(first.matches("# EOF").count(), 1);

    // A reused encoder and buffer: each exposition ends with its own `# EOF`.
    let mut encoder = OpenMetrics::new();
    let mut buffer = Vec::new();
    encode::encode(&registry, &mut encoder, &mut buffer);
    encode::encode(&registry, &mut encoder, &mut buffer);
    assert_eq!(String::from_utf8(buffer).unwrap(), format!("{first}{first}"));
}

// ---------------------------------------------------------------------------
// Content negotiation.
// ---------------------------------------------------------------------------

#[test]
fn negotiate_missing_or_plain_headers_give_prometheus_text() {
    assert_eq!(Format::negotiate(None), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("*/*")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("text/*")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("text/plain")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("text/plain;version=0.0.4")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("application/json")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("garbage;;;,,=")), Format::Prometheus);
}

#[test]
fn negotiate_openmetrics() {
    assert_eq!(Format::negotiate(Some("application/openmetrics-text")), Format::OpenMetrics);
    assert_eq!(Format::negotiate(Some("application/openmetrics-text; version=1.0.0")), Format::OpenMetrics);
    assert_eq!(
        Format::negotiate(Some("application/openmetrics-text; version=\"1.0.0\"; charset=utf-8")),
        Format::OpenMetrics
    );
    // Media types and parameter names are case-insensitive.
    assert_eq!(Format::negotiate(Some("Application/OpenMetrics-Text; Version=1.0.0")), Format::OpenMetrics);
    // What Prometheus 2.x sends.
    assert_eq!(
        Format::negotiate(Some(
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        )),
        Format::OpenMetrics
    );
    // What Prometheus 3.x sends.
    assert_eq!(
        Format::negotiate(Some(
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
        )),
        Format::OpenMetrics
    );
}

#[test]
fn negotiate_q_values() {
    // Text ranked higher wins.
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0.2, text/plain")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("text/plain;q=0.9, application/openmetrics-text;q=0.8")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0.5, */*;q=0.6")), Format::Prometheus);
    // OpenMetrics ranked higher, or equal, wins.
    assert_eq!(Format::negotiate(Some("text/plain;q=0.3, application/openmetrics-text;q=0.8")), Format::OpenMetrics);
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0.5,text/plain;q=0.5")), Format::OpenMetrics);
    assert_eq!(Format::negotiate(Some("*/*, application/openmetrics-text")), Format::OpenMetrics);
    // q=0 means "not acceptable".
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0.0, text/plain;q=0")), Format::Prometheus);
    // An invalid or out-of-range q counts as 0.
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=abc")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=1.5")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=-1")), Format::Prometheus);
    // The highest q of repeated ranges counts.
    assert_eq!(
        Format::negotiate(Some(
            "application/openmetrics-text;q=0.1, text/plain;q=0.5, application/openmetrics-text;q=0.9"
        )),
        Format::OpenMetrics
    );
}

#[test]
fn negotiate_unsupported_openmetrics_version() {
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;version=0.0.1")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("application/openmetrics-text; version=2.0.0")), Format::Prometheus);
    assert_eq!(Format::negotiate(Some("application/openmetrics-text;version=0.0.1, */*;q=0.1")), Format::Prometheus);
    // An unsupported version ranked high does not beat a supported one ranked
    // lower.
    assert_eq!(
        Format::negotiate(Some(
            "application/openmetrics-text;version=2.0.0,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;q=0.4"
        )),
        Format::OpenMetrics
    );
    // Nor does an unsupported text version count as text.
    assert_eq!(
        Format::negotiate(Some("text/plain;version=1.0.0,application/openmetrics-text;version=1.0.0;q=0.5")),
        Format::OpenMetrics
    );
}

// ---------------------------------------------------------------------------
// Rejected samples, counted in the global registry.
// ---------------------------------------------------------------------------

/// Serialises the tests of this binary that record rejected samples, so
/// that each sees only its own rejects in the (process-wide) counts.
static REJECTS: Mutex<()> = Mutex::new(());

const INVALID: &str = "metrics_export_invalid_samples_total";

/// A float counter and histograms, for rejects.
#[derive(Metrics)]
#[metrics(subsystem = "rejects")]
struct Rejects {
    /// Work done.
    work_seconds_total: FloatCounter,
    /// Sizes.
    #[metric(buckets = [1.0])]
    size_bytes: Histogram,
    /// Sizes by method.
    #[metric(buckets = [1.0])]
    method_size_bytes: Family<ByMethod, Histogram>,
}

/// The global counts of rejected samples: `[negative, nan, infinite]`.
fn rejected() -> [u64; 3] {
    let registry = metricate::global().expect("the global registry of this binary builds");
    let snapshot = registry.snapshot(|d| d.name == INVALID);
    let family = snapshot.family(INVALID).expect("the runtime's own family is in the global registry");
    ["negative", "nan", "infinite"].map(|reason| {
        match family.find(&[("reason", reason)]).unwrap_or_else(|| panic!("no series for reason `{reason}`")).value() {
            OwnedValue::Unsigned(n) => *n,
            other => panic!("{other:?}"),
        }
    })
}

fn delta(before: [u64; 3], after: [u64; 3]) -> [u64; 3] {
    [after[0] - before[0], after[1] - before[1], after[2] - before[2]]
}

#[test]
fn float_counter_rejects_negative_nan_and_infinite_increments() {
    let _serial = REJECTS.lock().unwrap_or_else(PoisonError::into_inner);
    let m = Rejects::new_unregistered();
    m.work_seconds_total.inc_by(1.5);

    let before = rejected();
    m.work_seconds_total.inc_by(-1.0);
    assert_eq!(delta(before, rejected()), [1, 0, 0]);
    assert_eq!(m.work_seconds_total.get(), 1.5);

    let before = rejected();
    m.work_seconds_total.inc_by(f64::NAN);
    assert_eq!(delta(before, rejected()), [0, 1, 0]);
    assert_eq!(m.work_seconds_total.get(), 1.5);

    let before = rejected();
    m.work_seconds_total.inc_by(f64::INFINITY);
    assert_eq!(delta(before, rejected()), [0, 0, 1]);
    assert_eq!(m.work_seconds_total.get(), 1.5);

    // -Inf is both negative and infinite: counted once, under one of them.
    let before = rejected();
    m.work_seconds_total.inc_by(f64::NEG_INFINITY);
    let [negative, nan, infinite] = delta(before, rejected());
    assert_eq!((negative + infinite, nan), (1, 0));
    assert_eq!(m.work_seconds_total.get(), 1.5);

    // Valid increments, including zero and the smallest subnormal, are not
    // rejects.
    let before = rejected();
    m.work_seconds_total.inc_by(0.0);
    m.work_seconds_total.inc_by(-0.0);
    m.work_seconds_total.inc_by(0.25);
    assert_eq!(delta(before, rejected()), [0, 0, 0]);
    assert_eq!(m.work_seconds_total.get(), 1.75);

    let mut registry = Registry::new();
    registry.register_group(&m).unwrap();
    let text = encode_registry(FORMAT, &registry);
    check_structure(&text);
    assert!(text.contains("\nmetrics_rejects_work_seconds_total 1.75\n"), "{text}");
}

#[test]
fn histogram_rejects_nan_observations() {
    let _serial = REJECTS.lock().unwrap_or_else(PoisonError::into_inner);
    let m = Rejects::new_unregistered();
    m.size_bytes.observe(0.5);
    let series = m.method_size_bytes.with(ByMethod { method: common::Method::Post });
    series.observe(2.0);

    let before = rejected();
    m.size_bytes.observe(f64::NAN);
    series.observe(f64::NAN);
    series.observe(-f64::NAN);
    assert_eq!(delta(before, rejected()), [0, 3, 0]);

    let mut registry = Registry::new();
    registry.register_group(&m).unwrap();
    let snapshot = registry.snapshot(|_| true);
    let size = snapshot.family("metrics_rejects_size_bytes").unwrap();
    assert_eq!(size.series()[0].value(), &OwnedValue::Histogram { buckets: vec![1, 0], sum: 0.5, count: 1 });
    let by_method = snapshot.family("metrics_rejects_method_size_bytes").unwrap();
    assert_eq!(
        by_method.find(&[("method", "post")]).unwrap().value(),
        &OwnedValue::Histogram { buckets: vec![0, 1], sum: 2.0, count: 1 }
    );
    assert_eq!(
        by_method.find(&[("method", "get")]).unwrap().value(),
        &OwnedValue::Histogram { buckets: vec![0, 0], sum: 0.0, count: 0 }
    );
}

#[test]
fn rejects_are_exposed_by_the_global_registry() {
    let _serial = REJECTS.lock().unwrap_or_else(PoisonError::into_inner);
    let m = Rejects::new_unregistered();
    m.work_seconds_total.inc_by(-2.0);
    m.work_seconds_total.inc_by(f64::INFINITY);
    m.size_bytes.observe(f64::NAN);

    let registry = metricate::global().expect("the global registry of this binary builds");
    let snapshot = registry.snapshot(|d| d.name == INVALID);
    let [negative, nan, infinite] = rejected();
    assert!(negative >= 1 && nan >= 1 && infinite >= 1);
    let mut out = Vec::new();
    FORMAT.encode(&snapshot, &mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!(
            r#"# TYPE metrics_export_invalid_samples counter
# HELP metrics_export_invalid_samples Samples the record path rejected and dropped: negative, NaN or infinite float counter increments, NaN observations, invalid readings of callback metrics, and exemplars whose labels break the rules.
metrics_export_invalid_samples_total{{reason="negative"}} {negative}
metrics_export_invalid_samples_total{{reason="nan"}} {nan}
metrics_export_invalid_samples_total{{reason="infinite"}} {infinite}
metrics_export_invalid_samples_total{{reason="exemplar"}} 0
# EOF
"#
        )
    );
}

#[test]
fn global_registry_builds_and_encodes() {
    let registry = metricate::global().expect("no collisions among this binary's metrics");
    // The runtime's own metric, the shared groups' and this file's.
    for name in
        [INVALID, "metrics_counters_requests_total", "metrics_histograms_latency_seconds", "metrics_rejects_size_bytes"]
    {
        assert!(registry.get(name).is_some(), "`{name}` is not in the global registry");
    }
    let names: Vec<&str> = registry.iter().map(|e| e.descriptor.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    // A snapshot in the middle of other tests recording: structure only.
    let text = encode_registry(FORMAT, registry);
    check_structure(&text);
    assert_eq!(text.matches("# TYPE ").count(), registry.len());
}
