//! Renderings of a [`Catalog`]: [`markdown`] for a repository (people read
//! it on GitHub, CI diffs it, so it is deterministic), [`html`] for one
//! self-contained page with a search box and filters, and [`semconv`] for
//! OpenTelemetry Weaver (its semantic-convention registry YAML).
//!
//! ```
//! use metricate_catalog::json::{Catalog, Metric, MetricLabel, MetricSource};
//!
//! let catalog = Catalog {
//!     schema: metricate_catalog::json::SCHEMA.to_owned(),
//!     schema_version: metricate_catalog::json::SCHEMA_VERSION,
//!     metrics: vec![Metric {
//!         name: "trc_http_requests_total".to_owned(),
//!         kind: metricate_catalog::MetricKind::Counter,
//!         unit: None,
//!         help: "HTTP requests handled.".to_owned(),
//!         subsystem: "http".to_owned(),
//!         labels: vec![MetricLabel {
//!             name: "method".to_owned(),
//!             values: vec!["get".to_owned(), "post".to_owned()],
//!             unknown: false,
//!             cap: None,
//!             build: false,
//!             errors: Vec::new(),
//!         }],
//!         buckets: vec![],
//!         quantiles: Vec::new(),
//!         max_age_seconds: None,
//!         age_buckets: None,
//!         exemplars: false,
//!         created: false,
//!         alerts: vec![],
//!         series: 2,
//!         version: "1.0.0".to_owned(),
//!         deprecated: None,
//!         quiet: false,
//!         source: MetricSource {
//!             file: "src/http.rs".to_owned(),
//!             line: 12,
//!             column: 5,
//!             module: "app::http".to_owned(),
//!             function: None,
//!         },
//!     }],
//! };
//!
//! let expected = [
//!     "# Metrics catalogue",
//!     "",
//!     "1 metric in 1 subsystem: 1 counter.",
//!     "",
//!     "## http",
//!     "",
//!     "### `trc_http_requests_total`",
//!     "",
//!     "HTTP requests handled.",
//!     "",
//!     "- **Type:** counter",
//!     "- **Labels:**",
//!     "  - `method`: `get`, `post`",
//!     "- **Series:** 2",
//!     "- **Version:** 1.0.0",
//!     "- **Declared at:** `src/http.rs:12:5` in `app::http`",
//!     "",
//! ];
//! assert_eq!(metricate_catalog::render::markdown(&catalog), expected.join("\n"));
//!
//! let page = metricate_catalog::render::html(&catalog);
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(page.contains(r#"data-metric="trc_http_requests_total""#));
//! ```
//!
//! Markdown and HTML group the metrics by subsystem (sorted, the metrics
//! without one last) and sort each group by name, whatever the order of the
//! catalogue.

mod html;
mod markdown;
mod semconv;

use std::fmt::Write as _;

use crate::MetricKind;
use crate::json::{Catalog, Metric};

/// The title of both renderings.
const TITLE: &str = "Metrics catalogue";

/// The catalogue as Markdown, grouped by subsystem.
///
/// A `##` section per subsystem (`(no subsystem)` last), a `###` section per
/// metric with its help, type, unit, labels and their values, a state set's
/// states, buckets, a summary's quantiles and window, exemplars and `_created`
/// samples, series, version, deprecation and declaration site. Help text is
/// escaped so that it renders as written.
pub fn markdown(catalog: &Catalog) -> String {
    markdown::render(catalog)
}

/// The catalogue as one self-contained HTML page.
///
/// The page fetches nothing (no fonts, styles or scripts from elsewhere; a
/// content security policy forbids it). Every metric is an `<article>` with a
/// `data-metric` attribute holding its name. The inline script adds a search
/// box and subsystem and type filters; without it every metric shows.
pub fn html(catalog: &Catalog) -> String {
    html::render(catalog)
}

/// The catalogue as OpenTelemetry semantic conventions: a registry file in
/// the YAML syntax OpenTelemetry Weaver reads (the `groups:` syntax of its
/// `semconv.schema.json`), so that conventions managed with Weaver can be
/// diffed and checked against the declared metrics.
///
/// One attribute group (`registry.metricate`) defines every label name once,
/// as an enum of its declared values or, bounded at run time or the build's,
/// a string. Then a `metric.<name>` group per metric, sorted by name: named
/// and with the unit and instrument the OTLP sink sends (a counter without
/// `_total`; `s`, `By`, `1`...; a summary, which OpenTelemetry has no
/// instrument for, as a histogram), its help as the brief, a stability from
/// its version, its deprecation, its labels as required references, and
/// its Prometheus name, type, subsystem and version in `annotations`.
///
/// ```
/// # use metricate_catalog::json::{Catalog, Metric, MetricLabel, MetricSource};
/// # let metric = Metric {
/// #     name: "trc_http_requests_total".to_owned(), kind: metricate_catalog::MetricKind::Counter, unit: None,
/// #     help: "HTTP requests handled.".to_owned(), subsystem: "http".to_owned(),
/// #     labels: vec![MetricLabel {
/// #         name: "method".to_owned(), values: vec!["get".to_owned(), "post".to_owned()],
/// #         unknown: false, cap: None, build: false, errors: vec![],
/// #     }],
/// #     buckets: vec![], quantiles: vec![], max_age_seconds: None, age_buckets: None,
/// #     exemplars: false, created: false, alerts: vec![], series: 2, version: "1.0.0".to_owned(),
/// #     deprecated: None, quiet: false,
/// #     source: MetricSource {
/// #         file: "src/http.rs".to_owned(), line: 12, column: 5, module: "app::http".to_owned(), function: None,
/// #     },
/// # };
/// # let catalog = Catalog { schema: "metrics-catalog".to_owned(), schema_version: 1, metrics: vec![metric] };
/// let yaml = metricate_catalog::render::semconv(&catalog);
/// assert!(yaml.contains("\n  - id: \"metric.trc_http_requests\"\n    type: metric\n"));
/// assert!(yaml.contains("\n    instrument: counter\n    unit: \"\"\n"));
/// assert!(yaml.contains("\n      - ref: \"method\"\n        requirement_level: required\n"));
/// ```
pub fn semconv(catalog: &Catalog) -> String {
    semconv::render(catalog)
}

/// The metrics grouped by subsystem: the named subsystems in order, then the
/// metrics without one (subsystem `""`), each group sorted by name.
fn by_subsystem(catalog: &Catalog) -> Vec<(&str, Vec<&Metric>)> {
    let mut groups: Vec<(&str, Vec<&Metric>)> = Vec::new();
    let mut metrics: Vec<&Metric> = catalog.metrics.iter().collect();
    metrics.sort_by(|a, b| {
        (a.subsystem.is_empty(), &a.subsystem, &a.name).cmp(&(b.subsystem.is_empty(), &b.subsystem, &b.name))
    });
    for metric in metrics {
        match groups.last_mut() {
            Some((subsystem, group)) if *subsystem == metric.subsystem => group.push(metric),
            _ => groups.push((&metric.subsystem, vec![metric])),
        }
    }
    groups
}

/// Each kind the catalogue has with its number of metrics, in the order of
/// [`MetricKind::ALL`].
fn kinds(catalog: &Catalog) -> Vec<(MetricKind, usize)> {
    MetricKind::ALL
        .into_iter()
        .map(|kind| (kind, catalog.metrics.iter().filter(|m| m.kind == kind).count()))
        .filter(|&(_, n)| n > 0)
        .collect()
}

/// `n` metrics of `kind` as the summary counts them: `1 counter`,
/// `2 summaries`, `1 state set`.
pub(crate) fn count(n: usize, kind: MetricKind) -> String {
    let (one, several) = kind.nouns();
    format!("{n} {}", if n == 1 { one } else { several })
}

/// One line that sums the catalogue up, e.g. `75 metrics in 8 subsystems:
/// 40 counters, 20 gauges, 15 histograms; 1 deprecated.`
fn summary(catalog: &Catalog) -> String {
    let metrics = &catalog.metrics;
    let mut subsystems: Vec<&str> = metrics.iter().map(|m| m.subsystem.as_str()).filter(|s| !s.is_empty()).collect();
    subsystems.sort_unstable();
    subsystems.dedup();
    let counts: Vec<String> = kinds(catalog).into_iter().map(|(kind, n)| count(n, kind)).collect();
    // Writing to a String cannot fail: the results below are ignored.
    let mut line = format!("{} in {}", plural(metrics.len(), "metric"), plural(subsystems.len(), "subsystem"));
    let without = metrics.iter().filter(|m| m.subsystem.is_empty()).count();
    if without > 0 {
        let _ = write!(line, " (and {without} without one)");
    }
    if !counts.is_empty() {
        line.push_str(": ");
        line.push_str(&counts.join(", "));
    }
    let deprecated = metrics.iter().filter(|m| m.deprecated.is_some()).count();
    if deprecated > 0 {
        let _ = write!(line, "; {deprecated} deprecated");
    }
    line.push('.');
    line
}

/// What the series line adds for a quiet metric (one with labels: a metric
/// without any always exposes its one series), or nothing.
fn quiet(metric: &Metric) -> &'static str {
    if metric.quiet && !metric.labels.is_empty() { ", only those recorded to are exposed (quiet)" } else { "" }
}

/// `1 metric`, `2 metrics`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// A deprecation reason as a sentence: trimmed, ending in a full stop.
fn sentence(reason: &str) -> String {
    let reason = reason.trim();
    if reason.is_empty() || reason.ends_with(['.', '!', '?']) { reason.to_owned() } else { format!("{reason}.") }
}

/// A bucket bound or a quantile as people write it: `0.005`, `1`, `2.5`.
fn bound(value: f64) -> String {
    format!("{value}")
}

/// A list of bounds or quantiles: `0.5, 0.9, 0.99`.
fn bounds(values: &[f64]) -> String {
    values.iter().map(|v| bound(*v)).collect::<Vec<_>>().join(", ")
}

/// What a summary's quantiles are computed over, after the list of them:
/// ` over the last 10 min, moving in 5 steps of 2 min`, or nothing when the
/// catalogue does not say.
fn window(metric: &Metric) -> String {
    let Some(max_age) = metric.max_age_seconds else { return String::new() };
    let mut line = format!(" over the last {}", duration(max_age));
    if let Some(steps) = metric.age_buckets.filter(|&n| n > 0) {
        let _ = write!(line, ", moving in {}", plural(steps as usize, "step"));
        if max_age % u64::from(steps) == 0 {
            let _ = write!(line, " of {}", duration(max_age / u64::from(steps)));
        }
    }
    line
}

/// A number of seconds in the largest unit that divides it: `90 s`,
/// `10 min`, `2 h`.
fn duration(seconds: u64) -> String {
    match seconds {
        0 => "0 s".to_owned(),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// What the exposition formats other than OpenMetrics leave out.
const OPENMETRICS_ONLY: &str = "(OpenMetrics only)";

/// Which exemplars a metric's series carry, when they carry any: the latest
/// per series of a counter, per bucket of a histogram.
fn exemplars(metric: &Metric) -> Option<&'static str> {
    if !metric.exemplars {
        return None;
    }
    Some(match metric.kind {
        MetricKind::Counter => "yes, the latest of each series",
        MetricKind::Histogram => "yes, the latest of each bucket",
        _ => "yes",
    })
}

/// The name of the `_created` sample OpenMetrics writes for the metric, when
/// it writes one: the family name (a counter's without `_total`) and
/// `_created`.
fn created(metric: &Metric) -> Option<String> {
    if !metric.created {
        return None;
    }
    let name = metric.name.as_str();
    let family = if metric.kind == MetricKind::Counter { name.strip_suffix("_total").unwrap_or(name) } else { name };
    Some(format!("{family}_created"))
}

/// What a state set's series hold, after its states and their label.
const STATES: &str = "1 for the current state, 0 for the others";

/// What an info metric's value is.
const INFO_VALUE: &str = "always 1: the labels carry the information";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{Metric, MetricLabel, MetricSource};

    fn metric(name: &str, kind: &str, subsystem: &str) -> Metric {
        Metric {
            name: name.to_owned(),
            kind: MetricKind::from_type_word(kind).unwrap(),
            unit: None,
            help: String::new(),
            subsystem: subsystem.to_owned(),
            labels: vec![],
            buckets: vec![],
            quantiles: Vec::new(),
            max_age_seconds: None,
            age_buckets: None,
            exemplars: false,
            created: false,
            alerts: vec![],
            series: 1,
            version: "1.0.0".to_owned(),
            deprecated: None,
            quiet: false,
            source: MetricSource {
                file: "f.rs".to_owned(),
                line: 1,
                column: 1,
                module: "m".to_owned(),
                function: None,
            },
        }
    }

    fn catalog(metrics: Vec<Metric>) -> Catalog {
        Catalog { schema: crate::json::SCHEMA.to_owned(), schema_version: 1, metrics }
    }

    #[test]
    fn groups_sort_subsystems_then_names_with_the_unnamed_group_last() {
        let catalog = catalog(vec![
            metric("c", "gauge", ""),
            metric("b", "counter", "zeta"),
            metric("a", "counter", "alpha"),
            metric("d", "counter", "zeta"),
            metric("a2", "counter", ""),
        ]);
        let groups: Vec<(&str, Vec<&str>)> = by_subsystem(&catalog)
            .into_iter()
            .map(|(s, ms)| (s, ms.into_iter().map(|m| m.name.as_str()).collect()))
            .collect();
        assert_eq!(groups, [("alpha", vec!["a"]), ("zeta", vec!["b", "d"]), ("", vec!["a2", "c"])]);
    }

    #[test]
    fn summary_counts_kinds_subsystems_and_deprecations() {
        let mut old = metric("d", "summary", "x");
        old.deprecated = Some(crate::json::Deprecated { reason: "r".to_owned(), replacement: None });
        let catalog = catalog(vec![metric("a", "counter", "x"), metric("b", "histogram", ""), old]);
        assert_eq!(
            summary(&catalog),
            "3 metrics in 1 subsystem (and 1 without one): 1 counter, 1 histogram, 1 summary; 1 deprecated."
        );
        assert_eq!(summary(&super::tests::catalog(vec![])), "0 metrics in 0 subsystems.");
    }

    #[test]
    fn summary_names_every_kind_in_order() {
        let kinds = ["stateset", "info", "summary", "summary", "histogram", "gauge", "counter"];
        let catalog = catalog(kinds.iter().enumerate().map(|(i, k)| metric(&format!("m{i}"), k, "x")).collect());
        assert_eq!(
            summary(&catalog),
            "7 metrics in 1 subsystem: 1 counter, 1 gauge, 1 histogram, 2 summaries, 1 info metric, 1 state set."
        );
    }

    #[test]
    fn windows_read_in_the_largest_unit() {
        let mut m = metric("s", "summary", "");
        assert_eq!(window(&m), "");
        m.max_age_seconds = Some(600);
        assert_eq!(window(&m), " over the last 10 min");
        m.age_buckets = Some(5);
        assert_eq!(window(&m), " over the last 10 min, moving in 5 steps of 2 min");
        m.age_buckets = Some(1);
        assert_eq!(window(&m), " over the last 10 min, moving in 1 step of 10 min");
        m.max_age_seconds = Some(10);
        m.age_buckets = Some(3);
        assert_eq!(window(&m), " over the last 10 s, moving in 3 steps");
        m.age_buckets = Some(0);
        assert_eq!(window(&m), " over the last 10 s");
        assert_eq!([0, 90, 120, 7200, 5400].map(duration), ["0 s", "90 s", "2 min", "2 h", "90 min"]);
    }

    #[test]
    fn created_samples_are_named_after_the_family() {
        let mut m = metric("trc_jobs_total", "counter", "");
        assert_eq!(created(&m), None);
        m.created = true;
        assert_eq!(created(&m).as_deref(), Some("trc_jobs_created"));
        let mut s = metric("trc_step_seconds", "summary", "");
        s.created = true;
        assert_eq!(created(&s).as_deref(), Some("trc_step_seconds_created"));
    }

    #[test]
    fn only_a_state_sets_own_label_holds_its_states() {
        let label = |name: &str| MetricLabel {
            name: name.to_owned(),
            values: vec![],
            unknown: false,
            cap: None,
            build: false,
            errors: vec![],
        };
        let mut m = metric("trc_phase", "stateset", "");
        m.labels = vec![label("zone"), label("trc_phase")];
        assert_eq!(m.state_label().map(|l| l.name.as_str()), Some("trc_phase"));
        assert_eq!(m.series_labels().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["zone"]);
        m.kind = MetricKind::Gauge;
        assert_eq!(m.state_label(), None);
        assert_eq!(m.series_labels().count(), 2);
    }

    #[test]
    fn bounds_are_written_shortest() {
        assert_eq!([0.005, 1.0, 2.5, 10.0, 1e-7].map(bound), ["0.005", "1", "2.5", "10", "0.0000001"]);
    }
}
