//! Prometheus rules generated from a catalogue (`catalog rules`): the
//! recording rules that alerts and dashboards read, the alerts declared with
//! `#[alert(..)]`, and unit tests of those alerts for `promtool test rules`.
//!
//! Recording rules are named `level:metric:operations` and aggregate by
//! `job`, and exist only where something reads them, not one per metric:
//!
//! - `job:<counter>:rate5m` and `job:<counter>:error_ratio5m` for every
//!   counter with a label whose values are marked `#[label(error)]` (the
//!   operations of a component and the share of them that fail; `<counter>`
//!   without `_total`); with several such labels, one ratio per label,
//!   `job:<counter>:<label>_error_ratio5m`;
//! - `job:<histogram>:quantile5m` with a `quantile` label of `0.5`, `0.95`
//!   and `0.99`, for every histogram in seconds (latencies);
//! - for each alert, what it reads over its own window when none of the
//!   above is it (e.g. `job:<counter>:error_ratio10m`, or another quantile).
//!
//! An error ratio counts the failing share of a counter's increase; when no
//! failure has been counted its numerator is 0, not missing, so the ratio is
//! 0 and not absent while the counter moves.
//!
//! ```
//! use metricate_catalog::alerting::{Options, rule_file};
//! use metricate_catalog::json::Catalog;
//!
//! let catalog = Catalog::from_json(&std::fs::read_to_string("tests/golden/alerts.json").unwrap()).unwrap();
//! let rules = rule_file(&catalog, &Options::default()).unwrap();
//! assert!(rules.contains("record: job:app_http_requests:error_ratio5m"));
//! assert!(rules.contains("alert: AppApiErrorRatioHigh"));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::MetricKind;
use crate::json::{Alert, Catalog, Metric};

mod promtool;

pub use promtool::rule_tests;

/// How the rules are written.
#[derive(Clone, Debug)]
pub struct Options {
    /// The address of the runbooks (the catalogue page); each alert's
    /// `runbook_url` is this with `#alert-<name>` appended.
    pub runbook_url: String,
}

impl Default for Options {
    fn default() -> Options {
        Options { runbook_url: "METRICS.md".to_owned() }
    }
}

/// The window of the recording rules that alerts and dashboards share.
const WINDOW: u64 = 300;

/// The quantiles recorded for every latency histogram.
const QUANTILES: [f64; 3] = [0.5, 0.95, 0.99];

/// One recording rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    /// The recorded series' name.
    pub record: String,
    /// Its PromQL expression.
    pub expr: String,
    /// Labels the rule adds (`quantile`).
    pub labels: Vec<(String, String)>,
}

/// One alerting rule.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRule {
    /// The alert's name.
    pub name: String,
    /// Its PromQL expression.
    pub expr: String,
    /// How long it must hold, in seconds.
    pub for_seconds: u64,
    /// The `severity` label.
    pub severity: String,
    /// `summary`, `description` and `runbook_url`, in that order.
    pub annotations: Vec<(String, String)>,
}

/// The rules of one subsystem: its group of the rule file.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// `metricate.<subsystem>` (`metricate` for metrics without one).
    pub name: String,
    /// The recording rules, in order of the metrics' names.
    pub recordings: Vec<Recording>,
    /// The alerts, in order of the metrics' names then declaration.
    pub alerts: Vec<AlertRule>,
}

/// Why a catalogue's alerts cannot become rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(pub Vec<String>);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for Error {}

/// A number of seconds as Prometheus writes a duration: `5m`, `1h30m`, `90s`
/// is `1m30s`.
pub fn prometheus_duration(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    let mut rest = seconds;
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            let _ = write!(out, "{}{unit}", rest / size);
            rest %= size;
        }
    }
    out
}

/// The anchor of an alert's runbook in the Markdown and HTML catalogues.
pub fn runbook_anchor(alert: &str) -> String {
    format!("alert-{}", alert.to_ascii_lowercase())
}

/// A counter's name without `_total`, as recording rules name it.
fn base(metric: &Metric) -> &str {
    metric.name.strip_suffix("_total").unwrap_or(&metric.name)
}

fn error_matcher(label: &str, errors: &[String]) -> String {
    let alternatives: Vec<String> = errors.iter().map(|e| regex_escape(e)).collect();
    format!("{label}=~{}", promql_string(&alternatives.join("|")))
}

/// A value as a regular expression that matches only it (RE2 syntax), for
/// `label=~"..."`.
pub(crate) fn regex_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text as the inside of a PromQL (and YAML) double-quoted string: `\`, `"`
/// and line feed escaped, as in a label value of an exposition.
pub(crate) fn promql_escape(text: &str) -> String {
    crate::escape::label_value(text).into_owned()
}

