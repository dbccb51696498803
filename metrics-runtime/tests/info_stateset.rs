//! Info metrics (`Info<L>`, `BuildInfo`) and state sets (`StateSet<E>`):
//! what a snapshot holds before and after they are set, both text formats
//! (parsed back with the catalogue's strict exposition parser) and the JSON
//! catalogue.
//!
//! Every test encodes `new_unregistered()` instances through a local
//! `Registry`.

use metricate::encode::Format;
use metricate::{
    BuildInfo, Info, LabelSet, LabelValue, MetricGroup, MetricKind, Metrics, OwnedValue, Registry, StateSet,
};
use metricate_catalog::exposition::{self, Exposition};
use metricate_catalog::json::Catalog;

// ---------------------------------------------------------------------------
// Declarations.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, LabelValue)]
enum Mode {
    Primary,
    Replica,
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Zone {
    #[label(rename = "eu-west")]
    EuWest,
    #[label(rename = "us-east")]
    UsEast,
}

#[derive(Clone, Copy, LabelSet)]
struct Role {
    mode: Mode,
    zone: Zone,
}

#[derive(Metrics)]
#[metrics(subsystem = "info_node")]
struct Node {
    /// The node's role and zone.
    role_info: Info<Role>,
}

const ROLE: &str = "metrics_info_node_role_info";
/// The OpenMetrics family name: without `_info`.
const ROLE_FAMILY: &str = "metrics_info_node_role";

#[derive(Metrics)]
#[metrics(subsystem = "info_app")]
struct App {
    /// The build of the program.
    build_info: BuildInfo,
}

const BUILD: &str = "metrics_info_app_build_info";
const BUILD_FAMILY: &str = "metrics_info_app_build";

#[derive(Clone, Copy, Debug, LabelValue)]
enum Phase {
    Starting,
    Running,
    #[label(rename = "shutting-down")]
    ShuttingDown,
}

#[derive(Metrics)]
#[metrics(subsystem = "stateset_worker")]
struct Worker {
    /// The worker's lifecycle phase.
    phase: StateSet<Phase>,
}

const PHASE: &str = "metrics_stateset_worker_phase";

// ---------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------

fn registry_of(group: &dyn MetricGroup) -> Registry<'_> {
    let mut registry = Registry::new();
    registry.register_group(group).expect("the group registers");
    registry
}

/// Encodes and parses back with the strict parser of the format.
fn encode_parsed(format: Format, registry: &Registry<'_>) -> (String, Exposition) {
    let mut out = Vec::new();
    format.encode(registry, &mut out);
    let text = String::from_utf8(out).expect("the exposition is UTF-8");
    let parsed_format = match format {
        Format::Prometheus => exposition::Format::Prometheus,
        Format::OpenMetrics => exposition::Format::OpenMetrics,
    };
    let parsed = exposition::parse(&text, parsed_format).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    (text, parsed)
}

/// The sample lines (not `#` lines) of `text`.
fn sample_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('#')).collect()
}

/// The series of metric `name` in a snapshot: `(labels, value)` each.
fn series_of(registry: &Registry<'_>, name: &str) -> Vec<(Vec<(&'static str, &'static str)>, OwnedValue)> {
    let snapshot = registry.snapshot(|d| d.name == name);
    let family = snapshot.family(name).unwrap_or_else(|| panic!("no family `{name}`"));
    family.series().iter().map(|s| (s.labels().collect(), s.value().clone())).collect()
}

// ---------------------------------------------------------------------------
// Info<L>.
// ---------------------------------------------------------------------------

