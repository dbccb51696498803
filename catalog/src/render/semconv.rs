//! The OpenTelemetry semantic-convention rendering: a registry file in the
//! YAML syntax OpenTelemetry Weaver reads (its `semconv.schema.json`, the
//! `groups:` form), written by hand so that the output is deterministic and
//! every string is quoted the same way.
//!
//! The mapping, and why:
//!
//! - Every label name is one attribute, defined once in the attribute group
//!   [`REGISTRY`] and referenced (`ref`) by each metric that has it: Weaver
//!   refuses an attribute id defined twice, and the id must be the label name,
//!   which is the attribute key the OTLP sink sends. A label whose values are
//!   all declared is an enum of the values every metric gives it (semantic
//!   convention enums are open, so the union is right for each metric; the
//!   reference's note lists a metric's own values when they are fewer). A
//!   label bounded at run time, or holding the build's value, is a `string`.
//! - Every metric is a group `metric.<name>`, named as the OTLP sink names it
//!   (a counter without `_total`) with the UCUM unit the sink sends (none for
//!   a metric without a unit, or with a unit the sink has no UCUM spelling
//!   for). The instrument is what the sink's data points are, so that Weaver's
//!   live check matches: counter → `counter` (a monotonic sum); gauge, info
//!   metric and state set → `gauge` (a gauge can be set, which an
//!   `updowncounter` cannot express, and the sink sends gauge points);
//!   histogram → `histogram`. A summary has no OpenTelemetry instrument: it is
//!   listed as a `histogram` (it records the same measurements; leaving it out
//!   would hide it from a diff) and its note says so.
//! - Every label is `requirement_level: required`: every series of a metric
//!   carries all of its labels.
//! - The stability follows the metric's semver version: `0.x` is
//!   `development`, a `-alpha`, `-beta` or `-rc` pre-release of `1.0` or later
//!   is `alpha`, `beta` or `release_candidate`, a release is `stable`. An
//!   attribute is as stable as the most stable metric that has it.
//! - A deprecation with a replacement is `renamed` to the replacement's
//!   OpenTelemetry name, one without is `obsoleted`; the reason is the note.
//! - The Prometheus name and type, the subsystem, the version, buckets and
//!   quantiles are kept in the group's `annotations` (under `metricate`), and
//!   the Prometheus name in the note.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{INFO_VALUE, STATES, bounds, sentence, window};
use crate::MetricKind;
use crate::json::{Catalog, Metric, MetricLabel};
use crate::version::Version;

/// The id of the attribute group that defines every label.
const REGISTRY: &str = "registry.metricate";

pub(super) fn render(catalog: &Catalog) -> String {
    let metrics = sorted(catalog);
    let attributes = attributes(&metrics);
    let mut out = String::from(
        "# The metrics of a metricate catalogue as OpenTelemetry semantic conventions, in the\n\
         # registry syntax OpenTelemetry Weaver reads. Written by `catalog render --format semconv`:\n\
         # regenerate it instead of editing it.\n",
    );
    if metrics.is_empty() {
        out.push_str("groups: []\n");
        return out;
    }
    out.push_str("groups:\n");
    if !attributes.is_empty() {
        write_registry(&mut out, &attributes);
    }
    for entry in &metrics {
        write_metric(&mut out, entry, &metrics, &attributes);
    }
    out
}

/// A metric with the names it takes here.
struct Entry<'c> {
    metric: &'c Metric,
    /// The OpenTelemetry name: what the OTLP sink calls it.
    name: &'c str,
    /// The group id: `metric.` and the name, or the Prometheus name when
    /// another metric has the same OpenTelemetry name.
    id: String,
    /// Whether another metric has the same OpenTelemetry name.
    clash: bool,
}

/// The metrics in group order: by OpenTelemetry name, then Prometheus name.
fn sorted(catalog: &Catalog) -> Vec<Entry<'_>> {
    let mut metrics: Vec<&Metric> = catalog.metrics.iter().collect();
    metrics.sort_by(|a, b| (otel_name(a), &a.name).cmp(&(otel_name(b), &b.name)));
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for metric in &metrics {
        *count.entry(otel_name(metric)).or_default() += 1;
    }
    metrics
        .into_iter()
        .map(|metric| {
            let name = otel_name(metric);
            let clash = count[name] > 1;
            // Prometheus names are unique: the one whose name changes (a
            // counter's) takes its Prometheus name as its id.
            let id = if clash && name != metric.name { &metric.name } else { name };
            Entry { metric, name, id: format!("metric.{id}"), clash }
        })
        .collect()
}

