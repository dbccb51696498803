//! Summaries: the error bound of the reported quantiles against the exact
//! nearest-rank quantiles, the edges of the bucket range, `_sum` and
//! `_count`, the sliding window, families, both text formats (parsed back
//! with the catalogue's strict exposition parser), snapshots and the JSON
//! catalogue.
//!
//! Every test encodes `new_unregistered()` instances through a local
//! `Registry`; only the NaN test reads the global registry (the runtime's
//! `metrics_export_invalid_samples_total`), which must therefore build.

use std::thread;
use std::time::{Duration, Instant};

use metricate::encode::Format;
use metricate::summary::RELATIVE_ERROR;
use metricate::{Family, LabelSet, LabelValue, MetricGroup, MetricKind, Metrics, OwnedValue, Registry, Summary};
use metricate_catalog::exposition::{self, Exposition};
use metricate_catalog::json::Catalog;

// ---------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------

/// xorshift64: deterministic data sets without a dependency.
struct XorShift(u64);

impl XorShift {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// The exact nearest-rank quantile `q` of sorted values: the observation of
/// rank `⌈q·n⌉`.
fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted[rank - 1]
}

/// Whether `estimate` is within the documented bound of `exact`.
fn within_bound(estimate: f64, exact: f64) -> bool {
    if exact.is_infinite() {
        return estimate == exact;
    }
    (estimate - exact).abs() <= exact.abs() * RELATIVE_ERROR
}

/// Registers a group in a registry of its own.
fn registry_of(group: &dyn MetricGroup) -> Registry<'_> {
    let mut registry = Registry::new();
    registry.register_group(group).expect("the group registers");
    registry
}

fn encode(format: Format, registry: &Registry<'_>) -> String {
    let mut out = Vec::new();
    format.encode(registry, &mut out);
    String::from_utf8(out).expect("the exposition is UTF-8")
}

/// Encodes and parses back with the strict parser of the format.
fn encode_parsed(format: Format, registry: &Registry<'_>) -> (String, Exposition) {
    let text = encode(format, registry);
    let parsed_format = match format {
        Format::Prometheus => exposition::Format::Prometheus,
        Format::OpenMetrics => exposition::Format::OpenMetrics,
    };
    let parsed = exposition::parse(&text, parsed_format).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    (text, parsed)
}

/// The parsed value of the sample `name` whose labels include `labels`.
fn sample(parsed: &Exposition, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    parsed
        .families
        .iter()
        .flat_map(|f| &f.samples)
        .find(|s| s.name == name && labels.iter().all(|(n, v)| s.label(n) == Some(*v)))
        .map(|s| s.value)
}