#[test]
fn an_info_metric_exposes_nothing_before_it_is_set() {
    let node = Node::new_unregistered();
    assert_eq!(node.role_info.index(), None);
    let registry = registry_of(&node);
    assert_eq!(registry.get(ROLE).unwrap().descriptor.kind, MetricKind::Info);
    assert!(series_of(&registry, ROLE).is_empty());

    let (text, parsed) = encode_parsed(Format::Prometheus, &registry);
    assert_eq!(
        text,
        format!("# HELP {ROLE} The node's role and zone.\n# TYPE {ROLE} gauge\n"),
        "metadata only, no sample"
    );
    assert!(parsed.family(ROLE).unwrap().samples.is_empty());

    let (text, parsed) = encode_parsed(Format::OpenMetrics, &registry);
    assert_eq!(text, format!("# TYPE {ROLE_FAMILY} info\n# HELP {ROLE_FAMILY} The node's role and zone.\n# EOF\n"));
    assert!(parsed.family(ROLE_FAMILY).unwrap().samples.is_empty());
}

#[test]
fn an_info_metric_exposes_the_set_it_was_given_last() {
    let node = Node::new_unregistered();
    let registry = registry_of(&node);

    node.role_info.set(Role { mode: Mode::Replica, zone: Zone::UsEast });
    assert_eq!(node.role_info.index(), Some(3), "mode `replica` (1) of 2, zone `us-east` (1)");
    assert_eq!(series_of(&registry, ROLE), [(vec![("mode", "replica"), ("zone", "us-east")], OwnedValue::Unsigned(1))]);

    let line = format!("{ROLE}{{mode=\"replica\",zone=\"us-east\"}} 1");
    let (text, parsed) = encode_parsed(Format::Prometheus, &registry);
    assert!(text.contains(&format!("# TYPE {ROLE} gauge\n")), "{text}");
    assert_eq!(sample_lines(&text), [line.as_str()], "{text}");
    let family = parsed.family(ROLE).unwrap();
    assert_eq!(family.kind.as_deref(), Some("gauge"));
    assert_eq!(family.samples.len(), 1);
    assert_eq!(family.samples[0].value, 1.0);

    let (text, parsed) = encode_parsed(Format::OpenMetrics, &registry);
    assert!(text.contains(&format!("# TYPE {ROLE_FAMILY} info\n")), "{text}");
    assert_eq!(sample_lines(&text), [line.as_str()], "{text}");
    let family = parsed.family(ROLE_FAMILY).unwrap();
    assert_eq!(family.kind.as_deref(), Some("info"));
    assert_eq!(family.samples[0].name, ROLE);
    assert_eq!(family.samples[0].label("zone"), Some("us-east"));

    // Setting again replaces the series: still exactly one.
    node.role_info.set(Role { mode: Mode::Primary, zone: Zone::EuWest });
    assert_eq!(node.role_info.index(), Some(0));
    assert_eq!(series_of(&registry, ROLE), [(vec![("mode", "primary"), ("zone", "eu-west")], OwnedValue::Unsigned(1))]);
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let (text, _) = encode_parsed(format, &registry);
        assert_eq!(sample_lines(&text), [format!("{ROLE}{{mode=\"primary\",zone=\"eu-west\"}} 1").as_str()], "{text}");
    }
    // The same set again: unchanged.
    node.role_info.set(Role { mode: Mode::Primary, zone: Zone::EuWest });
    assert_eq!(series_of(&registry, ROLE).len(), 1);
}

// ---------------------------------------------------------------------------
// BuildInfo.
// ---------------------------------------------------------------------------

