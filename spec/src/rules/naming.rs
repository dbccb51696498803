//! N1–N7: metric names, units and help text.

use super::{Rule, Violation, check_snake_case, counter_stem, not_snake_case, rfind_words};
use crate::{MetricKind, Policy};

const N1_NOTE: &str = "metric names are snake_case (`[a-z][a-z0-9_]*`, ASCII, single `_` between words) so that \
                       they read the same in every query, dashboard and tool; `:` is reserved for recording rules \
                       and a leading `__` for Prometheus itself";

/// N1: a metric name is snake case `[a-z][a-z0-9_]*`: non-empty, ASCII, no
/// `__`, no leading or trailing `_`, no `:` (reserved for recording rules).
/// Every problem of the name is listed in one violation, whose help suggests
/// the name rewritten in snake case when one can be derived.
///
/// ```
/// use metricate_spec::rules::check_n1;
///
/// assert!(check_n1("trc_http_requests_total").is_none());
/// let v = check_n1("trc_HttpRequests_total").unwrap();
/// assert_eq!(v.help, "rename `trc_HttpRequests_total` to `trc_http_requests_total`");
/// ```
pub fn check_n1(name: &str) -> Option<Violation> {
    check_snake_case(Rule::N1, N1_NOTE, "metric", name, "name the metric in snake_case, e.g. `http_requests_total`")
}

/// N1 on a subsystem (the part of a name between the namespace and the
/// metric's own name): empty, or snake case like a name.
///
/// ```
/// use metricate_spec::rules::check_n1_subsystem;
///
/// assert!(check_n1_subsystem("http").is_none());
/// assert!(check_n1_subsystem("").is_none());
/// assert_eq!(check_n1_subsystem("Http").unwrap().help, "rename subsystem `Http` to `http`");
/// ```
pub fn check_n1_subsystem(subsystem: &str) -> Option<Violation> {
    not_snake_case(Rule::N1, N1_NOTE, "subsystem", subsystem, true)
}

/// N2: when the policy sets a namespace, every metric name starts with
/// `<namespace>_` and has its own name after it.
///
/// ```
/// use metricate_spec::{Policy, rules::check_n2};
///
/// let policy = Policy { namespace: "trc".into(), ..Policy::default() };
/// assert!(check_n2("trc_http_requests_total", &policy).is_none());
/// assert_eq!(
///     check_n2("http_requests_total", &policy).unwrap().help,
///     "rename `http_requests_total` to `trc_http_requests_total`",
/// );
/// ```
pub fn check_n2(name: &str, policy: &Policy) -> Option<Violation> {
    let namespace = policy.namespace.trim_end_matches('_');
    if namespace.is_empty() {
        return None;
    }
    let prefix = format!("{namespace}_");
    let note = format!(
        "every metric of this project starts with `{prefix}` (the `namespace` of the metrics policy) so that its \
         series are found together and never confused with another exporter's"
    );
    if name == namespace || name == prefix {
        return Some(Violation::new(
            Rule::N2,
            format_args!("metric `{name}` is only the namespace prefix"),
            note,
            format!("add the metric's own name after `{prefix}`, e.g. `{prefix}http_requests_total`"),
        ));
    }
    if name.starts_with(&prefix) {
        return None;
    }
    Some(Violation::new(
        Rule::N2,
        format_args!("metric `{name}` does not start with the namespace prefix `{prefix}`"),
        note,
        format!("rename `{name}` to `{prefix}{name}`"),
    ))
}

/// N2 against several namespaces, any of which will do (a linter told which
/// exporters an exposition holds): the violation of the first when the name
/// starts with none of them.
///
/// ```
/// use metricate_spec::{Policy, rules::check_n2_any};
///
/// let policies = ["trc", "api"].map(|ns| Policy { namespace: ns.into(), ..Policy::default() });
/// assert!(check_n2_any("api_calls_total", &policies).is_none());
/// assert_eq!(
///     check_n2_any("http_calls_total", &policies).unwrap().message,
///     "N2: metric `http_calls_total` starts with none of the namespace prefixes `trc_`, `api_`",
/// );
/// ```
pub fn check_n2_any(name: &str, policies: &[Policy]) -> Option<Violation> {
    let mut violations = policies.iter().map(|policy| check_n2(name, policy));
    let mut first = violations.next()??;
    if violations.any(|v| v.is_none()) {
        return None;
    }
    if policies.len() > 1 {
        let prefixes: Vec<String> =
            policies.iter().map(|policy| format!("`{}_`", policy.namespace.trim_end_matches('_'))).collect();
        first.message =
            format!("N2: metric `{name}` starts with none of the namespace prefixes {}", prefixes.join(", "));
    }
    Some(first)
}