/// A metric's OpenTelemetry name, as the OTLP sink names it: a counter's
/// without its `_total`.
fn otel_name(metric: &Metric) -> &str {
    counter_name(&metric.name, metric.kind)
}

fn counter_name(name: &str, kind: MetricKind) -> &str {
    if kind == MetricKind::Counter { name.strip_suffix("_total").unwrap_or(name) } else { name }
}

/// The OpenTelemetry name of a deprecated metric's replacement: the
/// catalogue's metric of that name, or (not in this catalogue) the name
/// without `_total`, which only counters end in.
fn replacement_name<'n>(replacement: &'n str, metrics: &[Entry<'_>]) -> &'n str {
    match metrics.iter().find(|e| e.metric.name == replacement) {
        Some(entry) => counter_name(replacement, entry.metric.kind),
        None => counter_name(replacement, MetricKind::Counter),
    }
}

/// The UCUM spelling of a declared base unit, as the OTLP sink sends it
/// (`metricate::export::Otlp`; keep the two tables alike), or `None` for a
/// unit it has none for.
fn ucum(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "seconds" => "s",
        "bytes" => "By",
        "ratio" => "1",
        "meters" => "m",
        "grams" => "g",
        "joules" => "J",
        "volts" => "V",
        "amperes" => "A",
        "celsius" => "Cel",
        _ => return None,
    })
}

/// The instrument of a Prometheus type: the data points the OTLP sink
/// sends for it, a summary's as a histogram.
fn instrument(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Counter => "counter",
        MetricKind::Histogram | MetricKind::Summary => "histogram",
        MetricKind::Gauge | MetricKind::Info | MetricKind::StateSet => "gauge",
    }
}

/// Weaver's stability levels, least stable first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stability {
    Development,
    Alpha,
    Beta,
    ReleaseCandidate,
    Stable,
}

impl Stability {
    /// The stability a metric's semver version declares.
    fn of(version: &str) -> Stability {
        let Some(version) = Version::parse(version) else { return Stability::Development };
        if version.major == 0 {
            return Stability::Development;
        }
        let Some(pre) = version.pre else { return Stability::Stable };
        let pre = pre.to_ascii_lowercase();
        if pre.starts_with("alpha") {
            Stability::Alpha
        } else if pre.starts_with("beta") {
            Stability::Beta
        } else if pre.starts_with("rc") {
            Stability::ReleaseCandidate
        } else {
            Stability::Development
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Stability::Development => "development",
            Stability::Alpha => "alpha",
            Stability::Beta => "beta",
            Stability::ReleaseCandidate => "release_candidate",
            Stability::Stable => "stable",
        }
    }
}

/// One attribute: a label name and every metric that has it.
struct Attribute<'c> {
    name: &'c str,
    uses: Vec<(&'c Metric, &'c MetricLabel)>,
}

impl Attribute<'_> {
    /// Whether every metric declares all of its values: an enum.
    fn is_enum(&self) -> bool {
        self.uses.iter().all(|(_, l)| declared(l))
    }

    /// The values the metrics declare, each once, in the order they first
    /// appear.
    fn values(&self) -> Vec<&str> {
        let mut values: Vec<&str> = Vec::new();
        for value in self.uses.iter().filter(|(_, l)| declared(l)).flat_map(|(_, l)| &l.values) {
            if !values.contains(&value.as_str()) {
                values.push(value);
            }
        }
        values
    }

    /// The enum's values: the declared ones, and `unknown` when a metric may
    /// have it.
    fn members(&self) -> Vec<&str> {
        let mut values = self.values();
        if self.uses.iter().any(|(_, l)| l.unknown) && !values.contains(&UNKNOWN) {
            values.push(UNKNOWN);
        }
        values
    }

    fn stability(&self) -> Stability {
        self.uses.iter().map(|(m, _)| Stability::of(&m.version)).max().unwrap_or(Stability::Development)
    }
}

/// The value of a label whose value was missing.
const UNKNOWN: &str = "unknown";

/// The value a capped label reports past its cap.
const OTHER: &str = "other";

/// Whether a label's values are all declared: neither bounded at run time
/// nor the build's.
fn declared(label: &MetricLabel) -> bool {
    label.cap.is_none() && !label.build && !label.values.is_empty()
}