#[test]
fn build_info_labels_the_build() {
    let app = App::new_unregistered();
    let registry = registry_of(&app);
    let series = series_of(&registry, BUILD);
    assert_eq!(series.len(), 1, "always one series: {series:?}");
    let (labels, value) = &series[0];
    assert_eq!(value, &OwnedValue::Unsigned(1));
    let names: Vec<&str> = labels.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["version", "rustc", "target", "revision"]);
    let label = |name: &str| labels.iter().find(|(n, _)| *n == name).unwrap().1;

    // The declaring crate's version: this test crate is metricate's.
    assert_eq!(label("version"), env!("CARGO_PKG_VERSION"));
    // The compiler's version without `rustc `, e.g. `1.88.0 (6b00bc388 2025-06-23)`.
    let rustc = label("rustc");
    assert_ne!(rustc, "unknown", "the build script ran rustc");
    let version = rustc.split(' ').next().unwrap();
    let parts: Vec<&str> = version.split(['.', '-']).collect();
    assert!(
        parts.len() >= 3 && parts[..3].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())),
        "`{rustc}` is not a compiler version"
    );
    // The target triple.
    let target = label("target");
    assert_ne!(target, "unknown");
    assert!(target.contains('-'), "`{target}` is not a target triple");
    if std::env::consts::ARCH != "x86" {
        assert!(target.starts_with(std::env::consts::ARCH), "`{target}` is not for {}", std::env::consts::ARCH);
    }
    // `unknown` unless METRICATE_GIT_REVISION was set when this crate
    // compiled.
    assert_eq!(label("revision"), option_env!("METRICATE_GIT_REVISION").unwrap_or("unknown"));

    let line = format!(
        "{BUILD}{{version=\"{}\",rustc=\"{rustc}\",target=\"{target}\",revision=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        label("revision")
    );
    let (text, parsed) = encode_parsed(Format::Prometheus, &registry);
    assert!(text.contains(&format!("# TYPE {BUILD} gauge\n")), "{text}");
    assert_eq!(sample_lines(&text), [line.as_str()], "{text}");
    assert_eq!(parsed.family(BUILD).unwrap().samples[0].label("rustc"), Some(rustc));

    let (text, parsed) = encode_parsed(Format::OpenMetrics, &registry);
    assert!(text.contains(&format!("# TYPE {BUILD_FAMILY} info\n")), "{text}");
    assert_eq!(sample_lines(&text), [line.as_str()], "{text}");
    let family = parsed.family(BUILD_FAMILY).unwrap();
    assert_eq!(family.kind.as_deref(), Some("info"));
    assert_eq!(family.samples[0].label("target"), Some(target));
}

// ---------------------------------------------------------------------------
// StateSet<E>.
// ---------------------------------------------------------------------------