/// N3: a counter's name ends in `_total` (the author writes it); no other
/// metric's name does.
///
/// ```
/// use metricate_spec::{MetricKind, rules::check_n3};
///
/// assert!(check_n3("trc_http_requests_total", MetricKind::Counter).is_none());
/// assert_eq!(
///     check_n3("trc_http_requests", MetricKind::Counter).unwrap().help,
///     "rename `trc_http_requests` to `trc_http_requests_total`",
/// );
/// ```
pub fn check_n3(name: &str, kind: MetricKind) -> Option<Violation> {
    const NOTE: &str = "`_total` marks a counter: `rate()` and `increase()` are only meaningful on counters, and \
                        OpenMetrics names a counter's family without its `_total`";
    match kind {
        MetricKind::Counter if name.ends_with("_total") => None,
        MetricKind::Counter => Some(Violation::new(
            Rule::N3,
            format_args!("counter `{name}` does not end in `_total`"),
            NOTE,
            format!("rename `{name}` to `{name}_total`"),
        )),
        MetricKind::Gauge | MetricKind::Histogram | MetricKind::Summary | MetricKind::Info | MetricKind::StateSet => {
            name.strip_suffix("_total").map(|stem| {
                Violation::new(
                    Rule::N3,
                    format_args!("{} `{name}` ends in `_total`, which is reserved for counters", kind.as_str()),
                    NOTE,
                    format!("rename `{name}` to `{stem}`, or declare it a counter if it only goes up"),
                )
            })
        }
    }
}

/// A unit word that is not a base unit, what it means and its base unit.
struct NonBaseUnit {
    word: &'static str,
    means: &'static str,
    base: &'static str,
}

const fn non_base(word: &'static str, means: &'static str, base: &'static str) -> NonBaseUnit {
    NonBaseUnit { word, means, base }
}

/// The unit words N4 rejects, matched as whole `_`-separated words.
const NON_BASE_UNITS: &[NonBaseUnit] = &[
    non_base("ms", "milliseconds", "seconds"),
    non_base("msec", "milliseconds", "seconds"),
    non_base("msecs", "milliseconds", "seconds"),
    non_base("millis", "milliseconds", "seconds"),
    non_base("millisecond", "milliseconds", "seconds"),
    non_base("milliseconds", "milliseconds", "seconds"),
    non_base("us", "microseconds", "seconds"),
    non_base("usec", "microseconds", "seconds"),
    non_base("usecs", "microseconds", "seconds"),
    non_base("micros", "microseconds", "seconds"),
    non_base("microsecond", "microseconds", "seconds"),
    non_base("microseconds", "microseconds", "seconds"),
    non_base("ns", "nanoseconds", "seconds"),
    non_base("nsec", "nanoseconds", "seconds"),
    non_base("nsecs", "nanoseconds", "seconds"),
    non_base("nanos", "nanoseconds", "seconds"),
    non_base("nanosecond", "nanoseconds", "seconds"),
    non_base("nanoseconds", "nanoseconds", "seconds"),
    non_base("secs", "seconds spelled `secs`", "seconds"),
    non_base("minutes", "minutes", "seconds"),
    non_base("hours", "hours", "seconds"),
    non_base("days", "days", "seconds"),
    non_base("kb", "kilobytes", "bytes"),
    non_base("mb", "megabytes", "bytes"),
    non_base("gb", "gigabytes", "bytes"),
    non_base("tb", "terabytes", "bytes"),
    non_base("kib", "kibibytes", "bytes"),
    non_base("mib", "mebibytes", "bytes"),
    non_base("gib", "gibibytes", "bytes"),
    non_base("tib", "tebibytes", "bytes"),
    non_base("kilobytes", "kilobytes", "bytes"),
    non_base("megabytes", "megabytes", "bytes"),
    non_base("gigabytes", "gigabytes", "bytes"),
    non_base("terabytes", "terabytes", "bytes"),
    non_base("bits", "bits", "bytes"),
    non_base("percent", "percent", "ratio"),
    non_base("percentage", "percent", "ratio"),
    non_base("pct", "percent", "ratio"),
];

/// The note and the recording advice of a base unit.
fn base_unit_advice(base: &str) -> (&'static str, &'static str) {
    match base {
        "seconds" => (
            "durations are in seconds so that every duration in a system is comparable; OpenMetrics requires base units",
            "record seconds as f64",
        ),
        "bytes" => (
            "sizes are in bytes so that every size in a system is comparable; OpenMetrics requires base units",
            "record bytes",
        ),
        _ => (
            "fractions are ratios from 0 to 1 (`_ratio`), not percentages, so that they compose in arithmetic; \
             OpenMetrics requires base units",
            "record a ratio from 0 to 1 (percent / 100)",
        ),
    }
}