/// A label's values on one metric, with `unknown` when it may have it.
fn own_values(label: &MetricLabel) -> Vec<&str> {
    let mut values: Vec<&str> = label.values.iter().map(String::as_str).collect();
    if label.unknown && !values.contains(&UNKNOWN) {
        values.push(UNKNOWN);
    }
    values
}

/// The attributes of the metrics, by name.
fn attributes<'c>(metrics: &[Entry<'c>]) -> BTreeMap<&'c str, Attribute<'c>> {
    let mut attributes: BTreeMap<&str, Attribute<'_>> = BTreeMap::new();
    for entry in metrics {
        for label in &entry.metric.labels {
            attributes
                .entry(label.name.as_str())
                .or_insert_with(|| Attribute { name: &label.name, uses: Vec::new() })
                .uses
                .push((entry.metric, label));
        }
    }
    attributes
}

fn write_registry(out: &mut String, attributes: &BTreeMap<&str, Attribute<'_>>) {
    // Writing to a String cannot fail: the results below are ignored.
    let _ = writeln!(out, "  - id: {}", quoted(REGISTRY));
    out.push_str("    type: attribute_group\n");
    out.push_str("    display_name: \"Metric labels\"\n");
    out.push_str(
        "    brief: \"The labels of the catalogue's metrics: one attribute per label name, referenced by the \
         metrics that have it.\"\n",
    );
    out.push_str("    attributes:\n");
    for attribute in attributes.values() {
        let stability = attribute.stability().as_str();
        let _ = writeln!(out, "      - id: {}", quoted(attribute.name));
        if attribute.is_enum() {
            out.push_str("        type:\n          members:\n");
            let members = attribute.members();
            for (value, id) in members.iter().zip(member_ids(&members)) {
                let _ = writeln!(out, "            - id: {}", quoted(&id));
                let _ = writeln!(out, "              value: {}", quoted(value));
                if *value == UNKNOWN && !attribute.values().contains(&UNKNOWN) {
                    out.push_str("              brief: \"The value was missing.\"\n");
                }
                let _ = writeln!(out, "              stability: {stability}");
            }
        } else {
            out.push_str("        type: string\n");
        }
        let _ = writeln!(out, "        stability: {stability}");
        let _ = writeln!(out, "        brief: {}", quoted(&attribute_brief(attribute)));
        let note = attribute_note(attribute);
        if !note.is_empty() {
            let _ = writeln!(out, "        note: {}", quoted(&note));
        }
        if !attribute.is_enum() {
            let mut examples = attribute.values();
            if examples.is_empty() && attribute.uses.iter().any(|(_, l)| l.cap.is_some()) {
                examples.push(OTHER);
            }
            // A build's value has no example to give: Weaver warns.
            if !examples.is_empty() {
                let _ = writeln!(out, "        examples: {}", flow(&examples));
            }
        }
    }
}

/// An attribute's brief: the label and the one metric that has it, or how
/// many metrics have it.
fn attribute_brief(attribute: &Attribute<'_>) -> String {
    match attribute.uses.as_slice() {
        [(metric, _)] => format!("The `{}` label of `{}`.", attribute.name, metric.name),
        uses => format!("The `{}` label of {} metrics.", attribute.name, uses.len()),
    }
}

fn attribute_note(attribute: &Attribute<'_>) -> String {
    let mut parts = Vec::new();
    if attribute.uses.iter().any(|(_, l)| l.cap.is_some()) {
        parts.push(format!(
            "Bounded at run time: a metric keeps at most its cap of distinct values and reports the others as \
             `{OTHER}`."
        ));
    }
    if attribute.uses.iter().any(|(_, l)| l.build) {
        parts.push("The build's own value, known when the program is built.".to_owned());
    }
    if attribute.is_enum() && attribute.uses.iter().any(|(_, l)| own_values(l) != attribute.members()) {
        parts.push("Each metric has some of these values: its reference lists them.".to_owned());
    }
    parts.join(" ")
}

/// The ids of an enum's members: each value as a lowercase identifier
/// (letters, digits and single underscores), made unique with `_2`, `_3`...
fn member_ids(values: &[&str]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    values
        .iter()
        .map(|value| {
            let base = identifier(value);
            let mut id = base.clone();
            let mut n = 2;
            while !seen.insert(id.clone()) {
                id = format!("{base}_{n}");
                n += 1;
            }
            id
        })
        .collect()
}

fn identifier(value: &str) -> String {
    let mut id = String::new();
    for c in value.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('_') {
            id.push('_');
        }
    }
    while id.ends_with('_') {
        id.pop();
    }
    if id.is_empty() { "value".to_owned() } else { id }
}