/// The value of each state, in declaration order.
fn states(registry: &Registry<'_>) -> Vec<(&'static str, u64)> {
    series_of(registry, PHASE)
        .into_iter()
        .map(|(labels, value)| {
            assert_eq!(labels.len(), 1, "one label: {labels:?}");
            assert_eq!(labels[0].0, PHASE, "the label is named after the metric");
            match value {
                OwnedValue::Unsigned(v) => (labels[0].1, v),
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

#[test]
fn a_state_set_is_all_zero_until_set_then_exactly_one() {
    let worker = Worker::new_unregistered();
    let registry = registry_of(&worker);
    assert_eq!(registry.get(PHASE).unwrap().descriptor.kind, MetricKind::StateSet);
    assert_eq!((worker.phase.index(), worker.phase.state()), (None, None));
    assert_eq!(states(&registry), [("starting", 0), ("running", 0), ("shutting-down", 0)]);

    worker.phase.set(Phase::Running);
    assert_eq!((worker.phase.index(), worker.phase.state()), (Some(1), Some("running")));
    assert_eq!(states(&registry), [("starting", 0), ("running", 1), ("shutting-down", 0)]);

    worker.phase.set(Phase::ShuttingDown);
    assert_eq!(worker.phase.state(), Some("shutting-down"));
    assert_eq!(states(&registry), [("starting", 0), ("running", 0), ("shutting-down", 1)]);

    worker.phase.set(Phase::Starting);
    worker.phase.set(Phase::Starting);
    assert_eq!(states(&registry), [("starting", 1), ("running", 0), ("shutting-down", 0)]);
}

#[test]
fn a_state_set_is_a_stateset_in_openmetrics_and_a_gauge_in_prometheus_text() {
    let worker = Worker::new_unregistered();
    let registry = registry_of(&worker);

    // Before any state: every sample 0.
    let (text, parsed) = encode_parsed(Format::OpenMetrics, &registry);
    assert_eq!(
        text,
        format!(
            "# TYPE {PHASE} stateset\n# HELP {PHASE} The worker's lifecycle phase.\n\
             {PHASE}{{{PHASE}=\"starting\"}} 0\n{PHASE}{{{PHASE}=\"running\"}} 0\n\
             {PHASE}{{{PHASE}=\"shutting-down\"}} 0\n# EOF\n"
        )
    );
    assert_eq!(parsed.family(PHASE).unwrap().kind.as_deref(), Some("stateset"));

    worker.phase.set(Phase::ShuttingDown);
    let expected_samples = [
        format!("{PHASE}{{{PHASE}=\"starting\"}} 0"),
        format!("{PHASE}{{{PHASE}=\"running\"}} 0"),
        format!("{PHASE}{{{PHASE}=\"shutting-down\"}} 1"),
    ];
    let (text, parsed) = encode_parsed(Format::OpenMetrics, &registry);
    assert!(text.starts_with(&format!("# TYPE {PHASE} stateset\n")), "{text}");
    assert_eq!(sample_lines(&text), expected_samples, "{text}");
    let family = parsed.family(PHASE).unwrap();
    assert_eq!(family.samples.iter().map(|s| s.value).sum::<f64>(), 1.0);
    assert_eq!(family.samples[2].label(PHASE), Some("shutting-down"));

    let (text, parsed) = encode_parsed(Format::Prometheus, &registry);
    assert!(text.contains(&format!("# TYPE {PHASE} gauge\n")), "{text}");
    assert_eq!(sample_lines(&text), expected_samples, "{text}");
    assert_eq!(parsed.family(PHASE).unwrap().kind.as_deref(), Some("gauge"));

    // A quiet encoder writes every state too: each is a value, not an event.
    let mut out = Vec::new();
    Format::OpenMetrics.encode_quiet(&registry, &mut out);
    assert_eq!(sample_lines(&String::from_utf8(out).unwrap()), expected_samples);
}

// ---------------------------------------------------------------------------
// The catalogue.
// ---------------------------------------------------------------------------

#[test]
fn the_catalogue_describes_info_metrics_and_state_sets() {
    let (node, app, worker) = (Node::new_unregistered(), App::new_unregistered(), Worker::new_unregistered());
    let mut registry = Registry::new();
    registry.register_group(&node).unwrap();
    registry.register_group(&app).unwrap();
    registry.register_group(&worker).unwrap();
    let catalog = Catalog::from_descriptors(registry.iter().map(|r| r.descriptor));
    // The registry's own catalogue (with the features that serve it) is the
    // same.
    #[cfg(any(feature = "server", feature = "docs"))]
    assert_eq!(catalog, registry.catalog());

    let role = catalog.metric(ROLE).unwrap();
    assert_eq!((role.kind.as_str(), role.series), ("info", 4));
    let labels: Vec<(&str, Vec<&str>)> =
        role.labels.iter().map(|l| (l.name.as_str(), l.values.iter().map(String::as_str).collect())).collect();
    assert_eq!(labels, [("mode", vec!["primary", "replica"]), ("zone", vec!["eu-west", "us-east"])]);
    assert!(role.quantiles.is_empty() && role.max_age_seconds.is_none() && role.age_buckets.is_none());

    let build = catalog.metric(BUILD).unwrap();
    assert_eq!((build.kind.as_str(), build.series), ("info", 1));
    let names: Vec<&str> = build.labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["version", "rustc", "target", "revision"]);
    // The values are the build's: the catalogue lists the labels without them.
    assert!(build.labels.iter().all(|l| l.build && l.values.is_empty()), "{:?}", build.labels);

    let phase = catalog.metric(PHASE).unwrap();
    assert_eq!((phase.kind.as_str(), phase.series), ("stateset", 3));
    assert_eq!(phase.labels.len(), 1);
    assert_eq!(phase.labels[0].name, PHASE);
    assert_eq!(phase.labels[0].values, ["starting", "running", "shutting-down"]);

    let json = catalog.to_json();
    assert!(json.contains("\"type\": \"info\""), "{json}");
    assert!(json.contains("\"type\": \"stateset\""), "{json}");
    assert_eq!(Catalog::from_json(&json).unwrap(), catalog);
}