/// The summary value of the one series of metric `name`, read through a
/// snapshot: `(quantiles, values, sum, count)`.
fn summary_of(registry: &Registry<'_>, name: &str) -> (Vec<f64>, Vec<f64>, f64, u64) {
    let snapshot = registry.snapshot(|d| d.name == name);
    let family = snapshot.family(name).unwrap_or_else(|| panic!("no family `{name}`"));
    assert_eq!(family.series().len(), 1, "{family:?}");
    match family.series()[0].value() {
        OwnedValue::Summary { quantiles, values, sum, count } => (quantiles.clone(), values.clone(), *sum, *count),
        other => panic!("`{name}` is not a summary: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// The error bound.
// ---------------------------------------------------------------------------

/// Many quantiles, to check the bound across the whole distribution.
#[derive(Metrics)]
#[metrics(subsystem = "summary_bound")]
struct Bound {
    /// Values of one data set.
    #[metric(quantiles = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999])]
    values: Summary,
}

const BOUND_NAME: &str = "metrics_summary_bound_values";

/// Records `values` into a fresh summary and checks every declared quantile
/// against the exact nearest-rank quantile.
fn check_bound(what: &str, values: &[f64]) {
    let m = Bound::new_unregistered();
    for v in values {
        m.values.observe(*v);
    }
    let registry = registry_of(&m);
    let (quantiles, estimates, _, count) = summary_of(&registry, BOUND_NAME);
    assert_eq!(count, values.len() as u64, "{what}");
    assert_eq!(quantiles, m.values.quantiles(), "{what}");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    for (q, estimate) in quantiles.iter().zip(&estimates) {
        let exact = nearest_rank(&sorted, *q);
        assert!(
            within_bound(*estimate, exact),
            "{what} (n = {}): quantile {q} reported {estimate}, exact {exact} (relative error {})",
            values.len(),
            ((estimate - exact) / exact).abs(),
        );
    }
    assert!(estimates.windows(2).all(|w| w[0] <= w[1]), "{what}: quantiles decrease: {estimates:?}");
    // `quantile()` reads the same window (no step boundary of the default
    // two minutes in between: the process is seconds old).
    for (q, estimate) in quantiles.iter().zip(&estimates) {
        assert_eq!(m.values.quantile(*q).map(f64::to_bits), Some(estimate.to_bits()), "{what}: quantile {q}");
    }
}

#[test]
fn quantiles_are_within_the_relative_error_of_the_exact_ones() {
    const N: usize = 10_000;
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);

    // Uniform over nine decades.
    let uniform: Vec<f64> = (0..N).map(|_| rng.range(1e-6, 1e3)).collect();
    check_bound("uniform 1e-6..1e3", &uniform);
    // Few observations: the rank is clamped to 1..=n.
    for n in [1, 2, 3, 7, 10, 101] {
        check_bound("uniform, few", &uniform[..n]);
    }

    // Log-normal-ish: exp of a sum of uniforms.
    let lognormal: Vec<f64> =
        (0..N).map(|_| ((rng.unit() + rng.unit() + rng.unit() + rng.unit() - 2.0) * 4.0).exp()).collect();
    check_bound("log-normal-ish", &lognormal);

    // A few repeated values, zero included (reported exactly as 0).
    let choices = [0.0, 0.001, 0.25, 1.0, 3.0, 7.5, 1e6];
    let repeated: Vec<f64> = (0..N).map(|_| choices[rng.below(choices.len() as u64) as usize]).collect();
    check_bound("repeated values", &repeated);
    check_bound("one value repeated", &[42.0; 1000]);

    // The whole bucket range, 2^-30 up to just below 2^34, and its ends.
    let mut spanning: Vec<f64> = (0..N)
        .map(|_| {
            let exponent = -30 + rng.below(64) as i32;
            (1.0 + rng.unit()) * 2f64.powi(exponent)
        })
        .collect();
    spanning.extend([2f64.powi(-30); 50]);
    spanning.extend([2f64.powi(34).next_down(); 50]);
    assert!(spanning.iter().all(|v| (2f64.powi(-30)..2f64.powi(34)).contains(v)));
    check_bound("2^-30..2^34", &spanning);

    // Both signs, magnitudes e^-20 (2.1e-9) to e^20 (4.9e8).
    let mixed: Vec<f64> = (0..N)
        .map(|_| {
            let magnitude = rng.range(-20.0, 20.0).exp();
            if rng.below(3) == 0 { magnitude } else { -magnitude }
        })
        .collect();
    check_bound("mixed signs", &mixed);
    let negative: Vec<f64> = uniform.iter().map(|v| -v).collect();
    check_bound("negative uniform", &negative);
}

#[test]
fn magnitudes_outside_the_buckets_and_an_empty_window() {
    let quantiles = Bound::new_unregistered().values.quantiles();

    // Nothing observed: NaN for every declared quantile, None for others.
    let empty = Bound::new_unregistered();
    for q in quantiles {
        assert!(empty.values.quantile(*q).unwrap().is_nan(), "quantile {q} of nothing");
    }
    assert_eq!(empty.values.quantile(0.3), None, "0.3 is not declared");
    assert_eq!((empty.values.count(), empty.values.sum()), (0, 0.0));

    let reported = |values: &[f64]| -> Vec<f64> {
        let m = Bound::new_unregistered();
        for v in values {
            m.values.observe(*v);
        }
        assert_eq!(m.values.count(), values.len() as u64);
        quantiles.iter().map(|q| m.values.quantile(*q).unwrap()).collect()
    };

    // Nearer to zero than 2^-30: reported as 0.
    let below = 2f64.powi(-30).next_down();
    let tiny = [0.0, -0.0, 5e-324, -5e-324, f64::MIN_POSITIVE, 1e-12, -1e-12, below, -below];
    for v in reported(&tiny) {
        assert_eq!(v, 0.0, "{tiny:?}");
    }
    // From 2^34 up: +infinity; down from -2^34: -infinity.
    let huge = [2f64.powi(34), 1e11, f64::MAX, f64::INFINITY];
    assert!(reported(&huge).iter().all(|v| *v == f64::INFINITY), "{:?}", reported(&huge));
    let negative_huge: Vec<f64> = huge.iter().map(|v| -v).collect();
    assert!(reported(&negative_huge).iter().all(|v| *v == f64::NEG_INFINITY), "{:?}", reported(&negative_huge));

    // The ends of the range are inside it.
    for v in [2f64.powi(-30), 2f64.powi(34).next_down(), -(2f64.powi(-30)), -(2f64.powi(34).next_down())] {
        for got in reported(&[v]) {
            assert!(got.is_finite() && within_bound(got, v), "{v} reported as {got}");
        }
    }

    // A mix: the ranks stay exact, so the low quantiles are 0 and the high
    // ones infinite, the middle one within the bound.
    let mut mix = vec![1e-12; 100];
    mix.extend([3.0; 800]);
    mix.extend([1e12; 100]);
    let got = reported(&mix);
    let at = |q: f64| got[quantiles.iter().position(|d| *d == q).unwrap()];
    assert_eq!(at(0.01), 0.0);
    assert!(within_bound(at(0.5), 3.0), "{got:?}");
    assert_eq!(at(0.999), f64::INFINITY);
}

// ---------------------------------------------------------------------------
// Sum, count and rejects.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, LabelValue)]
enum Shard {
    North,
    South,
    East,
}

#[derive(Clone, Copy, LabelSet)]
struct ByShard {
    shard: Shard,
}

#[derive(Metrics)]
#[metrics(subsystem = "summary_totals")]
struct Totals {
    /// Amounts moved, of both signs.
    amount: Summary,
    /// Time waited.
    wait_seconds: Summary,
    /// Amounts per shard.
    shard_amount: Family<ByShard, Summary>,
}

const INVALID: &str = "metrics_export_invalid_samples_total";

/// The process-wide count of NaN rejects. Only one test of this binary
/// records NaN, so its delta is exact.
fn nan_rejects() -> u64 {
    let registry = metricate::global().expect("the global registry of this binary builds");
    let snapshot = registry.snapshot(|d| d.name == INVALID);
    let family = snapshot.family(INVALID).expect("the runtime's own family is in the global registry");
    match family.find(&[("reason", "nan")]).expect("a series for reason `nan`").value() {
        OwnedValue::Unsigned(n) => *n,
        other => panic!("{other:?}"),
    }
}

#[test]
fn sum_and_count_cover_every_observation_and_nan_is_rejected() {
    let m = Totals::new_unregistered();
    let before = nan_rejects();

    // Halves: every partial sum is exact, whatever the order of addition.
    let mut sum = 0.0;
    for i in 0..1000 {
        let v = f64::from(i) * 0.5 - 100.0;
        m.amount.observe(v);
        sum += v;
    }
    // Outside the bucket range: counted and summed all the same.
    for v in [0.0, 2f64.powi(-40), 2f64.powi(40), -(2f64.powi(40))] {
        m.amount.observe(v);
        sum += v;
    }
    m.amount.observe(f64::NAN);
    m.amount.observe(-f64::NAN);
    assert_eq!((m.amount.count(), m.amount.sum()), (1004, sum));

    m.wait_seconds.observe_duration(Duration::from_millis(250));
    {
        let _timer = m.wait_seconds.start_timer();
    }
    assert_eq!(m.wait_seconds.count(), 2);
    assert!(m.wait_seconds.sum() >= 0.25, "{}", m.wait_seconds.sum());

    let north = m.shard_amount.with(ByShard { shard: Shard::North });
    north.observe(2.5);
    north.observe(f64::NAN);
    north.observe_duration(Duration::from_secs(2));

    assert_eq!(nan_rejects() - before, 3, "each NaN observation is one reject");

    let registry = registry_of(&m);
    let (_, values, snapshot_sum, count) = summary_of(&registry, "metrics_summary_totals_amount");
    assert_eq!((snapshot_sum, count), (sum, 1004));
    assert!(values.iter().all(|v| !v.is_nan()), "NaN is never an observation: {values:?}");
    let (text, parsed) = encode_parsed(Format::Prometheus, &registry);
    assert_eq!(sample(&parsed, "metrics_summary_totals_amount_count", &[]), Some(1004.0), "{text}");
    assert_eq!(sample(&parsed, "metrics_summary_totals_amount_sum", &[]), Some(sum), "{text}");
    assert_eq!(sample(&parsed, "metrics_summary_totals_shard_amount_count", &[("shard", "north")]), Some(2.0));
    assert_eq!(sample(&parsed, "metrics_summary_totals_shard_amount_sum", &[("shard", "north")]), Some(4.5));
    assert_eq!(sample(&parsed, "metrics_summary_totals_shard_amount_count", &[("shard", "south")]), Some(0.0));
}

// ---------------------------------------------------------------------------
// The window.
// ---------------------------------------------------------------------------

#[derive(Metrics)]
#[metrics(subsystem = "summary_window")]
struct Window {
    /// Latency over a two-second window, in two steps.
    #[metric(max_age = "2s", age_buckets = 2)]
    latency_seconds: Summary,
    /// Latency over a one-second window, in one step.
    #[metric(max_age = "1s", age_buckets = 1)]
    rare_seconds: Summary,
    /// Latency over a three-second window, in three steps.
    #[metric(max_age = "3s", age_buckets = 3)]
    held_seconds: Summary,
}

/// The median of the window summary, read by a scrape.
fn scraped_median(registry: &Registry<'_>) -> f64 {
    let (text, parsed) = encode_parsed(Format::Prometheus, registry);
    sample(&parsed, "metrics_summary_window_latency_seconds", &[("quantile", "0.5")])
        .unwrap_or_else(|| panic!("no median:\n{text}"))
}

#[test]
fn the_window_moves_past_old_observations() {
    // Many old observations: the new ones observed below (ten a second at
    // most) cannot outnumber them within the deadline, so the median only
    // turns to 5 if the old ones leave the window.
    const OLD: u64 = 10_000;
    let m = Window::new_unregistered();
    let summary = &m.latency_seconds;
    assert_eq!(summary.quantiles(), [0.5, 0.9, 0.99], "the default quantiles");
    let registry = registry_of(&m);

    for _ in 0..OLD {
        summary.observe(1.0);
    }
    let median = scraped_median(&registry);
    assert!(within_bound(median, 1.0), "the first read reports everything: {median}");

    let start = Instant::now();
    // A liveness bound: the window is two seconds; ten times that.
    let deadline = start + Duration::from_secs(20);
    let mut new = 0u64;
    let mut observe_and_read = |scrape: bool| {
        summary.observe(5.0);
        new += 1;
        let median = if scrape { scraped_median(&registry) } else { summary.quantile(0.5).unwrap() };
        thread::sleep(Duration::from_millis(100));
        median
    };
    let mut reads = 0u32;
    loop {
        reads += 1;
        let median = observe_and_read(reads.is_multiple_of(2));
        if within_bound(median, 5.0) {
            break;
        }
        assert!(within_bound(median, 1.0), "the median is one of the two values: {median}");
        assert!(Instant::now() < deadline, "the old observations never left the window (median {median})");
    }
    // A whole window and a step after the old observations, read every
    // 100 ms: the window holds the new ones only.
    while start.elapsed() < Duration::from_millis(3_200) {
        let median = observe_and_read(false);
        assert!(within_bound(median, 5.0), "the median went back to {median}");
    }
    let median = observe_and_read(true);
    assert!(within_bound(median, 5.0), "{median}");
    let p99 = summary.quantile(0.99).unwrap();
    assert!(within_bound(p99, 5.0), "{p99}");

    // `_sum` and `_count` count everything, old and new.
    assert_eq!(summary.count(), OLD + new);
    assert_eq!(summary.sum(), OLD as f64 + 5.0 * new as f64);
    let (text, parsed) = encode_parsed(Format::OpenMetrics, &registry);
    assert_eq!(
        sample(&parsed, "metrics_summary_window_latency_seconds_count", &[]),
        Some((OLD + new) as f64),
        "{text}"
    );
}

#[test]
fn observations_stay_in_the_window_for_max_age_less_a_step_then_leave() {
    let m = Window::new_unregistered();
    let summary = &m.held_seconds;
    let step = Duration::from_secs(1);
    let max_age = Duration::from_secs(3);
    let held_at_least = max_age.saturating_sub(step);
    // The step clock starts at the process's first read of a summary: make
    // that half a step before the read below (unless another test read
    // earlier), so that the bound checked is not met at a step boundary by
    // chance, where a window kept too short would go unnoticed.
    let _ = Window::new_unregistered().held_seconds.quantile(0.5);
    thread::sleep(step / 2);

    // A read before the observations: its step's copy is older than they
    // are, so every read less than `max_age - step` after it (at most
    // `age_buckets - 1` steps on) still has them in its window. `before` is
    // taken before that read, so that reads measured from it are no later.
    let before = Instant::now();
    assert!(summary.quantile(0.99).unwrap().is_nan(), "nothing observed yet");
    for _ in 0..100 {
        summary.observe(5.0);
    }
    // Then they leave, once `max_age - step` has passed: polled, with a
    // liveness bound ten times the window.
    let deadline = before + 10 * max_age;
    loop {
        let p99 = summary.quantile(0.99).unwrap();
        let elapsed = before.elapsed();
        if p99.is_nan() {
            assert!(elapsed >= held_at_least, "the observations left the window after {elapsed:?}");
            break;
        }
        assert!(within_bound(p99, 5.0), "{p99}");
        assert!(Instant::now() < deadline, "the observations never left the window");
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(summary.count(), 100, "`_count` keeps them");
}

#[test]
fn a_summary_read_rarely_reports_since_its_previous_read() {
    let m = Window::new_unregistered();
    let summary = &m.rare_seconds;
    for _ in 0..100 {
        summary.observe(1.0);
    }
    // Never read before: everything since the start, however old.
    thread::sleep(Duration::from_millis(1_100));
    let median = summary.quantile(0.5).unwrap();
    assert!(within_bound(median, 1.0), "a summary never read reports everything: {median}");

    for _ in 0..50 {
        summary.observe(5.0);
    }
    // Read again after more than the window: the observations since the
    // previous read, not an empty window and not everything.
    thread::sleep(Duration::from_millis(1_100));
    let median = summary.quantile(0.5).unwrap();
    assert!(within_bound(median, 5.0), "the window starts at the previous read: {median}");
    assert_eq!((summary.count(), summary.sum()), (150, 350.0));
}

// ---------------------------------------------------------------------------
// Families.
// ---------------------------------------------------------------------------

#[derive(Metrics)]
#[metrics(subsystem = "summary_family")]
struct Shards {
    /// Request sizes per shard.
    #[metric(quantiles = [0.25, 0.5, 0.75])]
    request_bytes: Family<ByShard, Summary>,
}

#[test]
fn a_family_keeps_independent_quantiles_per_series() {
    let m = Shards::new_unregistered();
    let north = m.request_bytes.with(ByShard { shard: Shard::North });
    let south = m.request_bytes.with(ByShard { shard: Shard::South });
    // A handle alone records nothing.
    let _east = m.request_bytes.with(ByShard { shard: Shard::East });
    for i in 1..=100 {
        north.observe(f64::from(i));
        south.observe(f64::from(1000 + i - 1));
    }
    let registry = registry_of(&m);
    let name = "metrics_summary_family_request_bytes";

    let expected = [("north", [25.0, 50.0, 75.0]), ("south", [1024.0, 1049.0, 1074.0])];
    let snapshot = registry.snapshot(|d| d.name == name);
    let family = snapshot.family(name).unwrap();
    assert_eq!(family.series().len(), 3, "every label value has a series");
    for (shard, exact) in expected {
        let OwnedValue::Summary { quantiles, values, sum, count } = family.find(&[("shard", shard)]).unwrap().value()
        else {
            panic!("not a summary")
        };
        assert_eq!(quantiles, &[0.25, 0.5, 0.75]);
        assert_eq!(*count, 100, "{shard}");
        let exact_sum: f64 = if shard == "north" { 5050.0 } else { 104_950.0 };
        assert_eq!(*sum, exact_sum, "{shard}");
        for (got, want) in values.iter().zip(exact) {
            assert!(within_bound(*got, want), "{shard}: {values:?}, want {exact:?}");
        }
    }
    let east = family.find(&[("shard", "east")]).unwrap();
    assert!(!east.touched());
    match east.value() {
        OwnedValue::Summary { values, sum, count, .. } => {
            assert!(values.iter().all(|v| v.is_nan()), "{values:?}");
            assert_eq!((*sum, *count), (0.0, 0));
        }
        other => panic!("{other:?}"),
    }

    // The same through the text format: the series' labels, then `quantile`.
    let (text, parsed) = encode_parsed(Format::Prometheus, &registry);
    assert!(text.contains(&format!("{name}{{shard=\"north\",quantile=\"0.5\"}} ")), "{text}");
    for (shard, exact) in expected {
        for (q, want) in ["0.25", "0.5", "0.75"].into_iter().zip(exact) {
            let got = sample(&parsed, name, &[("shard", shard), ("quantile", q)]).unwrap();
            assert!(within_bound(got, want), "{shard} {q}: {got}, want {want}\n{text}");
        }
    }
    assert_eq!(sample(&parsed, &format!("{name}_count"), &[("shard", "east")]), Some(0.0));

    // A quiet encoder leaves the untouched series out.
    let mut out = Vec::new();
    Format::Prometheus.encode_quiet(&registry, &mut out);
    let quiet = String::from_utf8(out).unwrap();
    assert!(!quiet.contains("shard=\"east\""), "{quiet}");
    assert!(quiet.contains(&format!("{name}_count{{shard=\"south\"}} 100\n")), "{quiet}");
}

// ---------------------------------------------------------------------------
// Encoding.
// ---------------------------------------------------------------------------

#[derive(Metrics)]
#[metrics(subsystem = "summary_encode")]
struct Encoded {
    /// Request latency.
    #[metric(quantiles = [0.5, 0.9])]
    latency_seconds: Summary,
    /// Drift of both signs, summing to a positive value.
    #[metric(quantiles = [0.1, 0.5, 0.99])]
    drift: Summary,
    /// Offsets, all negative.
    #[metric(quantiles = [0.5])]
    offset: Summary,
    /// Nothing observed.
    #[metric(quantiles = [0.5])]
    idle_seconds: Summary,
}

fn populated_encoded() -> Encoded {
    let m = Encoded::new_unregistered();
    for v in [1.0, 2.0, 3.0, 4.0] {
        m.latency_seconds.observe(v);
    }
    for v in [-1.0, 2.0, 3.0, 4.0] {
        m.drift.observe(v);
    }
    for _ in 0..3 {
        m.offset.observe(-1.0);
    }
    m
}

#[test]
fn prometheus_text_writes_quantiles_sum_and_count() {
    let m = populated_encoded();
    let registry = registry_of(&m);
    let (text, parsed) = encode_parsed(Format::Prometheus, &registry);
    // 2 and 4 are reported as the middles of their buckets: 2 · (1 + 1/32)
    // and 4 · (1 + 1/32).
    let latency = "# HELP metrics_summary_encode_latency_seconds Request latency.
# TYPE metrics_summary_encode_latency_seconds summary
metrics_summary_encode_latency_seconds{quantile=\"0.5\"} 2.0625
metrics_summary_encode_latency_seconds{quantile=\"0.9\"} 4.125
metrics_summary_encode_latency_seconds_sum 10.0
metrics_summary_encode_latency_seconds_count 4
";
    assert!(text.contains(latency), "{text}");
    // Negative quantile values and sums are written.
    let drift = "# TYPE metrics_summary_encode_drift summary
metrics_summary_encode_drift{quantile=\"0.1\"} -1.03125
metrics_summary_encode_drift{quantile=\"0.5\"} 2.0625
metrics_summary_encode_drift{quantile=\"0.99\"} 4.125
metrics_summary_encode_drift_sum 8.0
metrics_summary_encode_drift_count 4
";
    assert!(text.contains(drift), "{text}");
    let offset = "# TYPE metrics_summary_encode_offset summary
metrics_summary_encode_offset{quantile=\"0.5\"} -1.03125
metrics_summary_encode_offset_sum -3.0
metrics_summary_encode_offset_count 3
";
    assert!(text.contains(offset), "{text}");
    let idle = "# TYPE metrics_summary_encode_idle_seconds summary
metrics_summary_encode_idle_seconds{quantile=\"0.5\"} NaN
metrics_summary_encode_idle_seconds_sum 0.0
metrics_summary_encode_idle_seconds_count 0
";
    assert!(text.contains(idle), "{text}");

    for family in &parsed.families {
        assert_eq!(family.kind.as_deref(), Some("summary"), "{}", family.name);
    }
    assert_eq!(sample(&parsed, "metrics_summary_encode_offset_sum", &[]), Some(-3.0));
    assert!(sample(&parsed, "metrics_summary_encode_idle_seconds", &[("quantile", "0.5")]).unwrap().is_nan());
}

#[test]
fn openmetrics_writes_summaries_and_leaves_out_negative_values() {
    let m = populated_encoded();
    let registry = registry_of(&m);
    let (text, parsed) = encode_parsed(Format::OpenMetrics, &registry);
    let latency = "# TYPE metrics_summary_encode_latency_seconds summary
# UNIT metrics_summary_encode_latency_seconds seconds
# HELP metrics_summary_encode_latency_seconds Request latency.
metrics_summary_encode_latency_seconds{quantile=\"0.5\"} 2.0625
metrics_summary_encode_latency_seconds{quantile=\"0.9\"} 4.125
metrics_summary_encode_latency_seconds_count 4
metrics_summary_encode_latency_seconds_sum 10.0
";
    assert!(text.contains(latency), "{text}");
    // The negative quantile is left out; the others, the sum and the count
    // stay.
    let drift = "# TYPE metrics_summary_encode_drift summary
# HELP metrics_summary_encode_drift Drift of both signs, summing to a positive value.
metrics_summary_encode_drift{quantile=\"0.5\"} 2.0625
metrics_summary_encode_drift{quantile=\"0.99\"} 4.125
metrics_summary_encode_drift_count 4
metrics_summary_encode_drift_sum 8.0
";
    assert!(text.contains(drift), "{text}");
    // All negative: no quantile, and no sum (nor its count).
    let offset = "# TYPE metrics_summary_encode_offset summary
# HELP metrics_summary_encode_offset Offsets, all negative.
# EOF
";
    assert!(text.contains(offset), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("metrics_summary_encode_offset")), "{text}");
    // An empty window: NaN quantiles are kept.
    assert!(text.contains("metrics_summary_encode_idle_seconds{quantile=\"0.5\"} NaN\n"), "{text}");
    assert!(!text.contains("_created"), "no `_created` unless asked for: {text}");

    let family = parsed.family("metrics_summary_encode_drift").unwrap();
    assert_eq!(family.kind.as_deref(), Some("summary"));
    assert_eq!(family.samples.len(), 4);
    assert_eq!(parsed.family("metrics_summary_encode_latency_seconds").unwrap().unit.as_deref(), Some("seconds"));
    assert!(parsed.family("metrics_summary_encode_offset").unwrap().samples.is_empty());

    // With `_created` for every series: summaries have one.
    let all = registry.with_created_samples(true);
    let (text, parsed) = encode_parsed(Format::OpenMetrics, &all);
    assert!(sample(&parsed, "metrics_summary_encode_latency_seconds_created", &[]).is_some(), "{text}");
}

// ---------------------------------------------------------------------------
// Snapshots and the catalogue.
// ---------------------------------------------------------------------------

#[derive(Metrics)]
#[metrics(subsystem = "summary_snapshot")]
struct Snapshotted {
    /// Job durations, with the defaults.
    job_seconds: Summary,
    /// Payload sizes.
    #[metric(quantiles = [0.1, 0.75], max_age = "1h30m", age_buckets = 6)]
    payload_bytes: Summary,
}

#[test]
fn snapshots_hold_the_declared_quantiles() {
    let m = Snapshotted::new_unregistered();
    for i in 1..=20 {
        m.job_seconds.observe(f64::from(i));
        m.payload_bytes.observe(f64::from(i) * 100.0);
    }
    let registry = registry_of(&m);
    let snapshot = registry.snapshot(|d| d.subsystem == "summary_snapshot");
    assert_eq!(snapshot.kind("metrics_summary_snapshot_job_seconds"), Some(MetricKind::Summary));

    let job = snapshot.family("metrics_summary_snapshot_job_seconds").unwrap();
    let spec = job.descriptor().summary.expect("a summary's descriptor has its spec");
    assert_eq!((spec.quantiles, spec.max_age_seconds, spec.age_buckets), (&[0.5, 0.9, 0.99][..], 600, 5));
    match job.series()[0].value() {
        OwnedValue::Summary { quantiles, values, sum, count } => {
            assert_eq!(quantiles, &[0.5, 0.9, 0.99]);
            assert_eq!((*sum, *count), (210.0, 20));
            for (got, want) in values.iter().zip([10.0, 18.0, 20.0]) {
                assert!(within_bound(*got, want), "{values:?}");
            }
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(job.series()[0].value().as_f64(), 20.0, "a summary as a number is its count");

    let payload = snapshot.family("metrics_summary_snapshot_payload_bytes").unwrap();
    let spec = payload.descriptor().summary.unwrap();
    assert_eq!((spec.quantiles, spec.max_age_seconds, spec.age_buckets), (&[0.1, 0.75][..], 5400, 6));
    match payload.series()[0].value() {
        OwnedValue::Summary { quantiles, values, .. } => {
            assert_eq!(quantiles, &[0.1, 0.75]);
            assert!(within_bound(values[0], 200.0) && within_bound(values[1], 1500.0), "{values:?}");
        }
        other => panic!("{other:?}"),
    }

    // A snapshot encodes as the registry does (nothing observed in between,
    // and both reads in one step of the window).
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let mut out = Vec::new();
        format.encode(&snapshot, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), encode(format, &registry));
    }
}

#[test]
fn the_catalogue_describes_summaries() {
    let m = Snapshotted::new_unregistered();
    let registry = registry_of(&m);
    let catalog = Catalog::from_descriptors(registry.iter().map(|r| r.descriptor));
    // The registry's own catalogue (with the features that serve it) is the
    // same.
    #[cfg(any(feature = "server", feature = "docs"))]
    assert_eq!(catalog, registry.catalog());

    let job = catalog.metric("metrics_summary_snapshot_job_seconds").unwrap();
    assert_eq!(job.kind, metricate_catalog::MetricKind::Summary);
    assert_eq!(job.quantiles, [0.5, 0.9, 0.99]);
    assert_eq!((job.max_age_seconds, job.age_buckets), (Some(600), Some(5)));
    assert!(job.buckets.is_empty());
    assert_eq!(job.series, 1);
    let payload = catalog.metric("metrics_summary_snapshot_payload_bytes").unwrap();
    assert_eq!(payload.kind, metricate_catalog::MetricKind::Summary);
    assert_eq!(payload.quantiles, [0.1, 0.75]);
    assert_eq!((payload.max_age_seconds, payload.age_buckets), (Some(5400), Some(6)));

    let json = catalog.to_json();
    assert!(json.contains("\"type\": \"summary\""), "{json}");
    assert!(json.contains("\"max_age_seconds\": 5400"), "{json}");
    assert!(json.contains("\"age_buckets\": 6"), "{json}");
    assert_eq!(Catalog::from_json(&json).unwrap(), catalog);

    // Families of summaries have the spec too, and a series per label value.
    let shards = Shards::new_unregistered();
    let registry = registry_of(&shards);
    let catalog = Catalog::from_descriptors(registry.iter().map(|r| r.descriptor));
    let family = catalog.metric("metrics_summary_family_request_bytes").unwrap();
    assert_eq!((family.kind.as_str(), family.series), ("summary", 3));
    assert_eq!(family.quantiles, [0.25, 0.5, 0.75]);
    assert_eq!(family.labels[0].values, ["north", "south", "east"]);
}

/// What the exporters count as delivered samples and the stream as memory:
/// a summary's lines are its quantiles, `_sum` and `_count`, as the text
/// encoder writes them (it used to count as one line).
#[test]
fn a_snapshot_counts_a_summary_as_the_lines_it_encodes_to() {
    let m = Bound::new_unregistered();
    m.values.observe(1.5);
    let registry = registry_of(&m);
    let text = encode(Format::Prometheus, &registry);
    let lines = text.lines().filter(|l| !l.starts_with('#')).count();
    let snapshot = registry.snapshot(|_| true);
    let value = snapshot.family(BOUND_NAME).expect("the family is in the snapshot").series()[0].value().clone();
    assert_eq!((value.text_samples(), lines), (11 + 2, 11 + 2), "{text}");
    // Eleven quantiles and their eleven values.
    assert_eq!(value.heap_bytes(), 22 * 8);
}