fn write_metric(
    out: &mut String,
    entry: &Entry<'_>,
    metrics: &[Entry<'_>],
    attributes: &BTreeMap<&str, Attribute<'_>>,
) {
    let metric = entry.metric;
    // Writing to a String cannot fail: the results below are ignored.
    let _ = writeln!(out, "  - id: {}", quoted(&entry.id));
    out.push_str("    type: metric\n");
    let _ = writeln!(out, "    metric_name: {}", quoted(entry.name));
    let _ = writeln!(out, "    brief: {}", quoted(metric.help.trim()));
    let _ = writeln!(out, "    note: {}", quoted(&metric_note(entry)));
    let _ = writeln!(out, "    stability: {}", Stability::of(&metric.version).as_str());
    if let Some(deprecated) = &metric.deprecated {
        out.push_str("    deprecated:\n");
        match &deprecated.replacement {
            Some(replacement) => {
                out.push_str("      reason: renamed\n");
                let _ = writeln!(out, "      renamed_to: {}", quoted(replacement_name(replacement, metrics)));
            }
            None => out.push_str("      reason: obsoleted\n"),
        }
        let reason = sentence(&deprecated.reason);
        if !reason.is_empty() {
            let _ = writeln!(out, "      note: {}", quoted(&reason));
        }
    }
    let _ = writeln!(out, "    instrument: {}", instrument(metric.kind));
    let unit = metric.unit.as_deref().and_then(ucum).unwrap_or("");
    let _ = writeln!(out, "    unit: {}", quoted(unit));
    out.push_str("    annotations:\n      metricate:\n");
    let _ = writeln!(out, "        prometheus_name: {}", quoted(&metric.name));
    let _ = writeln!(out, "        prometheus_type: {}", quoted(metric.kind.as_str()));
    if !metric.subsystem.is_empty() {
        let _ = writeln!(out, "        subsystem: {}", quoted(&metric.subsystem));
    }
    let _ = writeln!(out, "        version: {}", quoted(&metric.version));
    if !metric.buckets.is_empty() {
        let _ = writeln!(out, "        buckets: [{}]", bounds(&metric.buckets));
    }
    if !metric.quantiles.is_empty() {
        let _ = writeln!(out, "        quantiles: [{}]", bounds(&metric.quantiles));
    }
    if metric.labels.is_empty() {
        return;
    }
    out.push_str("    attributes:\n");
    for label in &metric.labels {
        let _ = writeln!(out, "      - ref: {}", quoted(&label.name));
        out.push_str("        requirement_level: required\n");
        let note = reference_note(metric, label, &attributes[label.name.as_str()]);
        if !note.is_empty() {
            let _ = writeln!(out, "        note: {}", quoted(&note));
        }
    }
}

/// What a metric is in Prometheus and what OpenTelemetry makes of it.
fn metric_note(entry: &Entry<'_>) -> String {
    let metric = entry.metric;
    let kind = metric.kind.nouns().0;
    let mut note = format!("Prometheus: {kind} `{}`", metric.name);
    match metric.kind {
        MetricKind::Histogram if !metric.buckets.is_empty() => {
            let _ = write!(note, ", buckets {}, +Inf.", bounds(&metric.buckets));
        }
        MetricKind::Summary => {
            if !metric.quantiles.is_empty() {
                let _ = write!(note, ", quantiles {}{}", bounds(&metric.quantiles), window(metric));
            }
            note.push_str(
                ". OpenTelemetry has no summary instrument: it is listed as a histogram, and the OTLP export sends \
                 summary points, which Weaver's live check reports as an unexpected instrument.",
            );
        }
        MetricKind::Info => {
            let _ = write!(note, ", {INFO_VALUE}; a gauge in OpenTelemetry.");
        }
        MetricKind::StateSet => match metric.state_label() {
            Some(label) => {
                let _ = write!(note, ", a series per state of `{}`, {STATES}; a gauge in OpenTelemetry.", label.name);
            }
            None => note.push_str("; a gauge in OpenTelemetry."),
        },
        MetricKind::Counter | MetricKind::Gauge | MetricKind::Histogram => note.push('.'),
    }
    if let Some(unit) = metric.unit.as_deref().filter(|u| ucum(u).is_none()) {
        let _ = write!(note, " Its unit, `{unit}`, has no UCUM spelling here: it is exported without one.");
    }
    if metric.quiet && !metric.labels.is_empty() {
        note.push_str(" Only the label values recorded to are exported.");
    }
    if entry.clash {
        let _ = write!(note, " Another metric of the catalogue has the OpenTelemetry name `{}` too.", entry.name);
    }
    note
}

/// What a metric's reference to an attribute adds: the metric's own values,
/// its cap, a state set's states.
fn reference_note(metric: &Metric, label: &MetricLabel, attribute: &Attribute<'_>) -> String {
    let mut parts = Vec::new();
    if metric.state_label().is_some_and(|l| l.name == label.name) {
        parts.push(format!("The state: {STATES}."));
    }
    if let Some(cap) = label.cap {
        parts.push(format!("At most {cap} distinct values; the others are reported as `{OTHER}`."));
    } else if label.build {
        parts.push("The build's value.".to_owned());
    } else {
        let own = own_values(label);
        let listed = if attribute.is_enum() { attribute.members() } else { Vec::new() };
        if !own.is_empty() && own != listed {
            let values: Vec<String> = own.iter().map(|v| format!("`{v}`")).collect();
            parts.push(format!("On this metric: {}.", values.join(", ")));
        }
    }
    parts.join(" ")
}

/// Strings as a YAML flow sequence: `["a", "b"]`.
fn flow(values: &[&str]) -> String {
    let items: Vec<String> = values.iter().map(|v| quoted(v)).collect();
    format!("[{}]", items.join(", "))
}

/// A YAML double-quoted scalar that reads back as `text` in YAML 1.1 and
/// 1.2 alike: `"` and `\` escaped, line breaks and every character YAML
/// does not print (controls, the byte order mark, U+2028 and U+2029, which
/// YAML 1.1 reads as line breaks) as escapes.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    // Writing to a String cannot fail: `is_ok` is always true.
    crate::escape::double_quoted(&mut out, text, |out, c| match c {
        // Printable, but line breaks in YAML 1.1, or the byte order mark.
        '\u{2028}' | '\u{2029}' | '\u{FEFF}' => write!(out, "\\u{:04X}", u32::from(c)).is_ok(),
        ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}' => false,
        c if u32::from(c) <= 0xFF => write!(out, "\\x{:02X}", u32::from(c)).is_ok(),
        c => write!(out, "\\u{:04X}", u32::from(c)).is_ok(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_and_escaped() {
        assert_eq!(quoted("plain"), "\"plain\"");
        assert_eq!(quoted("yes"), "\"yes\"");
        assert_eq!(quoted("a \"b\" \\ c: #d"), r#""a \"b\" \\ c: #d""#);
        assert_eq!(quoted("line\nnext\ttab\r"), r#""line\nnext\ttab\r""#);
        assert_eq!(quoted("\u{0}\u{7}\u{7F}\u{85}"), r#""\x00\x07\x7F\x85""#);
        assert_eq!(quoted("é ∑ 🦀"), "\"é ∑ 🦀\"");
        assert_eq!(quoted("\u{2028}\u{FEFF}\u{FFFE}"), r#""\u2028\uFEFF\uFFFE""#);
    }

    #[test]
    fn member_ids_are_unique_identifiers() {
        assert_eq!(
            member_ids(&["GET", "get", "/v1/orgs/{org_id}/apps", "/", "2xx", "a b", "a_b", "é"]),
            ["get", "get_2", "v1_orgs_org_id_apps", "value", "2xx", "a_b", "a_b_2", "value_2"]
        );
    }

    #[test]
    fn stability_follows_the_version() {
        let of = |v: &str| Stability::of(v).as_str();
        assert_eq!(of("0.3.0"), "development");
        assert_eq!(of("1.0.0"), "stable");
        assert_eq!(of("2.1.0-alpha.1"), "alpha");
        assert_eq!(of("2.0.0-beta"), "beta");
        assert_eq!(of("1.0.0-rc.2"), "release_candidate");
        assert_eq!(of("1.0.0-preview"), "development");
        assert_eq!(of("not a version"), "development");
    }

    #[test]
    fn units_and_instruments_follow_the_otlp_sink() {
        assert_eq!(["seconds", "bytes", "ratio", "celsius"].map(ucum), [Some("s"), Some("By"), Some("1"), Some("Cel")]);
        assert_eq!(ucum("furlongs"), None);
        assert_eq!(MetricKind::ALL.map(instrument), ["counter", "gauge", "histogram", "histogram", "gauge", "gauge"]);
    }
}