/// A PromQL (and YAML) double-quoted string.
fn promql_string(text: &str) -> String {
    format!("\"{}\"", promql_escape(text))
}

fn ratio_expr(metric: &Metric, label: &str, errors: &[String], window: u64) -> String {
    let (name, w) = (&metric.name, prometheus_duration(window));
    let matcher = error_matcher(label, errors);
    format!(
        "(sum by (job) (rate({name}{{{matcher}}}[{w}])) or sum by (job) (rate({name}[{w}])) * 0) / sum by (job) (rate({name}[{w}]))"
    )
}

fn quantile_expr(metric: &Metric, quantile: f64, window: u64) -> String {
    format!(
        "histogram_quantile({quantile}, sum by (job, le) (rate({}_bucket[{}])))",
        metric.name,
        prometheus_duration(window)
    )
}

/// The labels of `metric` with values marked as errors, and those values.
fn marked(metric: &Metric) -> Vec<(&str, &[String])> {
    metric.labels.iter().filter(|l| !l.errors.is_empty()).map(|l| (l.name.as_str(), l.errors.as_slice())).collect()
}

/// The series the rule file records for a counter of operations (one with a
/// label whose values are marked as failures): its rate by job, and its error
/// ratio by job for each such label, `(label, record)`; over 5 minutes.
/// `None` for any other metric. The overview dashboard reads these.
pub fn recorded_operations(metric: &Metric) -> Option<(String, Vec<(String, String)>)> {
    let marked = marked(metric);
    if metric.kind != MetricKind::Counter || marked.is_empty() {
        return None;
    }
    let b = base(metric);
    let ratios = marked
        .iter()
        .map(|(label, _)| {
            let name = if marked.len() == 1 {
                format!("job:{b}:error_ratio5m")
            } else {
                format!("job:{b}:{label}_error_ratio5m")
            };
            ((*label).to_owned(), name)
        })
        .collect();
    Some((format!("job:{b}:rate5m"), ratios))
}

fn is_latency(metric: &Metric) -> bool {
    metric.kind == MetricKind::Histogram && metric.unit.as_deref() == Some("seconds")
}

/// The recording rules of one metric, and each alert's expression.
struct MetricRules {
    recordings: Vec<Recording>,
    alerts: Vec<AlertRule>,
}

fn metric_rules(metric: &Metric, options: &Options, problems: &mut Vec<String>) -> MetricRules {
    let mut recordings: Vec<Recording> = Vec::new();
    let record = |recordings: &mut Vec<Recording>, record: String, expr: String, labels: Vec<(String, String)>| {
        if !recordings.iter().any(|r| r.record == record && r.labels == labels) {
            recordings.push(Recording { record, expr, labels });
        }
    };
    let marked = marked(metric);
    if let Some((rate, ratios)) = recorded_operations(metric) {
        record(&mut recordings, rate, format!("sum by (job) (rate({}[5m]))", metric.name), vec![]);
        for ((label, errors), (_, name)) in marked.iter().zip(ratios) {
            record(&mut recordings, name, ratio_expr(metric, label, errors, WINDOW), vec![]);
        }
    }
    if is_latency(metric) {
        for q in QUANTILES {
            let labels = vec![("quantile".to_owned(), q.to_string())];
            record(
                &mut recordings,
                format!("job:{}:quantile5m", metric.name),
                quantile_expr(metric, q, WINDOW),
                labels,
            );
        }
    }
    let mut alerts = Vec::new();
    for alert in &metric.alerts {
        let Some((comparison, threshold)) = condition(metric, alert, problems) else { continue };
        let w = prometheus_duration(alert.window_seconds);
        let expr = match alert.condition.as_str() {
            "error_ratio" => {
                let label = alert.label.clone().unwrap_or_default();
                let ratio = ratio_expr(metric, &label, &alert.errors, alert.window_seconds);
                // The shared name unless it records other failures; then one
                // named after the label and its failure values.
                let mut name = format!("job:{}:error_ratio{w}", base(metric));
                if recordings.iter().any(|r| r.record == name && r.expr != ratio) {
                    let values = alert.errors.iter().map(|e| sanitize(e)).collect::<Vec<_>>().join("_");
                    name = format!("job:{}:{label}_{values}_ratio{w}", base(metric));
                }
                record(&mut recordings, name.clone(), ratio, vec![]);
                format!("{name} {comparison} {threshold}")
            }
            "quantile" => {
                let q = alert.quantile.unwrap_or_default();
                let name = format!("job:{}:quantile{w}", metric.name);
                let labels = vec![("quantile".to_owned(), q.to_string())];
                record(&mut recordings, name.clone(), quantile_expr(metric, q, alert.window_seconds), labels);
                format!("{name}{{quantile=\"{q}\"}} {comparison} {threshold}")
            }
            "value" => format!("{} {comparison} {threshold}", metric.name),
            _ => format!("absent({})", metric.presence_series()),
        };
        alerts.push(AlertRule {
            name: alert.name.clone(),
            expr,
            for_seconds: alert.for_seconds,
            severity: alert.severity.clone(),
            annotations: annotations(metric, alert, options),
        });
    }
    MetricRules { recordings, alerts }
}

