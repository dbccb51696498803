//! Quiet families expose exactly the series something has recorded to, in
//! both formats, read back by the strict parsers: `#[metric(quiet)]` on
//! counters, float and sharded counters, integer and float gauges and
//! histograms with several labels, and encoders that make every family
//! quiet. A gauge recorded to and back at zero stays exposed; a family with
//! no series recorded to keeps its metadata lines, which both formats (and
//! `promtool`, and Python's parsers) accept. A property runs random record
//! sequences against a model of which series are touched.

use std::collections::{BTreeMap, BTreeSet};

use metricate::encode::{self, Encoder, OpenMetrics, PrometheusText};
use metricate::{
    Counter, Family, FloatCounter, Gauge, Histogram, IntGauge, LabelSet, LabelValue, MetricGroup, Metrics, Registry,
    ShardedCounter,
};
use metricate_catalog::Flavor;
use metricate_catalog::check::{Options, check_text};
use metricate_catalog::exposition::{self, Format};
use metricate_catalog::json::Catalog;
use proptest::prelude::*;
use tests::{promtool, python_with_prometheus_client, run_with_stdin};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
enum Shard {
    A,
    B,
    C,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
enum Op {
    Read,
    Write,
    Delete,
    #[label(rename = "say \"hi\"")]
    Quoted,
}

#[derive(Clone, Copy, Debug, LabelSet)]
struct Key {
    shard: Shard,
    op: Op,
}

const SHARDS: [Shard; 3] = [Shard::A, Shard::B, Shard::C];
const OPS: [Op; 4] = [Op::Read, Op::Write, Op::Delete, Op::Quoted];

/// Quiet families of every metric type, a quiet family nothing records to,
/// a metric without labels and a dense family.
#[derive(Metrics)]
#[metrics(subsystem = "quiet")]
struct Quiet {
    /// Operations.
    #[metric(quiet)]
    ops_total: Family<Key, Counter>,
    /// Bytes moved.
    #[metric(quiet)]
    moved_bytes_total: Family<Key, FloatCounter>,
    /// Operations on hot shards.
    #[metric(quiet)]
    hot_total: Family<Key, ShardedCounter>,
    /// Operations waiting.
    #[metric(quiet)]
    waiting: Family<Key, IntGauge>,
    /// Load of each shard.
    #[metric(quiet)]
    load_ratio: Family<Key, Gauge>,
    /// Time per operation.
    #[metric(quiet, buckets = [0.1, 1.0])]
    op_duration_seconds: Family<Key, Histogram>,
    /// Operations nothing records.
    #[metric(quiet)]
    idle_total: Family<Key, Counter>,
    /// Restarts: no labels, always exposed.
    restarts_total: Counter,
    /// Queue depth, dense: every series, always.
    depth: Family<Key, IntGauge>,
}

/// One record, as the program would make it.
#[derive(Clone, Copy, Debug)]
enum Record {
    Inc(u64),
    Moved(f64),
    Hot(u64),
    Set(i64),
    Add(i64),
    SetLoad(f64),
    AddLoad(f64),
    Observe(f64),
    Depth(i64),
}

/// Which series each family has had recorded to, by the rules: a counter
/// or histogram once above zero, a gauge at its first record of any kind.
#[derive(Default)]
struct Model {
    touched: BTreeMap<&'static str, BTreeSet<(usize, usize)>>,
    ops: BTreeMap<(usize, usize), u64>,
    waiting: BTreeMap<(usize, usize), i64>,
}

impl Model {
    fn record(&mut self, quiet: &Quiet, (s, o): (usize, usize), record: Record) {
        let key = Key { shard: SHARDS[s], op: OPS[o] };
        let (family, touches) = match record {
            Record::Inc(n) => {
                quiet.ops_total.with(key).inc_by(n);
                *self.ops.entry((s, o)).or_default() += n;
                ("ops_total", n > 0)
            }
            Record::Moved(v) => {
                quiet.moved_bytes_total.with(key).inc_by(v);
                // Negative, NaN and infinite increments are rejected.
                ("moved_bytes_total", v.is_finite() && v > 0.0)
            }
            Record::Hot(n) => {
                quiet.hot_total.with(key).inc_by(n);
                ("hot_total", n > 0)
            }
            Record::Set(v) => {
                quiet.waiting.with(key).set(v);
                self.waiting.insert((s, o), v);
                ("waiting", true)
            }
            Record::Add(v) => {
                quiet.waiting.with(key).add(v);
                let value = self.waiting.entry((s, o)).or_default();
                *value = value.wrapping_add(v);
                ("waiting", true)
            }
            Record::SetLoad(v) => {
                quiet.load_ratio.with(key).set(v);
                ("load_ratio", true)
            }
            Record::AddLoad(v) => {
                quiet.load_ratio.with(key).add(v);
                ("load_ratio", true)
            }
            Record::Observe(v) => {
                quiet.op_duration_seconds.with(key).observe(v);
                ("op_duration_seconds", !v.is_nan())
            }
            Record::Depth(v) => {
                quiet.depth.with(key).set(v);
                ("depth", true)
            }
        };
        if touches {
            self.touched.entry(family).or_default().insert((s, o));
        }
    }