/// N4: names use base units only — durations in `_seconds` (not `_ms`,
/// `_millis`, `_us`, `_ns`, `_minutes`, `_hours`, `_days`, ...), sizes in
/// `_bytes` (not `_kb`, `_mb`, `_kib`, `_bits`, ...), fractions in `_ratio`
/// (not `_percent`, `_pct`). Unit words are matched as whole `_`-separated
/// words anywhere in the name, so `timestamp_seconds` and `msg_size_bytes`
/// pass while `latency_ms` and `latency_ms_total` do not. The help gives the
/// exact rename.
///
/// ```
/// use metricate_spec::rules::check_n4;
///
/// assert!(check_n4("trc_request_latency_seconds").is_none());
/// assert_eq!(
///     check_n4("trc_cache_size_mb").unwrap().help,
///     "rename `trc_cache_size_mb` to `trc_cache_size_bytes` and record bytes",
/// );
/// ```
pub fn check_n4(name: &str) -> Option<Violation> {
    let mut found: Vec<&NonBaseUnit> = Vec::new();
    let renamed: Vec<&str> = name
        .split('_')
        .map(|word| match NON_BASE_UNITS.iter().find(|u| u.word == word) {
            Some(u) => {
                found.push(u);
                u.base
            }
            None => word,
        })
        .collect();
    if found.is_empty() {
        return None;
    }
    let mut means: Vec<&str> = found.iter().map(|u| u.means).collect();
    means.dedup();
    let mut bases: Vec<&str> = Vec::new();
    for u in &found {
        if !bases.contains(&u.base) {
            bases.push(u.base);
        }
    }
    let (notes, records): (Vec<&str>, Vec<&str>) = bases.iter().map(|b| base_unit_advice(b)).unzip();
    Some(Violation::new(
        Rule::N4,
        format_args!("metric `{name}` is in {}", means.join(" and ")),
        notes.join("; "),
        format!("rename `{name}` to `{}` and {}", renamed.join("_"), records.join(", and ")),
    ))
}

/// N5: a declared unit is the suffix of the name — `..._<unit>`, or
/// `..._<unit>_total` for a counter — as OpenMetrics requires for its `# UNIT`
/// line. A name whose unit word is not its last word (`..._seconds_max`)
/// declares no unit or is renamed so that the unit comes last. A metric
/// without a declared unit always passes.
///
/// ```
/// use metricate_spec::{MetricKind, rules::check_n5};
///
/// assert!(check_n5("trc_event_append_duration_seconds", MetricKind::Histogram, Some("seconds")).is_none());
/// let v = check_n5("trc_agent_overlay_handshake_age_seconds_max", MetricKind::Gauge, Some("seconds")).unwrap();
/// assert_eq!(
///     v.help,
///     "rename `trc_agent_overlay_handshake_age_seconds_max` to \
///      `trc_agent_overlay_handshake_max_age_seconds`, or declare no unit",
/// );
/// ```
pub fn check_n5(name: &str, kind: MetricKind, unit: Option<&str>) -> Option<Violation> {
    const NOTE: &str = "a metric with a unit ends in it (before `_total` for a counter), as OpenMetrics requires \
                        for its `# UNIT` line, so that the unit can be read from the name";
    let unit = unit?;
    if unit.trim().is_empty() {
        return Some(Violation::new(
            Rule::N5,
            format_args!("metric `{name}` declares an empty unit"),
            NOTE,
            "remove the empty unit, or declare the base unit the value is in (`seconds`, `bytes`, `ratio`, ...)",
        ));
    }
    let stem = counter_stem(name, kind);
    if stem == unit || stem.strip_suffix(unit).is_some_and(|rest| rest.ends_with('_')) {
        return None;
    }
    let total = if kind == MetricKind::Counter { "_total" } else { "" };
    let words: Vec<&str> = stem.split('_').collect();
    let unit_words: Vec<&str> = unit.split('_').collect();
    let (detail, suggestion) = match rfind_words(&words, &unit_words) {
        Some(at) => {
            let (before, rest) = words.split_at(at);
            let after = &rest[unit_words.len()..];
            // `handshake_age_seconds_max` -> `handshake_max_age_seconds`: the
            // qualifiers after the unit go before the measured word.
            let mut renamed: Vec<&str> = Vec::with_capacity(words.len());
            match before.split_last() {
                Some((measured, init)) if !init.is_empty() => {
                    renamed.extend(init);
                    renamed.extend(after);
                    renamed.push(measured);
                }
                _ => {
                    renamed.extend(before);
                    renamed.extend(after);
                }
            }
            renamed.extend(&unit_words);
            (format!(": `{}` comes after the unit", after.join("_")), renamed.join("_"))
        }
        None => (String::new(), format!("{stem}_{unit}")),
    };
    Some(Violation::new(
        Rule::N5,
        format_args!("metric `{name}` declares unit `{unit}` but does not end in `_{unit}{total}`{detail}"),
        NOTE,
        format!("rename `{name}` to `{suggestion}{total}`, or declare no unit"),
    ))
}