/// A label value as a part of a metric name: every character outside
/// `[a-zA-Z0-9_]` becomes `_`.
fn sanitize(value: &str) -> String {
    value.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

/// The operator and threshold of an alert, checked against its metric (a
/// catalogue file can be edited by hand); `("", "")` for `absent`.
fn condition(metric: &Metric, alert: &Alert, problems: &mut Vec<String>) -> Option<(String, String)> {
    let name = &alert.name;
    let key = match alert.condition.as_str() {
        "value" if alert.op == "<" => "below",
        "value" => "above",
        key @ ("error_ratio" | "quantile" | "absent") => key,
        other => {
            problems.push(format!("alert `{name}` on `{}` has unknown condition `{other}`", metric.name));
            return None;
        }
    };
    let kind = metric.kind;
    // The rule the derive checks at compile time (a catalogue file can be
    // edited by hand).
    if let Some(violation) = crate::rules::check_a2(&metric.name, kind, !metric.labels.is_empty(), key) {
        problems.push(format!("alert `{name}`: {}", violation.message));
        return None;
    }
    if key == "absent" {
        return Some((String::new(), String::new()));
    }
    let threshold = alert.threshold.filter(|t| t.is_finite());
    let op = crate::alert::Comparison::from_operator(&alert.op);
    let (Some(threshold), Some(op)) = (threshold, op) else {
        problems.push(format!("alert `{name}` on `{}` has no finite threshold with `>` or `<`", metric.name));
        return None;
    };
    if alert.condition == "error_ratio" && (alert.label.is_none() || alert.errors.is_empty()) {
        problems.push(format!("alert `{name}` on `{}` names no label and failure values", metric.name));
        return None;
    }
    if alert.condition != "value" && alert.window_seconds == 0 {
        problems.push(format!("alert `{name}` on `{}` has no window", metric.name));
        return None;
    }
    Some((op.operator().to_owned(), threshold.to_string()))
}

/// What an alert's condition says, as a sentence: "fires when ...".
pub fn condition_text(metric: &Metric, alert: &Alert) -> String {
    let w = prometheus_duration(alert.window_seconds);
    let threshold = alert.threshold.map(|t| t.to_string()).unwrap_or_default();
    let unit = metric.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
    let held = match alert.for_seconds {
        0 => String::new(),
        s => format!(" for {}", prometheus_duration(s)),
    };
    match alert.condition.as_str() {
        "error_ratio" => {
            let values: Vec<String> = alert.errors.iter().map(|e| format!("\"{e}\"")).collect();
            format!(
                "Fires when more than {threshold} of the increase of {} over {w} has {} {}{held}.",
                metric.name,
                alert.label.as_deref().unwrap_or_default(),
                values.join(" or ")
            )
        }
        "quantile" => format!(
            "Fires when the {} quantile of {} over {w} is above {threshold}{unit}{held}.",
            alert.quantile.unwrap_or_default(),
            metric.name
        ),
        "value" => format!(
            "Fires for each series of {} {} {threshold}{unit}{held}.",
            metric.name,
            if alert.op == "<" { "below" } else { "above" }
        ),
        _ => format!("Fires when no series of {} is scraped{held}.", metric.name),
    }
}

fn annotations(metric: &Metric, alert: &Alert, options: &Options) -> Vec<(String, String)> {
    vec![
        ("summary".to_owned(), alert.summary.clone()),
        ("description".to_owned(), format!("{} {}", metric.help.trim(), condition_text(metric, alert))),
        ("runbook_url".to_owned(), format!("{}#{}", options.runbook_url, runbook_anchor(&alert.name))),
    ]
}

/// What the runbook of one alert shows.
#[derive(Clone, Debug)]
pub struct Runbook<'c> {
    /// The alert, as declared.
    pub alert: &'c Alert,
    /// The metric it is declared on.
    pub metric: &'c Metric,
    /// Its rule's expression; `None` when the catalogue's alert cannot be
    /// computed (`catalog rules` says why).
    pub expr: Option<String>,
    /// The recording rules the expression reads.
    pub recordings: Vec<Recording>,
}