    /// The label sets a family is expected to expose: every one for a dense
    /// family (unless the encoder makes every family quiet), the touched ones
    /// for a quiet one, and the one empty set for a metric without labels.
    fn expected(&self, field: &str, all_quiet: bool) -> BTreeSet<Labels> {
        match field {
            "restarts_total" => BTreeSet::from([Vec::new()]),
            "depth" if !all_quiet => (0..3).flat_map(|s| (0..4).map(move |o| labels((s, o)))).collect(),
            _ => self.touched.get(field).into_iter().flatten().map(|&key| labels(key)).collect(),
        }
    }
}

/// A series' label pairs, in label order.
type Labels = Vec<(String, String)>;

fn labels((s, o): (usize, usize)) -> Labels {
    vec![("shard".to_owned(), SHARDS[s].as_str().to_owned()), ("op".to_owned(), OPS[o].as_str().to_owned())]
}

/// Each field's name, from its full name `trc_<subsystem>_<field>`.
fn field(descriptor: &metricate::Descriptor) -> &str {
    let prefix = format!("trc_{}_", descriptor.subsystem);
    descriptor.name.strip_prefix(&prefix).expect("every name has the struct's prefix")
}

/// Encodes `registry` with `encoder` and parses it back strictly: each
/// family's label sets (without `le`), by field name.
fn exposed<E: Encoder>(
    registry: &Registry<'_>,
    mut encoder: E,
    format: Format,
) -> (String, BTreeMap<String, BTreeSet<Labels>>) {
    let mut out = Vec::new();
    encode::encode(registry, &mut encoder, &mut out);
    let text = String::from_utf8(out).expect("the exposition is UTF-8");
    let parsed = exposition::parse(&text, format).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    let flavor = if format == Format::OpenMetrics { Flavor::OpenMetrics } else { Flavor::Prometheus };
    let mut families = BTreeMap::new();
    for entry in registry.iter() {
        let name = entry.descriptor.family_name(flavor);
        let family = parsed.family(name).unwrap_or_else(|| panic!("family {name} is in the exposition:\n{text}"));
        let series = family
            .samples
            .iter()
            .map(|sample| sample.labels.iter().filter(|(n, _)| n != "le").cloned().collect())
            .collect();
        families.insert(field(entry.descriptor).to_owned(), series);
    }
    (text, families)
}

/// Checks both formats, declared-quiet and all-quiet, and the snapshot,
/// against the model.
fn check(quiet: &Quiet, model: &Model) {
    let mut registry = Registry::new();
    registry.register_group(quiet).unwrap();
    for all_quiet in [false, true] {
        for (format, exposition) in [
            (Format::Prometheus, exposed(&registry, PrometheusText::new().quiet(all_quiet), Format::Prometheus)),
            (Format::OpenMetrics, exposed(&registry, OpenMetrics::new().quiet(all_quiet), Format::OpenMetrics)),
        ] {
            let (text, families) = exposition;
            for (field, series) in &families {
                assert_eq!(
                    series,
                    &model.expected(field, all_quiet),
                    "{field} in {format:?} (every family quiet: {all_quiet}):\n{text}"
                );
            }
            assert_eq!(families.len(), 9, "every family keeps its metadata:\n{text}");
            // The values of what is exposed are the recorded ones.
            for ((s, o), n) in &model.ops {
                let line = format!(
                    "trc_quiet_ops_total{{shard=\"{}\",op=\"{}\"}} {n}\n",
                    SHARDS[*s].as_str(),
                    OPS[*o].as_str().replace('"', "\\\"")
                );
                assert_eq!(text.contains(&line), *n > 0, "{line}in\n{text}");
            }
        }
    }

    // A snapshot copies what a quiet family exposes, and says of the
    // others' series whether they were recorded to; encoded, it is the
    // registry's exposition.
    let snapshot = registry.snapshot(|_| true);
    for family in snapshot.families() {
        let field = field(family.descriptor());
        let touched: BTreeSet<Labels> = family
            .series()
            .iter()
            .filter(|s| s.touched())
            .map(|s| s.labels().map(|(n, v)| (n.to_owned(), v.to_owned())).collect())
            .collect();
        let copied = family.series().len();
        match field {
            "restarts_total" => {
                assert_eq!((copied, touched.len()), (1, usize::from(quiet.restarts_total.get() > 0)));
            }
            "depth" => {
                assert_eq!(copied, 12);
                assert_eq!(touched, model.expected("depth", true));
            }
            _ => {
                assert_eq!(copied, touched.len(), "{field}: only touched series are copied");
                assert_eq!(touched, model.expected(field, false), "{field}");
            }
        }
    }
    for all_quiet in [false, true] {
        let (mut from_registry, mut from_snapshot) = (Vec::new(), Vec::new());
        encode::encode(&registry, &mut OpenMetrics::new().quiet(all_quiet), &mut from_registry);
        encode::encode(&snapshot, &mut OpenMetrics::new().quiet(all_quiet), &mut from_snapshot);
        assert_eq!(String::from_utf8(from_snapshot).unwrap(), String::from_utf8(from_registry).unwrap());
    }
}

#[test]
fn a_quiet_scrape_has_exactly_the_touched_series() {
    let quiet = Quiet::new_unregistered();
    let mut model = Model::default();
    for (key, record) in [
        ((0, 0), Record::Inc(3)),
        ((2, 3), Record::Inc(1)),
        ((1, 1), Record::Inc(0)), // by zero: still untouched
        ((1, 2), Record::Moved(2.5)),
        ((0, 1), Record::Moved(0.0)),
        ((2, 2), Record::Moved(-1.0)), // rejected
        ((1, 3), Record::Hot(7)),
        ((0, 1), Record::Set(0)), // set to zero: recorded to
        ((1, 2), Record::Add(2)),
        ((1, 2), Record::Add(-2)), // back at zero: still recorded to
        ((2, 0), Record::Set(5)),
        ((0, 0), Record::SetLoad(0.0)),
        ((0, 3), Record::SetLoad(-0.0)),
        ((2, 1), Record::AddLoad(0.25)),
        // The bits a float gauge uses for "never recorded": stored as NaN.
        ((1, 1), Record::SetLoad(f64::from_bits(0x7FF0_0000_0000_0001))),
        ((0, 2), Record::Observe(0.05)),
        ((2, 3), Record::Observe(5.0)),
        ((1, 0), Record::Observe(f64::NAN)), // rejected
        ((2, 2), Record::Depth(4)),
    ] {
        model.record(&quiet, key, record);
    }
    quiet.restarts_total.inc();
    assert!(quiet.load_ratio.with(Key { shard: Shard::B, op: Op::Write }).get().is_nan());
    check(&quiet, &model);
}

#[test]
fn a_family_with_nothing_recorded_is_valid_in_both_formats() {
    let quiet = Quiet::new_unregistered();
    let mut registry = Registry::new();
    registry.register_group(&quiet).unwrap();
    let (text, families) = exposed(&registry, PrometheusText::new().quiet(true), Format::Prometheus);
    assert!(families.iter().all(|(field, series)| series.is_empty() == (field != "restarts_total")), "{text}");
    assert!(text.contains(
        "# HELP trc_quiet_idle_total Operations nothing records.\n# TYPE trc_quiet_idle_total counter\n# HELP"
    ));
    let (openmetrics, _) = exposed(&registry, OpenMetrics::new().quiet(true), Format::OpenMetrics);
    assert!(
        openmetrics
            .contains("# TYPE trc_quiet_idle counter\n# HELP trc_quiet_idle Operations nothing records.\n# TYPE")
    );

    // `catalog check` with the catalogue: every family is there (C1), of its
    // declared type, though some have no sample.
    let mut descriptors = Vec::new();
    quiet.for_each_metric(&mut |d, _| descriptors.push(d));
    let options = Options {
        namespaces: vec!["trc".to_owned()],
        catalog: Some(Catalog::from_descriptors(descriptors)),
        ..Options::default()
    };
    for (text, format) in [(&text, Format::Prometheus), (&openmetrics, Format::OpenMetrics)] {
        let report = check_text(text, format, &options).unwrap();
        assert_eq!((report.families, report.findings), (9, Vec::new()), "{format:?}:\n{text}");
    }

    // The reference tools agree.
    if let Some(promtool) = promtool() {
        let out = run_with_stdin(&promtool, &["check", "metrics"], text.as_bytes()).unwrap();
        assert!(out.success && out.stdout.trim().is_empty(), "promtool: {}\n{}", out.stdout, out.stderr);
    }
    if let Some(python) = python_with_prometheus_client() {
        for (module, text) in
            [("prometheus_client.parser", &text), ("prometheus_client.openmetrics.parser", &openmetrics)]
        {
            let script = format!(
                "import sys\nfrom {module} import text_string_to_metric_families as parse\n\
                 families = list(parse(sys.stdin.read()))\n\
                 print(len(families), sum(len(f.samples) for f in families))\n"
            );
            let out = run_with_stdin(&python, &["-c", &script], text.as_bytes()).unwrap();
            assert!(out.success, "{module}: {}", out.stderr);
            assert_eq!(out.stdout.trim(), "9 1", "{module}: nine families, the one sample of `restarts_total`");
        }
    }
}

/// The same key, quiet by default: `#[label(quiet)]`.
#[derive(Clone, Copy, Debug, LabelSet)]
#[label(quiet)]
struct SparseKey {
    shard: Shard,
    op: Op,
}

/// Families over a label set that is quiet by default, one of them made
/// dense by its field; and a family over a dense set, made quiet with
/// `quiet = true`.
#[derive(Metrics)]
#[metrics(subsystem = "sparse")]
struct Sparse {
    /// Operations: quiet, as the label set says.
    ops_total: Family<SparseKey, Counter>,
    /// Operations waiting: quiet, as the label set says.
    waiting: Family<SparseKey, IntGauge>,
    /// Operations, every combination: the field says so.
    #[metric(quiet = false)]
    dense_total: Family<SparseKey, Counter>,
    /// Operations by a dense key: quiet, the field says so.
    #[metric(quiet = true)]
    keyed_total: Family<Key, Counter>,
}

#[test]
fn a_quiet_label_set_makes_its_families_quiet_unless_the_field_says_otherwise() {
    const { assert!(SparseKey::QUIET && !Key::QUIET) };
    let quiet: Vec<bool> = [Sparse::OPS_TOTAL, Sparse::WAITING, Sparse::DENSE_TOTAL, Sparse::KEYED_TOTAL]
        .iter()
        .map(|d| d.quiet)
        .collect();
    assert_eq!(quiet, [true, true, false, true]);

    let sparse = Sparse::new_unregistered();
    sparse.ops_total.with(SparseKey { shard: Shard::B, op: Op::Quoted }).inc();
    sparse.waiting.with(SparseKey { shard: Shard::C, op: Op::Read }).set(0);
    sparse.dense_total.with(SparseKey { shard: Shard::A, op: Op::Read }).inc();
    sparse.keyed_total.with(Key { shard: Shard::A, op: Op::Delete }).inc_by(2);
    let mut registry = Registry::new();
    registry.register_group(&sparse).unwrap();
    let every: BTreeSet<Labels> = (0..3).flat_map(|s| (0..4).map(move |o| labels((s, o)))).collect();
    let expected = BTreeMap::from([
        ("ops_total".to_owned(), BTreeSet::from([labels((1, 3))])),
        ("waiting".to_owned(), BTreeSet::from([labels((2, 0))])),
        ("dense_total".to_owned(), every),
        ("keyed_total".to_owned(), BTreeSet::from([labels((0, 2))])),
    ]);
    for (families, format) in [
        (exposed(&registry, PrometheusText::new(), Format::Prometheus).1, Format::Prometheus),
        (exposed(&registry, OpenMetrics::new(), Format::OpenMetrics).1, Format::OpenMetrics),
    ] {
        assert_eq!(families, expected, "{format:?}");
    }
}

fn key() -> impl Strategy<Value = (usize, usize)> {
    (0..3usize, 0..4usize)
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        -10.0..10.0f64,
        Just(0.0),
        Just(-0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::from_bits(0x7FF0_0000_0000_0001)),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    prop_oneof![
        (0..3u64).prop_map(Record::Inc),
        float().prop_map(Record::Moved),
        (0..3u64).prop_map(Record::Hot),
        (-2..3i64).prop_map(Record::Set),
        (-2..3i64).prop_map(Record::Add),
        float().prop_map(Record::SetLoad),
        float().prop_map(Record::AddLoad),
        float().prop_map(Record::Observe),
        (-2..3i64).prop_map(Record::Depth),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_record_sequence_exposes_the_touched_series(steps in prop::collection::vec((key(), record()), 0..40)) {
        let quiet = Quiet::new_unregistered();
        let mut model = Model::default();
        for (key, record) in steps {
            model.record(&quiet, key, record);
        }
        for (key, value) in &model.waiting {
            prop_assert_eq!(quiet.waiting.with(Key { shard: SHARDS[key.0], op: OPS[key.1] }).get(), *value);
        }
        check(&quiet, &model);
    }
}