/// The base units a name may end in (N4, N5): OpenMetrics' base units.
pub const BASE_UNITS: [&str; 9] =
    ["seconds", "bytes", "ratio", "meters", "grams", "joules", "volts", "amperes", "celsius"];

/// The base unit `name` ends in (before `_total` for a counter), if any: the
/// unit of a metric that declares none.
///
/// ```
/// use metricate_spec::{MetricKind, rules::unit_suffix};
///
/// assert_eq!(unit_suffix("trc_io_seconds", MetricKind::Histogram), Some("seconds"));
/// assert_eq!(unit_suffix("trc_sent_bytes_total", MetricKind::Counter), Some("bytes"));
/// assert_eq!(unit_suffix("trc_jobs_total", MetricKind::Counter), None);
/// ```
pub fn unit_suffix(name: &str, kind: MetricKind) -> Option<&'static str> {
    let stem = counter_stem(name, kind);
    BASE_UNITS.into_iter().find(|unit| stem.strip_suffix(unit).is_some_and(|rest| rest.ends_with('_')))
}

/// N3 for the metrics an attribute names after a function (`<name>_total`
/// and `<name>_duration_seconds`): `name` must not end in `_total` itself.
///
/// ```
/// use metricate_spec::rules::check_n3_generated;
///
/// assert!(check_n3_generated("trc_jobs_run").is_none());
/// assert!(check_n3_generated("trc_jobs_total").is_some());
/// ```
pub fn check_n3_generated(name: &str) -> Option<Violation> {
    let stem = name.strip_suffix("_total")?;
    Some(Violation::new(
        Rule::N3,
        format_args!("metric name `{name}` ends in `_total`, which the attribute adds to its counter itself"),
        format!("`_total` marks a counter; a name that already has it would give `{name}_total`"),
        format!(
            "rename the function, or set `name = \"...\"`, so that the metrics are `{stem}_total` and \
             `{stem}_duration_seconds`"
        ),
    ))
}

/// The suffixes of the series that histograms, summaries, gauge histograms
/// and counters generate.
pub const RESERVED_SUFFIXES: [&str; 6] = ["_bucket", "_count", "_sum", "_created", "_gcount", "_gsum"];

/// N6: a name does not end in a suffix of generated series (`_bucket`,
/// `_count`, `_sum`, `_created`, `_gcount`, `_gsum`), and ends in `_info`
/// exactly when it is an info metric (`info`).
///
/// ```
/// use metricate_spec::rules::check_n6;
///
/// assert!(check_n6("trc_agent_instances_running", false).is_none());
/// assert_eq!(
///     check_n6("trc_agent_instances_count", false).unwrap().message,
///     "N6: metric `trc_agent_instances_count` ends in `_count`, which is reserved for generated series",
/// );
/// ```
pub fn check_n6(name: &str, info: bool) -> Option<Violation> {
    if let Some((suffix, stem)) = RESERVED_SUFFIXES.iter().find_map(|s| name.strip_suffix(s).map(|stem| (s, stem))) {
        return Some(Violation::new(
            Rule::N6,
            format_args!("metric `{name}` ends in `{suffix}`, which is reserved for generated series"),
            "histograms, summaries and counters expose series named `<name>_bucket`, `_count`, `_sum`, \
             `_created`, `_gcount` and `_gsum`; a metric whose own name ends in one of them collides with those \
             series and misleads queries",
            format!("rename `{name}` to `{stem}`, or to another name that says what is measured"),
        ));
    }
    let note = "`_info` marks an info metric (a constant 1 whose labels carry the information), so that tools \
                join on it; no other metric uses it, and every info metric does";
    match (info, name.strip_suffix("_info")) {
        (false, Some(stem)) => Some(Violation::new(
            Rule::N6,
            format_args!("metric `{name}` ends in `_info`, which is reserved for info metrics"),
            note,
            format!("rename `{name}` to `{stem}`, or declare it an info metric"),
        )),
        (true, None) => Some(Violation::new(
            Rule::N6,
            format_args!("info metric `{name}` does not end in `_info`"),
            note,
            format!("rename `{name}` to `{name}_info`"),
        )),
        _ => None,
    }
}