/// The runbooks of a catalogue's alerts, in order of the alerts' names.
pub fn runbooks(catalog: &Catalog) -> Vec<Runbook<'_>> {
    let mut runbooks = Vec::new();
    for metric in &catalog.metrics {
        let rules = metric_rules(metric, &Options::default(), &mut Vec::new());
        for alert in &metric.alerts {
            let expr = rules.alerts.iter().find(|a| a.name == alert.name).map(|a| a.expr.clone());
            let recordings = match &expr {
                Some(expr) => rules
                    .recordings
                    .iter()
                    .filter(|r| {
                        expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                            .any(|w| w == r.record)
                            && r.labels.iter().all(|(k, v)| expr.contains(&format!("{k}=\"{v}\"")))
                    })
                    .cloned()
                    .collect(),
                None => Vec::new(),
            };
            runbooks.push(Runbook { alert, metric, expr, recordings });
        }
    }
    runbooks.sort_by(|a, b| a.alert.name.cmp(&b.alert.name));
    runbooks
}

/// The rules of a catalogue, one group per subsystem in order of name;
/// subsystems with no rules have no group. Fails on alerts that cannot be
/// computed (a hand-edited catalogue) and on two alerts of one name (A5).
pub fn groups(catalog: &Catalog, options: &Options) -> Result<Vec<Group>, Error> {
    let mut problems = Vec::new();
    let pairs = catalog.metrics.iter().flat_map(|m| m.alerts.iter().map(move |a| (a.name.as_str(), m.name.as_str())));
    problems.extend(crate::rules::check_a5(pairs).into_iter().map(|v| v.message));
    let mut by_subsystem: BTreeMap<&str, Vec<&Metric>> = BTreeMap::new();
    for metric in &catalog.metrics {
        by_subsystem.entry(metric.subsystem.as_str()).or_default().push(metric);
    }
    let mut groups = Vec::new();
    for (subsystem, mut metrics) in by_subsystem {
        metrics.sort_by(|a, b| a.name.cmp(&b.name));
        let name = if subsystem.is_empty() { "metricate".to_owned() } else { format!("metricate.{subsystem}") };
        let mut group = Group { name, recordings: Vec::new(), alerts: Vec::new() };
        for metric in metrics {
            let rules = metric_rules(metric, options, &mut problems);
            group.recordings.extend(rules.recordings);
            group.alerts.extend(rules.alerts);
        }
        if !group.recordings.is_empty() || !group.alerts.is_empty() {
            groups.push(group);
        }
    }
    if problems.is_empty() { Ok(groups) } else { Err(Error(problems)) }
}

/// The Prometheus rule file of a catalogue (YAML): see [`groups`].
pub fn rule_file(catalog: &Catalog, options: &Options) -> Result<String, Error> {
    let groups = groups(catalog, options)?;
    let mut out = String::from(
        "# Recording and alerting rules generated from a metricate catalogue by `catalog rules`:\n\
         # regenerate them instead of editing them.\n",
    );
    if groups.is_empty() {
        out.push_str("groups: []\n");
        return Ok(out);
    }
    out.push_str("groups:\n");
    for group in &groups {
        let _ = writeln!(out, "  - name: {}", promql_string(&group.name));
        out.push_str("    rules:\n");
        for r in &group.recordings {
            let _ = writeln!(out, "      - record: {}", r.record);
            let _ = writeln!(out, "        expr: {}", promql_string(&r.expr));
            if !r.labels.is_empty() {
                out.push_str("        labels:\n");
                for (k, v) in &r.labels {
                    let _ = writeln!(out, "          {k}: {}", promql_string(v));
                }
            }
        }
        for a in &group.alerts {
            let _ = writeln!(out, "      - alert: {}", a.name);
            let _ = writeln!(out, "        expr: {}", promql_string(&a.expr));
            let _ = writeln!(out, "        for: {}", prometheus_duration(a.for_seconds));
            out.push_str("        labels:\n");
            let _ = writeln!(out, "          severity: {}", promql_string(&a.severity));
            out.push_str("        annotations:\n");
            for (k, v) in &a.annotations {
                let _ = writeln!(out, "          {k}: {}", promql_string(v));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_prometheus_writes_them() {
        assert_eq!(prometheus_duration(0), "0s");
        assert_eq!(prometheus_duration(90), "1m30s");
        assert_eq!(prometheus_duration(300), "5m");
        assert_eq!(prometheus_duration(5400), "1h30m");
        assert_eq!(prometheus_duration(86_400 + 1), "1d1s");
    }

    #[test]
    fn label_values_are_literal_in_matchers() {
        assert_eq!(error_matcher("status", &["500".to_owned(), "5.x".to_owned()]), r#"status=~"500|5\\.x""#);
        assert_eq!(promql_string("a \"b\" \\"), r#""a \"b\" \\""#);
        assert_eq!(regex_escape("a.b|c(d)"), r"a\.b\|c\(d\)");
        assert_eq!(promql_escape(r#"a\.b "q""#), r#"a\\.b \"q\""#);
        assert_eq!(sanitize("5xx-server"), "5xx_server");
    }
}