/// N7: every metric has help text (its doc comment) that is not blank.
///
/// ```
/// use metricate_spec::rules::check_n7;
///
/// assert!(check_n7("trc_http_requests_total", "HTTP requests handled.").is_none());
/// assert!(check_n7("trc_http_requests_total", "  ").is_some());
/// ```
pub fn check_n7(name: &str, help: &str) -> Option<Violation> {
    if !help.trim().is_empty() {
        return None;
    }
    Some(Violation::new(
        Rule::N7,
        format_args!("metric `{name}` has no help text"),
        "every metric has help text: it is the `# HELP` line and the catalogue entry, and the only place that \
         says what the metric measures",
        "add a doc comment to the metric saying what it measures, e.g. `/// HTTP requests handled.`",
    ))
}

/// N1 to N6 on one metric name, in that order. An empty name is reported by
/// N1 alone. N6 allows `_info` on info metrics only.
///
/// ```
/// use metricate_spec::{MetricKind, Policy, rules::{Rule, check_metric_name}};
///
/// let policy = Policy { namespace: "trc".into(), ..Policy::default() };
/// assert!(check_metric_name("trc_http_requests_total", MetricKind::Counter, None, &policy).is_empty());
/// let rules: Vec<Rule> = check_metric_name("http_latency_ms", MetricKind::Counter, None, &policy)
///     .iter()
///     .map(|v| v.rule)
///     .collect();
/// assert_eq!(rules, [Rule::N2, Rule::N3, Rule::N4]);
/// ```
pub fn check_metric_name(name: &str, kind: MetricKind, unit: Option<&str>, policy: &Policy) -> Vec<Violation> {
    if name.is_empty() {
        return check_n1(name).into_iter().collect();
    }
    [
        check_n1(name),
        check_n2(name, policy),
        check_n3(name, kind),
        check_n4(name),
        check_n5(name, kind, unit),
        check_n6(name, kind == MetricKind::Info),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    // --- N1 ---------------------------------------------------------------

    #[test]
    fn n1_accepts_snake_case() {
        for name in ["trc_http_requests_total", "a", "x1", "trc_v2_requests", "a_b_c_1_2"] {
            assert_eq!(check_n1(name), None, "{name}");
        }
    }

    #[test]
    fn n1_rejects_empty() {
        let v = one(check_n1(""), Rule::N1);
        assert_eq!(v.message, "N1: metric name is empty");
    }

    #[test]
    fn n1_rejects_underscores_in_the_wrong_places() {
        let v = one(check_n1("__trc_requests"), Rule::N1);
        assert_eq!(v.message, "N1: metric `__trc_requests` is not snake_case: starts with `__`");
        assert_eq!(v.help, "rename `__trc_requests` to `trc_requests`");

        let v = one(check_n1("_trc_requests"), Rule::N1);
        assert_eq!(v.message, "N1: metric `_trc_requests` is not snake_case: starts with `_`");

        let v = one(check_n1("trc_requests_"), Rule::N1);
        assert_eq!(v.message, "N1: metric `trc_requests_` is not snake_case: ends with `_`");
        assert_eq!(v.help, "rename `trc_requests_` to `trc_requests`");

        let v = one(check_n1("trc__requests"), Rule::N1);
        assert_eq!(v.message, "N1: metric `trc__requests` is not snake_case: contains `__`");
        assert_eq!(v.help, "rename `trc__requests` to `trc_requests`");

        let v = one(check_n1("_"), Rule::N1);
        assert_eq!(v.message, "N1: metric `_` is not snake_case: starts with `_`");
        assert!(v.help.starts_with("start the name with a letter"));
        one(check_n1("___"), Rule::N1);
    }

    #[test]
    fn n1_rejects_colons_uppercase_and_punctuation() {
        let v = one(check_n1("trc:requests:rate5m"), Rule::N1);
        assert!(v.message.contains("contains `:`, which is reserved for recording rules"), "{}", v.message);
        assert_eq!(v.help, "rename `trc:requests:rate5m` to `trc_requests_rate5m`");

        let v = one(check_n1("trcHTTPRequests"), Rule::N1);
        assert_eq!(v.message, "N1: metric `trcHTTPRequests` is not snake_case: contains uppercase `H`");
        assert_eq!(v.help, "rename `trcHTTPRequests` to `trc_http_requests`");

        let v = one(check_n1("trc-http.requests"), Rule::N1);
        assert_eq!(v.message, "N1: metric `trc-http.requests` is not snake_case: contains `-`");
        assert_eq!(v.help, "rename `trc-http.requests` to `trc_http_requests`");

        let v = one(check_n1("trc requests"), Rule::N1);
        assert!(v.message.ends_with("contains whitespace"));

        let v = one(check_n1("Foo__bar_"), Rule::N1);
        assert_eq!(
            v.message,
            "N1: metric `Foo__bar_` is not snake_case: contains uppercase `F`, ends with `_`, contains `__`"
        );
        assert_eq!(v.help, "rename `Foo__bar_` to `foo_bar`");
    }

    #[test]
    fn n1_rejects_leading_digit_without_a_guess() {
        let v = one(check_n1("5xx_responses_total"), Rule::N1);
        assert_eq!(v.message, "N1: metric `5xx_responses_total` is not snake_case: starts with a digit");
        assert!(v.help.starts_with("start the name with a letter"));
    }

    #[test]
    fn n1_rejects_unicode_and_folds_accents() {
        let v = one(check_n1("latência_seconds"), Rule::N1);
        assert_eq!(v.message, "N1: metric `latência_seconds` is not snake_case: contains non-ASCII `ê`");
        assert_eq!(v.help, "rename `latência_seconds` to `latencia_seconds`");

        let v = one(check_n1("größe_bytes"), Rule::N1);
        assert_eq!(v.help, "rename `größe_bytes` to `grosse_bytes`");

        // Non-Latin text has no ASCII spelling to guess.
        let v = one(check_n1("задержка"), Rule::N1);
        assert!(v.help.starts_with("start the name with a letter"));
        one(check_n1("trc_requests_\u{1F600}"), Rule::N1);
    }

    // --- N2 ---------------------------------------------------------------

    #[test]
    fn n2_requires_the_namespace_prefix() {
        let policy = trc();
        assert_eq!(check_n2("trc_http_requests_total", &policy), None);
        let v = one(check_n2("http_requests_total", &policy), Rule::N2);
        assert_eq!(v.message, "N2: metric `http_requests_total` does not start with the namespace prefix `trc_`");
        assert_eq!(v.help, "rename `http_requests_total` to `trc_http_requests_total`");
        // The prefix is a whole word.
        one(check_n2("trcx_requests_total", &policy), Rule::N2);
        one(check_n2("", &policy), Rule::N2);
    }

    #[test]
    fn n2_rejects_a_name_that_is_only_the_prefix() {
        let policy = trc();
        for name in ["trc", "trc_"] {
            let v = one(check_n2(name, &policy), Rule::N2);
            assert_eq!(v.message, format!("N2: metric `{name}` is only the namespace prefix"));
        }
    }

    #[test]
    fn n2_without_namespace_accepts_anything() {
        assert_eq!(check_n2("http_requests_total", &Policy::default()), None);
        // A namespace written with its trailing `_` means the same.
        let policy = Policy { namespace: "trc_".into(), ..Policy::default() };
        assert_eq!(check_n2("trc_http_requests_total", &policy), None);
        one(check_n2("trc", &policy), Rule::N2);
    }

    // --- N3 ---------------------------------------------------------------

    #[test]
    fn n3_counters_end_in_total() {
        assert_eq!(check_n3("trc_http_requests_total", MetricKind::Counter), None);
        let v = one(check_n3("trc_http_requests", MetricKind::Counter), Rule::N3);
        assert_eq!(v.message, "N3: counter `trc_http_requests` does not end in `_total`");
        // `_totals` or `total` alone is not the suffix.
        one(check_n3("trc_http_requests_totals", MetricKind::Counter), Rule::N3);
        one(check_n3("total", MetricKind::Counter), Rule::N3);
    }

    #[test]
    fn n3_nothing_else_ends_in_total() {
        assert_eq!(check_n3("trc_agent_instances_running", MetricKind::Gauge), None);
        assert_eq!(check_n3("trc_subtotal", MetricKind::Gauge), None);
        let v = one(check_n3("trc_edge_backends_active_total", MetricKind::Gauge), Rule::N3);
        assert_eq!(
            v.message,
            "N3: gauge `trc_edge_backends_active_total` ends in `_total`, which is reserved for counters"
        );
        assert_eq!(
            v.help,
            "rename `trc_edge_backends_active_total` to `trc_edge_backends_active`, or declare it a counter if it \
             only goes up"
        );
        let v = one(check_n3("trc_request_total", MetricKind::Histogram), Rule::N3);
        assert!(v.message.starts_with("N3: histogram `trc_request_total`"));
    }

    // --- N4 ---------------------------------------------------------------

    #[test]
    fn n4_accepts_base_units_and_unit_like_substrings() {
        for name in [
            "trc_event_append_duration_seconds",
            "trc_last_seen_timestamp_seconds",
            "trc_msg_size_bytes",
            "trc_items",
            "trc_cache_hit_ratio",
            "trc_users_total",
            "trc_bus_messages_total",
            "trc_gbps_links",
            "trc_mbox_size_bytes",
            "trc_status_checks_total",
        ] {
            assert_eq!(check_n4(name), None, "{name}");
        }
    }

    #[test]
    fn n4_rejects_durations() {
        let v = one(check_n4("latency_ms"), Rule::N4);
        assert_eq!(v.message, "N4: metric `latency_ms` is in milliseconds");
        assert_eq!(v.help, "rename `latency_ms` to `latency_seconds` and record seconds as f64");
        let v = one(check_n4("trc_latency_ms_total"), Rule::N4);
        assert_eq!(v.help, "rename `trc_latency_ms_total` to `trc_latency_seconds_total` and record seconds as f64");
        let v = one(check_n4("ms_total"), Rule::N4);
        assert_eq!(v.help, "rename `ms_total` to `seconds_total` and record seconds as f64");
        for (word, means) in [
            ("millis", "milliseconds"),
            ("milliseconds", "milliseconds"),
            ("us", "microseconds"),
            ("micros", "microseconds"),
            ("microseconds", "microseconds"),
            ("ns", "nanoseconds"),
            ("nanos", "nanoseconds"),
            ("nanoseconds", "nanoseconds"),
            ("minutes", "minutes"),
            ("hours", "hours"),
            ("days", "days"),
        ] {
            let v = one(check_n4(&format!("trc_uptime_{word}")), Rule::N4);
            assert_eq!(v.message, format!("N4: metric `trc_uptime_{word}` is in {means}"));
            assert!(v.help.contains("`trc_uptime_seconds`"), "{}", v.help);
            assert!(v.note.starts_with("durations are in seconds"));
        }
    }

    #[test]
    fn n4_rejects_sizes_and_percentages() {
        for word in ["kb", "mb", "gb", "kib", "mib", "gib", "kilobytes", "megabytes", "bits"] {
            let v = one(check_n4(&format!("trc_cache_{word}")), Rule::N4);
            assert_eq!(v.help, format!("rename `trc_cache_{word}` to `trc_cache_bytes` and record bytes"));
            assert!(v.note.starts_with("sizes are in bytes"));
        }
        for word in ["percent", "pct"] {
            let v = one(check_n4(&format!("trc_cpu_usage_{word}")), Rule::N4);
            assert_eq!(v.message, format!("N4: metric `trc_cpu_usage_{word}` is in percent"));
            assert!(v.help.starts_with(&format!("rename `trc_cpu_usage_{word}` to `trc_cpu_usage_ratio`")));
        }
    }

    #[test]
    fn n4_reports_every_unit_in_one_violation() {
        let v = one(check_n4("trc_copy_ms_per_mb"), Rule::N4);
        assert_eq!(v.message, "N4: metric `trc_copy_ms_per_mb` is in milliseconds and megabytes");
        assert_eq!(
            v.help,
            "rename `trc_copy_ms_per_mb` to `trc_copy_seconds_per_bytes` and record seconds as f64, and record bytes"
        );
    }

    // --- N5 ---------------------------------------------------------------

    #[test]
    fn n5_accepts_the_unit_as_suffix() {
        assert_eq!(check_n5("trc_latency_seconds", MetricKind::Histogram, Some("seconds")), None);
        assert_eq!(check_n5("trc_backup_bytes_total", MetricKind::Counter, Some("bytes")), None);
        assert_eq!(check_n5("trc_cpu_seconds_total", MetricKind::Counter, Some("seconds")), None);
        assert_eq!(check_n5("trc_power_kilowatt_hours", MetricKind::Gauge, Some("kilowatt_hours")), None);
        // No declared unit: nothing to check.
        assert_eq!(check_n5("trc_agent_overlay_handshake_age_seconds_max", MetricKind::Gauge, None), None);
        // A counter without `_total` is N3's business, not N5's.
        assert_eq!(check_n5("trc_cpu_seconds", MetricKind::Counter, Some("seconds")), None);
    }

    #[test]
    fn n5_rejects_a_unit_word_that_is_not_last() {
        let v =
            one(check_n5("trc_agent_overlay_handshake_age_seconds_max", MetricKind::Gauge, Some("seconds")), Rule::N5);
        assert_eq!(
            v.message,
            "N5: metric `trc_agent_overlay_handshake_age_seconds_max` declares unit `seconds` but does not end in \
             `_seconds`: `max` comes after the unit"
        );
        assert_eq!(
            v.help,
            "rename `trc_agent_overlay_handshake_age_seconds_max` to \
             `trc_agent_overlay_handshake_max_age_seconds`, or declare no unit"
        );
        let v = one(check_n5("trc_cpu_seconds_used_total", MetricKind::Counter, Some("seconds")), Rule::N5);
        assert!(v.message.contains("does not end in `_seconds_total`"), "{}", v.message);
        assert_eq!(v.help, "rename `trc_cpu_seconds_used_total` to `trc_used_cpu_seconds_total`, or declare no unit");
        let v = one(check_n5("seconds_max", MetricKind::Gauge, Some("seconds")), Rule::N5);
        assert_eq!(v.help, "rename `seconds_max` to `max_seconds`, or declare no unit");
    }

    #[test]
    fn n5_rejects_a_missing_or_mismatched_unit() {
        let v = one(check_n5("trc_request_duration", MetricKind::Histogram, Some("seconds")), Rule::N5);
        assert_eq!(
            v.message,
            "N5: metric `trc_request_duration` declares unit `seconds` but does not end in `_seconds`"
        );
        assert_eq!(v.help, "rename `trc_request_duration` to `trc_request_duration_seconds`, or declare no unit");
        let v = one(check_n5("trc_backups_total", MetricKind::Counter, Some("bytes")), Rule::N5);
        assert_eq!(v.help, "rename `trc_backups_total` to `trc_backups_bytes_total`, or declare no unit");
        // A unit that only ends a word is not the suffix.
        one(check_n5("trc_cachebytes", MetricKind::Gauge, Some("bytes")), Rule::N5);
        let v = one(check_n5("trc_latency_seconds", MetricKind::Gauge, Some("")), Rule::N5);
        assert_eq!(v.message, "N5: metric `trc_latency_seconds` declares an empty unit");
    }

    // --- N6 ---------------------------------------------------------------

    #[test]
    fn n6_rejects_reserved_suffixes() {
        for suffix in RESERVED_SUFFIXES {
            let name = format!("trc_jobs{suffix}");
            let v = one(check_n6(&name, false), Rule::N6);
            assert_eq!(
                v.message,
                format!("N6: metric `{name}` ends in `{suffix}`, which is reserved for generated series")
            );
            assert!(v.help.starts_with(&format!("rename `{name}` to `trc_jobs`")));
            one(check_n6(&name, true), Rule::N6);
        }
        for name in ["trc_account_summary", "trc_discount_ratio", "trc_buckets_total", "trc_jobs_counted"] {
            assert_eq!(check_n6(name, false), None, "{name}");
        }
    }

    #[test]
    fn n6_info_suffix_only_on_info_metrics() {
        let v = one(check_n6("trc_build_info", false), Rule::N6);
        assert_eq!(v.message, "N6: metric `trc_build_info` ends in `_info`, which is reserved for info metrics");
        assert_eq!(check_n6("trc_build_info", true), None);
        let v = one(check_n6("trc_build", true), Rule::N6);
        assert_eq!(v.help, "rename `trc_build` to `trc_build_info`");
        assert_eq!(check_n6("trc_information_requests_total", false), None);
    }

    // --- N7 ---------------------------------------------------------------

    #[test]
    fn n7_requires_help_text() {
        assert_eq!(check_n7("trc_x", "HTTP requests handled."), None);
        for help in ["", "   ", "\n\t"] {
            let v = one(check_n7("trc_x", help), Rule::N7);
            assert_eq!(v.message, "N7: metric `trc_x` has no help text");
        }
    }

    // --- check_metric_name --------------------------------------------------

    #[test]
    fn metric_name_runs_n1_to_n6_in_order() {
        let policy = trc();
        assert!(check_metric_name("trc_http_requests_total", MetricKind::Counter, None, &policy).is_empty());
        assert!(
            check_metric_name("trc_http_request_duration_seconds", MetricKind::Histogram, Some("seconds"), &policy)
                .is_empty()
        );
        assert_eq!(rules_of(&check_metric_name("", MetricKind::Counter, None, &policy)), [Rule::N1]);
        assert_eq!(
            rules_of(&check_metric_name("Latency_ms_count", MetricKind::Counter, Some("seconds"), &policy)),
            [Rule::N1, Rule::N2, Rule::N3, Rule::N4, Rule::N5, Rule::N6]
        );
        assert_eq!(rules_of(&check_metric_name("trc_", MetricKind::Gauge, None, &policy)), [Rule::N1, Rule::N2]);
        assert_eq!(rules_of(&check_metric_name("trc", MetricKind::Gauge, None, &policy)), [Rule::N2]);
        assert_eq!(
            rules_of(&check_metric_name("trc_edge_backends_active_total", MetricKind::Gauge, None, &policy)),
            [Rule::N3]
        );
        assert_eq!(rules_of(&check_metric_name("trc_build_info", MetricKind::Gauge, None, &policy)), [Rule::N6]);
    }
}
