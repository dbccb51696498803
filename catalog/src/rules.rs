//! The naming and label rules, one function per rule (the numbering of
//! ARCHITECTURE.md: N1–N7, L1–L7, H1, D1).
//!
//! This is the one copy of each rule. The derive macros call these functions
//! at expansion time and turn each [`Violation`] into a compile error on the
//! offending token; the linter of live expositions calls the same functions on
//! the names it scrapes. Inputs are plain data (names, kinds, units, bounds,
//! values), so neither caller needs the other's types.
//!
//! Every violation carries a `message` (what is wrong, naming the rule and the
//! metric or label), a `note` (the rule and why it exists) and a `help` (the
//! concrete fix). Its [`Display`](std::fmt::Display) renders all three the way
//! rustc renders a diagnostic:
//!
//! ```
//! use catalog::rules::check_n4;
//!
//! let violation = check_n4("trc_request_latency_ms").unwrap();
//! assert_eq!(violation.message, "N4: metric `trc_request_latency_ms` is in milliseconds");
//! assert_eq!(
//!     violation.to_string(),
//!     "N4: metric `trc_request_latency_ms` is in milliseconds\n\
//!      = note: durations are in seconds so that every duration in a system is comparable; \
//!      OpenMetrics requires base units\n\
//!      = help: rename `trc_request_latency_ms` to `trc_request_latency_seconds` and record seconds as f64",
//! );
//! ```

use std::fmt;

use crate::{Descriptor, MetricKind, Policy, exposed_names};

/// A rule of the naming and label policy, numbered as in ARCHITECTURE.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// Metric names are snake case `[a-z][a-z0-9_]*`, without `__`, a leading
    /// or trailing `_`, or `:`.
    N1,
    /// Every metric name starts with the policy's namespace prefix.
    N2,
    /// Counters end in `_total`; nothing else does.
    N3,
    /// Names use base units: seconds, bytes, ratios.
    N4,
    /// A declared unit is the suffix of the name (before `_total` for a counter).
    N5,
    /// Names do not end in a suffix reserved for generated series; `_info` only
    /// on info metrics.
    N6,
    /// Every metric has non-empty help text.
    N7,
    /// Label names are snake case and never start with `__`.
    L1,
    /// Reserved label names (`le`, `quantile`, `job`, `instance`) are not declared.
    L2,
    /// Forbidden label names (unbounded or sensitive values) are not declared.
    L3,
    /// Label values are bounded types, not text or numbers.
    L4,
    /// A metric has at most the policy's number of labels.
    L5,
    /// A metric has at most its limit of series.
    L6,
    /// Label values are non-empty, distinct and not the reserved `unknown`.
    L7,
    /// Histogram bucket bounds are non-empty, finite and strictly increasing.
    H1,
    /// No two metrics share an exposed name.
    D1,
}

impl Rule {
    /// Every rule, in order.
    pub const ALL: [Rule; 16] = [
        Rule::N1,
        Rule::N2,
        Rule::N3,
        Rule::N4,
        Rule::N5,
        Rule::N6,
        Rule::N7,
        Rule::L1,
        Rule::L2,
        Rule::L3,
        Rule::L4,
        Rule::L5,
        Rule::L6,
        Rule::L7,
        Rule::H1,
        Rule::D1,
    ];

    /// The rule's identifier, e.g. `"N1"`.
    pub const fn id(self) -> &'static str {
        match self {
            Rule::N1 => "N1",
            Rule::N2 => "N2",
            Rule::N3 => "N3",
            Rule::N4 => "N4",
            Rule::N5 => "N5",
            Rule::N6 => "N6",
            Rule::N7 => "N7",
            Rule::L1 => "L1",
            Rule::L2 => "L2",
            Rule::L3 => "L3",
            Rule::L4 => "L4",
            Rule::L5 => "L5",
            Rule::L6 => "L6",
            Rule::L7 => "L7",
            Rule::H1 => "H1",
            Rule::D1 => "D1",
        }
    }

    /// A one-line statement of the rule, for listings and the catalogue.
    pub const fn summary(self) -> &'static str {
        match self {
            Rule::N1 => "metric names are snake_case, without `__`, leading or trailing `_`, or `:`",
            Rule::N2 => "metric names start with the namespace prefix",
            Rule::N3 => "counters end in `_total`, nothing else does",
            Rule::N4 => "names use base units: seconds, bytes, ratio",
            Rule::N5 => "a declared unit is the suffix of the name",
            Rule::N6 => "names do not end in a reserved suffix; `_info` only on info metrics",
            Rule::N7 => "every metric has help text",
            Rule::L1 => "label names are snake_case and never start with `__`",
            Rule::L2 => "reserved label names are not declared",
            Rule::L3 => "forbidden label names are not declared",
            Rule::L4 => "label values are bounded types",
            Rule::L5 => "a metric has at most the policy's number of labels",
            Rule::L6 => "a metric has at most its limit of series",
            Rule::L7 => "label values are non-empty, distinct and not `unknown`",
            Rule::H1 => "bucket bounds are non-empty, finite and strictly increasing",
            Rule::D1 => "no two metrics share an exposed name",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One broken rule: what is wrong, why the rule exists, and how to fix it.
///
/// It displays as rustc lays out a diagnostic: the message, then `= note:`
/// and `= help:` lines (rustc indents them under the message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule that is broken.
    pub rule: Rule,
    /// What is wrong, starting with the rule id and naming the metric or label,
    /// e.g. ``N4: metric `trc_request_latency_ms` is in milliseconds``.
    pub message: String,
    /// The rule and the reason for it.
    pub note: String,
    /// The concrete fix.
    pub help: String,
    /// Where a rule checks a list (bucket bounds, label values), the index of
    /// the offending item, so that a caller can point at it.
    pub index: Option<usize>,
}

impl Violation {
    fn new(rule: Rule, detail: impl fmt::Display, note: impl Into<String>, help: impl Into<String>) -> Violation {
        Violation {
            rule,
            message: format!("{}: {detail}", rule.id()),
            note: note.into(),
            help: help.into(),
            index: None,
        }
    }

    fn at(mut self, index: usize) -> Violation {
        self.index = Some(index);
        self
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n= note: {}\n= help: {}", self.message, self.note, self.help)
    }
}

impl std::error::Error for Violation {}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// What keeps `name` from being snake case `[a-z][a-z0-9_]*` with single `_`
/// between words, one clause per kind of problem (first offender only).
fn snake_case_problems(name: &str, metric: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(c) = name.chars().find(|c| !c.is_ascii()) {
        problems.push(format!("contains non-ASCII `{c}`"));
    }
    if name.contains(':') {
        problems.push(
            if metric { "contains `:`, which is reserved for recording rules" } else { "contains `:`" }.to_owned(),
        );
    }
    if let Some(c) = name.chars().find(char::is_ascii_uppercase) {
        problems.push(format!("contains uppercase `{c}`"));
    }
    if let Some(c) = name.chars().find(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || matches!(c, '_' | ':'))) {
        if c.is_ascii_whitespace() {
            problems.push("contains whitespace".to_owned());
        } else {
            problems.push(format!("contains `{}`", c.escape_debug()));
        }
    }
    let leading = name.len() - name.trim_start_matches('_').len();
    match leading {
        0 if name.starts_with(|c: char| c.is_ascii_digit()) => problems.push("starts with a digit".to_owned()),
        0 => {}
        1 => problems.push("starts with `_`".to_owned()),
        _ => problems.push("starts with `__`".to_owned()),
    }
    if leading < name.len() && name.ends_with('_') {
        problems.push("ends with `_`".to_owned());
    }
    if name.trim_matches('_').contains("__") {
        problems.push("contains `__`".to_owned());
    }
    problems
}

/// `name` rewritten in snake case: `CamelCase` split into words, accented
/// Latin letters folded, anything else a word break; `None` if the result is
/// not a valid name (empty, or starting with a digit).
fn to_snake_case(name: &str) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let after_word = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            let acronym_end =
                prev.is_some_and(|p| p.is_ascii_uppercase()) && next.is_some_and(char::is_ascii_lowercase);
            if after_word || acronym_end {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if let Some(folded) = fold_latin(c) {
            out.push_str(folded);
        } else {
            out.push('_');
        }
    }
    let joined = out.split('_').filter(|w| !w.is_empty()).collect::<Vec<_>>().join("_");
    joined.starts_with(|c: char| c.is_ascii_lowercase()).then_some(joined)
}

/// The ASCII spelling of a lowercase or uppercase accented Latin letter.
fn fold_latin(c: char) -> Option<&'static str> {
    let lower = c.to_lowercase().next()?;
    Some(match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' => "s",
        'ß' => "ss",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// The last position at which the word sequence `needle` occurs in `words`.
fn rfind_words(words: &[&str], needle: &[&str]) -> Option<usize> {
    if needle.is_empty() || needle.len() > words.len() {
        return None;
    }
    (0..=words.len() - needle.len()).rev().find(|&i| words[i..i + needle.len()] == *needle)
}

/// The name with the suffix `_total` removed if it is a counter's.
fn counter_stem(name: &str, kind: MetricKind) -> &str {
    match kind {
        MetricKind::Counter => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    }
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

const N1_NOTE: &str = "metric names are snake_case (`[a-z][a-z0-9_]*`, ASCII, single `_` between words) so that \
                       they read the same in every query, dashboard and tool; `:` is reserved for recording rules \
                       and a leading `__` for Prometheus itself";

/// N1: a metric name is snake case `[a-z][a-z0-9_]*`: non-empty, ASCII, no
/// `__`, no leading or trailing `_`, no `:` (reserved for recording rules).
/// Every problem of the name is listed in one violation, whose help suggests
/// the name rewritten in snake case when one can be derived.
///
/// ```
/// use catalog::rules::check_n1;
///
/// assert!(check_n1("trc_http_requests_total").is_none());
/// let v = check_n1("trc_HttpRequests_total").unwrap();
/// assert_eq!(v.help, "rename `trc_HttpRequests_total` to `trc_http_requests_total`");
/// ```
pub fn check_n1(name: &str) -> Option<Violation> {
    if name.is_empty() {
        return Some(Violation::new(
            Rule::N1,
            "metric name is empty",
            N1_NOTE,
            "name the metric in snake_case, e.g. `http_requests_total`",
        ));
    }
    let problems = snake_case_problems(name, true);
    if problems.is_empty() {
        return None;
    }
    let help = match to_snake_case(name) {
        Some(fixed) => format!("rename `{name}` to `{fixed}`"),
        None => "start the name with a letter and use only `a-z`, `0-9` and single `_` between words".to_owned(),
    };
    Some(Violation::new(
        Rule::N1,
        format_args!("metric `{name}` is not snake_case: {}", problems.join(", ")),
        N1_NOTE,
        help,
    ))
}

/// N2: when the policy sets a namespace, every metric name starts with
/// `<namespace>_` and has its own name after it.
///
/// ```
/// use catalog::{Policy, rules::check_n2};
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

/// N3: a counter's name ends in `_total` (the author writes it); no other
/// metric's name does.
///
/// ```
/// use catalog::{MetricKind, rules::check_n3};
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
        MetricKind::Gauge | MetricKind::Histogram => name.strip_suffix("_total").map(|stem| {
            Violation::new(
                Rule::N3,
                format_args!("{} `{name}` ends in `_total`, which is reserved for counters", kind.as_str()),
                NOTE,
                format!("rename `{name}` to `{stem}`, or declare it a counter if it only goes up"),
            )
        }),
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
/// use catalog::rules::check_n4;
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
/// use catalog::{MetricKind, rules::check_n5};
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

/// The suffixes of the series that histograms, summaries, gauge histograms
/// and counters generate.
pub const RESERVED_SUFFIXES: [&str; 6] = ["_bucket", "_count", "_sum", "_created", "_gcount", "_gsum"];

/// N6: a name does not end in a suffix of generated series (`_bucket`,
/// `_count`, `_sum`, `_created`, `_gcount`, `_gsum`), and ends in `_info`
/// exactly when it is an info metric (`info`).
///
/// ```
/// use catalog::rules::check_n6;
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
/// use catalog::rules::check_n7;
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
/// N1 alone. Info metrics do not exist yet, so N6 rejects `_info`.
///
/// ```
/// use catalog::{MetricKind, Policy, rules::{Rule, check_metric_name}};
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
        check_n6(name, false),
    ]
    .into_iter()
    .flatten()
    .collect()
}

// ---------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------

const L1_NOTE: &str = "label names are snake_case (`[a-z][a-z0-9_]*`, ASCII, single `_` between words); names \
                       starting with `__` are reserved for Prometheus' own labels (`__name__`, `__address__`, ...)";

/// L1: a label name is snake case `[a-z][a-z0-9_]*` (non-empty, ASCII, no
/// `__`, no leading or trailing `_`) and in particular never starts with `__`,
/// which Prometheus reserves.
///
/// ```
/// use catalog::rules::check_l1;
///
/// assert!(check_l1("path_template").is_none());
/// assert_eq!(
///     check_l1("__name__").unwrap().message,
///     "L1: label `__name__` starts with `__`, which Prometheus reserves for its own labels",
/// );
/// ```
pub fn check_l1(label: &str) -> Option<Violation> {
    if label.is_empty() {
        return Some(Violation::new(
            Rule::L1,
            "label name is empty",
            L1_NOTE,
            "name the label in snake_case after what it classifies, e.g. `method`",
        ));
    }
    let problems = snake_case_problems(label, false);
    if problems.is_empty() {
        return None;
    }
    let fixed = to_snake_case(label);
    let help = match &fixed {
        Some(fixed) => format!("rename `{label}` to `{fixed}`"),
        None => "start the name with a letter and use only `a-z`, `0-9` and single `_` between words".to_owned(),
    };
    let detail = if label.starts_with("__") {
        format!("label `{label}` starts with `__`, which Prometheus reserves for its own labels")
    } else {
        format!("label `{label}` is not snake_case: {}", problems.join(", "))
    };
    Some(Violation::new(Rule::L1, detail, L1_NOTE, help))
}

/// The label names L2 reserves: the name, why, and a replacement.
const RESERVED_LABELS: [(&str, &str, &str); 4] = [
    ("le", "`le` holds the upper bound of a histogram's bucket series", "bound"),
    ("quantile", "`quantile` holds the quantile of a summary's series", "percentile"),
    ("job", "Prometheus attaches `job` to every series of a scrape target", "job_type"),
    ("instance", "Prometheus attaches `instance` to every series of a scrape target", "instance_role"),
];

/// L2: the label names `le` (histogram buckets), `quantile` (summaries),
/// `job` and `instance` (attached by Prometheus) are reserved. `le` is
/// rejected on every metric, not only histograms, so that a metric can become
/// a histogram without renaming its labels.
///
/// ```
/// use catalog::rules::check_l2;
///
/// assert!(check_l2("status").is_none());
/// assert_eq!(check_l2("job").unwrap().help, "rename `job` to what it classifies, e.g. `job_type`");
/// ```
pub fn check_l2(label: &str) -> Option<Violation> {
    let (name, why, instead) = RESERVED_LABELS.iter().find(|(name, _, _)| *name == label)?;
    Some(Violation::new(
        Rule::L2,
        format_args!("label `{name}` is reserved"),
        format!(
            "{why}; a declared label of the same name collides with it (Prometheus renames or overwrites one of \
             them), so `le`, `quantile`, `job` and `instance` are never declared"
        ),
        format!("rename `{name}` to what it classifies, e.g. `{instead}`"),
    ))
}

/// A family of forbidden label names: what such a label would hold, why that
/// is forbidden, and what to label instead.
struct Forbidden {
    holds: &'static str,
    why: &'static str,
    instead: &'static str,
}

const HOSTS: Forbidden = Forbidden {
    holds: "a host name",
    why: "host names are unbounded and churn with every deployment; Prometheus already attaches `instance` for \
          the scraped target",
    instead: "drop it, or label a bounded classification such as `backend_pool` or `node_role`",
};
const URLS: Forbidden = Forbidden {
    holds: "a raw URL or path",
    why: "raw URLs and paths are unbounded (ids, query strings) and may carry personal data",
    instead: "label the route template instead, e.g. `path_template` with values like `/orgs/{id}`",
};
const QUERIES: Forbidden = Forbidden {
    holds: "a query",
    why: "query strings and query texts are unbounded and may carry personal data",
    instead: "label a bounded class of the query instead, e.g. `query_class`",
};
const INSTANCES: Forbidden = Forbidden {
    holds: "an instance id",
    why: "instance ids are many and change with every restart, so each one starts new series",
    instead: "aggregate over instances, or label a bounded `node_id` or `process_type`",
};
const USERS: Forbidden = Forbidden {
    holds: "a user identity",
    why: "user ids, names and email addresses are unbounded and personal data, which must not reach the metrics \
          store",
    instead: "label a bounded class such as `user_tier`, and keep per-user detail in logs",
};
const ADDRESSES: Forbidden = Forbidden {
    holds: "an IP address",
    why: "addresses are unbounded and personal data",
    instead: "label a bounded class such as `ip_family` or `network_zone`",
};
const MESSAGES: Forbidden = Forbidden {
    holds: "a free-text message",
    why: "messages are free text: unbounded, and new series appear with every change of wording",
    instead: "label a bounded `error_type` or `reason` enum, and log the message",
};
const REQUEST_IDS: Forbidden = Forbidden {
    holds: "a per-request identifier",
    why: "request, trace, span, session and idempotency ids are unique per request: one new series each",
    instead: "put it in logs or traces, not in a label",
};
const SECRETS: Forbidden = Forbidden {
    holds: "a credential",
    why: "a credential in a label leaks to every metrics store, dashboard and backup that sees the series",
    instead: "never label a credential; if its kind matters, label a bounded `token_type` or `auth_scheme`",
};
const RAW: Forbidden = Forbidden {
    holds: "a raw value",
    why: "a `raw_` label holds an unprocessed value, unbounded by nature",
    instead: "label a bounded classification of the value instead (a template or an enum), named without `raw_`",
};

/// Label names forbidden only as the whole name (as suffixes they would catch
/// legal names such as `code_path` or `is_error`).
const FORBIDDEN_EXACT: &[(&str, &Forbidden)] = &[
    ("host", &HOSTS),
    ("path", &URLS),
    ("query", &QUERIES),
    ("instance_id", &INSTANCES),
    ("user", &USERS),
    ("error", &MESSAGES),
    ("message", &MESSAGES),
    ("msg", &MESSAGES),
];

/// Label names forbidden as the whole name and as the last words of a compound
/// (`backend_hostname`, `user_email`, `client_ip_address`).
const FORBIDDEN_WORDS: &[(&str, &Forbidden)] = &[
    ("hostname", &HOSTS),
    ("url", &URLS),
    ("uri", &URLS),
    ("query_string", &QUERIES),
    ("user_id", &USERS),
    ("username", &USERS),
    ("user_name", &USERS),
    ("email", &USERS),
    ("ip", &ADDRESSES),
    ("ip_address", &ADDRESSES),
    ("client_ip", &ADDRESSES),
    ("error_message", &MESSAGES),
    ("idempotency_key", &REQUEST_IDS),
    ("request_id", &REQUEST_IDS),
    ("trace_id", &REQUEST_IDS),
    ("span_id", &REQUEST_IDS),
    ("session_id", &REQUEST_IDS),
    ("token", &SECRETS),
    ("secret", &SECRETS),
    ("password", &SECRETS),
    ("api_key", &SECRETS),
    ("authorization", &SECRETS),
    ("cookie", &SECRETS),
];

/// L3: forbidden label names — names whose values would be unbounded or
/// sensitive. Forbidden are the exact names `hostname`, `host`, `url`, `uri`,
/// `path`, `query`, `query_string`, `instance_id`, `user`, `user_id`,
/// `username`, `user_name`, `email`, `ip`, `client_ip`, `error`,
/// `error_message`, `message`, `msg`, `idempotency_key`, `request_id`,
/// `trace_id`, `span_id`, `session_id`, `token`, `secret`, `password`,
/// `api_key`, `authorization`, `cookie` and `ip_address`; compounds ending in
/// `_hostname`, `_url`, `_uri`, `_email`, `_ip`, `_ip_address`, `_user_id`,
/// `_username`, `_user_name`, `_query_string`, `_client_ip`,
/// `_error_message`, `_idempotency_key`, `_request_id`, `_trace_id`,
/// `_span_id`, `_session_id`, `_token`, `_secret`, `_password`, `_api_key`,
/// `_authorization`, `_cookie`; names starting with `raw_`; and the policy's
/// `forbidden_labels`. Bounded classifications stay legal: `path_template`,
/// `query_class`, `error_type`, `user_tier`, `token_type`, `reason`, ...
///
/// ```
/// use catalog::{Policy, rules::check_l3};
///
/// let policy = Policy::default();
/// assert!(check_l3("path_template", &policy).is_none());
/// assert_eq!(
///     check_l3("user_email", &policy).unwrap().message,
///     "L3: label `user_email` is forbidden: a name ending in `_email` holds a user identity",
/// );
/// ```
pub fn check_l3(label: &str, policy: &Policy) -> Option<Violation> {
    let found =
        if let Some((_, family)) = FORBIDDEN_EXACT.iter().chain(FORBIDDEN_WORDS).find(|(name, _)| *name == label) {
            Some((format!("label `{label}` is forbidden: it holds {}", family.holds), *family))
        } else if let Some((word, family)) = FORBIDDEN_WORDS
            .iter()
            .filter(|(word, _)| label.strip_suffix(word).is_some_and(|rest| rest.ends_with('_')))
            .max_by_key(|(word, _)| word.len())
        {
            Some((format!("label `{label}` is forbidden: a name ending in `_{word}` holds {}", family.holds), *family))
        } else if label.starts_with("raw_") {
            Some((format!("label `{label}` is forbidden: a name starting with `raw_` holds {}", RAW.holds), &RAW))
        } else {
            None
        };
    if let Some((detail, family)) = found {
        return Some(Violation::new(
            Rule::L3,
            detail,
            format!("{}; labels take their values from a small closed set", family.why),
            family.instead,
        ));
    }
    if policy.forbidden_labels.iter().any(|f| f == label) {
        return Some(Violation::new(
            Rule::L3,
            format_args!("label `{label}` is forbidden by the project's metrics policy"),
            "the project's policy (`forbidden_labels` in `[package.metadata.metrics]` or \
             `[workspace.metadata.metrics]`) forbids this label name",
            format!("remove `{label}`, or label a bounded classification the policy allows"),
        ));
    }
    None
}

/// L1 to L3 on one label name, in that order. An empty name is reported by L1
/// alone.
///
/// ```
/// use catalog::{Policy, rules::{Rule, check_label_name}};
///
/// let policy = Policy::default();
/// assert!(check_label_name("grant_type", &policy).is_empty());
/// assert_eq!(check_label_name("le", &policy)[0].rule, Rule::L2);
/// ```
pub fn check_label_name(label: &str, policy: &Policy) -> Vec<Violation> {
    if label.is_empty() {
        return check_l1(label).into_iter().collect();
    }
    [check_l1(label), check_l2(label), check_l3(label, policy)].into_iter().flatten().collect()
}

/// The unbounded value types L4 names itself, by the kind of value.
fn unbounded_kind(ty: &str) -> Option<(&'static str, &'static str)> {
    const TEXT: (&str, &str) = (
        "text",
        "declare the values as an enum with `#[derive(LabelValue)]`, or, for ids bounded only at run time (e.g. \
         by cluster size), a capped label type with `capped_label!`",
    );
    const INTEGER: (&str, &str) = (
        "an integer",
        "declare the values as an enum with `#[derive(LabelValue)]` (e.g. status classes `2xx`, `4xx`, `5xx` \
         instead of status codes), or, for ids bounded only at run time, a capped label type with `capped_label!`",
    );
    const FLOAT: (&str, &str) = (
        "a float",
        "record the number as a histogram observation, or bucket it into an enum with `#[derive(LabelValue)]`",
    );
    // Strip references, lifetimes and `mut`: `&'static str` -> `str`.
    let mut ty = ty.trim();
    loop {
        if let Some(rest) = ty.strip_prefix('&') {
            ty = rest.trim_start();
        } else if ty.starts_with('\'') {
            ty = ty.find(char::is_whitespace).map_or("", |end| ty[end..].trim_start());
        } else if let Some(rest) = ty.strip_prefix("mut ") {
            ty = rest.trim_start();
        } else {
            break;
        }
    }
    let (head, args) = match (ty.find('<'), ty.rfind('>')) {
        (Some(open), Some(close)) if open < close => (ty[..open].trim(), Some(&ty[open + 1..close])),
        _ => (ty, None),
    };
    let last = head.rsplit("::").next().unwrap_or(head).trim();
    let last_arg = args.map(|a| a.rsplit(',').next().unwrap_or(a).trim());
    match last {
        "String" | "str" | "char" | "OsString" | "OsStr" => Some(TEXT),
        "Box" | "Rc" | "Arc" | "Cow" | "Option" => last_arg.and_then(unbounded_kind),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
            Some(INTEGER)
        }
        _ if last.starts_with("NonZero") => Some(INTEGER),
        "f32" | "f64" => Some(FLOAT),
        _ => None,
    }
}

/// L4: a label's value type is bounded (an enum deriving `LabelValue`, or
/// `Option` of one); text (`String`, `&str`, `Box<str>`, `Cow<str>`,
/// `char`), integers and floats are rejected. `ty` is the type as written,
/// e.g. `"&'static str"`; types this function does not recognise pass (the
/// trait bound reports them).
///
/// ```
/// use catalog::rules::check_l4;
///
/// assert!(check_l4("method", "Method").is_none());
/// assert!(check_l4("node", "String").is_some());
/// ```
pub fn check_l4(label: &str, ty: &str) -> Option<Violation> {
    let (kind, help) = unbounded_kind(ty)?;
    Some(Violation::new(
        Rule::L4,
        format_args!("label `{label}` has type `{}`, which is unbounded", ty.trim()),
        format!(
            "a label takes its values from a closed set so that the number of series stays bounded; {kind} can \
             take any value, and every value is a new series"
        ),
        help,
    ))
}

/// L5: a metric has at most `policy.max_labels` labels.
///
/// ```
/// use catalog::{Policy, rules::check_l5};
///
/// let policy = Policy { max_labels: 3, ..Policy::default() };
/// assert!(check_l5("trc_http_requests_total", 3, &policy).is_none());
/// assert!(check_l5("trc_http_requests_total", 4, &policy).is_some());
/// ```
pub fn check_l5(metric: &str, label_count: usize, policy: &Policy) -> Option<Violation> {
    let max = policy.max_labels;
    if label_count <= max {
        return None;
    }
    Some(Violation::new(
        Rule::L5,
        format_args!("metric `{metric}` has {label_count} labels, more than the limit of {max}"),
        "every label multiplies the series of a metric and the work of every query over it; the metrics policy \
         caps the number of labels per metric",
        format!(
            "drop {} label(s) or split the metric, or raise `max_labels` in `[package.metadata.metrics]`",
            label_count - max
        ),
    ))
}

/// The number of series of a metric whose labels have these cardinalities:
/// their product, saturating at `usize::MAX` instead of overflowing (the
/// same count as [`Descriptor::series_count`]).
///
/// ```
/// assert_eq!(catalog::rules::series_count(&[4, 5, 3]), 60);
/// assert_eq!(catalog::rules::series_count(&[]), 1);
/// assert_eq!(catalog::rules::series_count(&[usize::MAX, 2]), usize::MAX);
/// ```
pub const fn series_count(cardinalities: &[usize]) -> usize {
    let mut count: usize = 1;
    let mut i = 0;
    while i < cardinalities.len() {
        count = count.saturating_mul(cardinalities[i]);
        i += 1;
    }
    count
}

/// L6: a metric has at most `limit` series, its series count being the
/// product of its labels' cardinalities (see [`series_count`]). The limit is
/// the policy's `max_series` unless the metric raised its own.
///
/// ```
/// use catalog::rules::{check_l6, series_count};
///
/// assert!(check_l6("trc_http_requests_total", series_count(&[4, 20, 5]), 1_000).is_none());
/// assert!(check_l6("trc_http_requests_total", series_count(&[4, 50, 6]), 1_000).is_some());
/// ```
pub fn check_l6(metric: &str, series: usize, limit: usize) -> Option<Violation> {
    if series <= limit {
        return None;
    }
    let count = if series == usize::MAX { "more than `usize::MAX`".to_owned() } else { series.to_string() };
    Some(Violation::new(
        Rule::L6,
        format_args!("metric `{metric}` has {count} series, more than its limit of {limit}"),
        "every series is a time series that Prometheus stores, and queries scan: the product of the label \
         cardinalities is bounded at compile time",
        "drop a label or merge label values, or raise this metric's limit with `#[metric(max_series = N)]` (at \
         most the policy's `series_ceiling`)",
    ))
}

/// L6, for a metric that raises its own series limit: the limit it asks for is
/// at most the policy's hard ceiling (`policy.series_ceiling`).
///
/// ```
/// use catalog::{Policy, rules::check_l6_limit};
///
/// let policy = Policy::default();
/// assert!(check_l6_limit("trc_http_requests_total", 50_000, &policy).is_none());
/// assert!(check_l6_limit("trc_http_requests_total", 500_000, &policy).is_some());
/// ```
pub fn check_l6_limit(metric: &str, limit: usize, policy: &Policy) -> Option<Violation> {
    let ceiling = policy.series_ceiling;
    if limit <= ceiling {
        return None;
    }
    Some(Violation::new(
        Rule::L6,
        format_args!("metric `{metric}` raises its series limit to {limit}, above the policy's ceiling of {ceiling}"),
        "a metric may raise its own series limit, but never above the hard ceiling of the metrics policy",
        "lower `max_series`, or raise `series_ceiling` in `[package.metadata.metrics]`",
    ))
}

/// L7: a label's values are non-empty, distinct, and none is `unknown` (the
/// value a missing `None` label renders as); a label has at least one value.
/// Each offending value is reported with its index. `label` names the label
/// (or, for a derive, the value type).
///
/// ```
/// use catalog::rules::check_l7;
///
/// assert!(check_l7("result", &["ok", "error"]).is_empty());
/// let v = check_l7("result", &["ok", "", "ok"]);
/// assert_eq!(v[0].message, "L7: value 1 of label `result` is empty");
/// assert_eq!(v[1].message, "L7: value 2 of label `result` is `ok`, the same as value 0");
/// ```
pub fn check_l7(label: &str, values: &[&str]) -> Vec<Violation> {
    let unknown = crate::Label::UNKNOWN;
    if values.is_empty() {
        return vec![Violation::new(
            Rule::L7,
            format_args!("label `{label}` has no values"),
            "a label takes its values from a closed, non-empty set; with no value it has no series",
            "declare the values this label can take (unit variants of its enum)",
        )];
    }
    let mut violations = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if value.is_empty() {
            violations.push(
                Violation::new(
                    Rule::L7,
                    format_args!("value {i} of label `{label}` is empty"),
                    "an empty label value is the same as a missing label in Prometheus, so the series would lose the \
                 label",
                    "give the value a non-empty name, e.g. with `#[label(rename = \"...\")]`",
                )
                .at(i),
            );
        } else if *value == unknown {
            violations.push(
                Violation::new(
                    Rule::L7,
                    format_args!("value {i} of label `{label}` is `{unknown}`, which is reserved"),
                    "`unknown` is what a missing (`None`) label value renders as, so a declared `unknown` would share \
                 its series",
                    "use `Option<..>` for a value that may be missing, or rename this value",
                )
                .at(i),
            );
        } else if let Some(first) = values[..i].iter().position(|v| v == value) {
            violations.push(
                Violation::new(
                    Rule::L7,
                    format_args!("value {i} of label `{label}` is `{value}`, the same as value {first}"),
                    "each label value names exactly one series; two equal values would write to the same series",
                    "rename one of them, e.g. with `#[label(rename = \"...\")]`",
                )
                .at(i),
            );
        }
    }
    violations
}

// ---------------------------------------------------------------------------
// Histograms and lifecycle
// ---------------------------------------------------------------------------

/// H1: a histogram's bucket bounds are non-empty, finite and strictly
/// increasing; `+Inf` is implicit. Each offending bound is reported with its
/// index.
///
/// ```
/// use catalog::rules::check_h1;
///
/// assert!(check_h1("trc_event_append_duration_seconds", &[0.005, 0.01, 0.1, 1.0]).is_empty());
/// let v = check_h1("trc_event_append_duration_seconds", &[0.1, 0.05]);
/// assert_eq!(
///     v[0].message,
///     "H1: bucket bound 1 of histogram `trc_event_append_duration_seconds` (0.05) is not above bound 0 (0.1)",
/// );
/// ```
pub fn check_h1(metric: &str, bounds: &[f64]) -> Vec<Violation> {
    const NOTE: &str = "bucket bounds are the finite upper bounds of cumulative buckets, listed in strictly \
                        increasing order; the `+Inf` bucket is always added";
    if bounds.is_empty() {
        return vec![Violation::new(
            Rule::H1,
            format_args!("histogram `{metric}` has no bucket bounds"),
            NOTE,
            "list at least one finite upper bound, e.g. `buckets = [0.005, 0.01, 0.1, 1.0]`; `+Inf` is implicit",
        )];
    }
    let mut violations = Vec::new();
    let mut previous: Option<(usize, f64)> = None;
    for (i, &bound) in bounds.iter().enumerate() {
        if bound.is_nan() {
            violations.push(
                Violation::new(
                    Rule::H1,
                    format_args!("bucket bound {i} of histogram `{metric}` is NaN"),
                    NOTE,
                    "replace it with a finite number",
                )
                .at(i),
            );
        } else if bound.is_infinite() {
            let sign = if bound > 0.0 { "+" } else { "-" };
            let help = if bound > 0.0 {
                "remove it: every histogram ends with a `+Inf` bucket"
            } else {
                "remove it: a bucket up to `-Inf` never counts an observation"
            };
            violations.push(
                Violation::new(
                    Rule::H1,
                    format_args!("bucket bound {i} of histogram `{metric}` is `{sign}Inf`"),
                    NOTE,
                    help,
                )
                .at(i),
            );
        } else {
            if let Some((j, last)) = previous
                && bound <= last
            {
                violations.push(
                    Violation::new(
                        Rule::H1,
                        format_args!(
                            "bucket bound {i} of histogram `{metric}` ({bound}) is not above bound {j} ({last})"
                        ),
                        NOTE,
                        "list the bounds in strictly increasing order, each once",
                    )
                    .at(i),
                );
            }
            if previous.is_none_or(|(_, last)| bound > last) {
                previous = Some((i, bound));
            }
        }
    }
    violations
}

/// D1: no two metrics share an exposed name — their family names in either
/// exposition (a counter `x_total` is family `x` in OpenMetrics) and the
/// series names they generate (`x_bucket`, `x_sum`, `x_count`), as
/// [`Descriptor::exposed_names`] lists them. Reports the first shared name.
///
/// ```
/// use catalog::{Descriptor, MetricKind, Source, rules::check_d1};
///
/// const fn metric(name: &'static str, kind: MetricKind) -> Descriptor {
///     Descriptor {
///         name, help: "h", kind, unit: None, labels: &[], buckets: &[], subsystem: "",
///         version: "1.0.0", deprecation: None,
///         source: Source { file: "src/lib.rs", line: 1, column: 1, module_path: "app" },
///     }
/// }
/// let counter = metric("trc_jobs_total", MetricKind::Counter);
/// let gauge = metric("trc_jobs", MetricKind::Gauge);
/// assert_eq!(check_d1(&counter, &gauge).unwrap().message, "D1: metrics `trc_jobs_total` and `trc_jobs` both expose `trc_jobs`");
/// ```
pub fn check_d1(first: &Descriptor, second: &Descriptor) -> Option<Violation> {
    let mut violation = check_d1_names((first.name, first.kind), (second.name, second.kind))?;
    violation.help = format!(
        "rename one of them (`{}` is declared at {}, `{}` at {})",
        first.name, first.source, second.name, second.source
    );
    Some(violation)
}

/// D1 on two metrics known by name and kind, e.g. two fields of one struct.
///
/// ```
/// use catalog::{MetricKind, rules::check_d1_names};
///
/// let v = check_d1_names(("trc_io", MetricKind::Histogram), ("trc_io_count", MetricKind::Gauge)).unwrap();
/// assert_eq!(v.message, "D1: metrics `trc_io` and `trc_io_count` both expose `trc_io_count`");
/// ```
pub fn check_d1_names(first: (&str, MetricKind), second: (&str, MetricKind)) -> Option<Violation> {
    let theirs = exposed_names(second.0, second.1);
    let shared = exposed_names(first.0, first.1).into_iter().find(|name| theirs.contains(name))?;
    Some(Violation::new(
        Rule::D1,
        format_args!("metrics `{}` and `{}` both expose `{shared}`", first.0, second.0),
        "every exposed name belongs to one metric: OpenMetrics names a counter `x_total` family `x`, and a \
         histogram `x` also exposes `x_bucket`, `x_sum` and `x_count`, so these names collide too",
        format!("rename `{}` or `{}`", first.0, second.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trc() -> Policy {
        Policy { namespace: "trc".into(), ..Policy::default() }
    }

    /// The shape every violation has: the rule id, lowercase prose, no
    /// trailing period, a note and a help.
    #[track_caller]
    fn assert_well_formed(v: &Violation) {
        let prefix = format!("{}: ", v.rule.id());
        let detail = v.message.strip_prefix(&prefix).unwrap_or_else(|| panic!("no rule id: {}", v.message));
        let first = detail.chars().next().expect("empty message");
        assert!(!first.is_uppercase(), "message not lowercase: {}", v.message);
        for text in [&v.message, &v.note, &v.help] {
            assert!(!text.trim().is_empty(), "empty part in {v:?}");
            assert!(!text.ends_with('.'), "trailing period: {text}");
            assert!(!text.contains('\n'), "line break: {text}");
            assert_eq!(text.matches('`').count() % 2, 0, "unbalanced backticks: {text}");
        }
    }

    #[track_caller]
    fn one(v: Option<Violation>, rule: Rule) -> Violation {
        let v = v.unwrap_or_else(|| panic!("expected a {rule} violation"));
        assert_eq!(v.rule, rule);
        assert_well_formed(&v);
        v
    }

    #[track_caller]
    fn rules_of(vs: &[Violation]) -> Vec<Rule> {
        vs.iter().for_each(assert_well_formed);
        vs.iter().map(|v| v.rule).collect()
    }

    // --- Rule and Violation ---------------------------------------------

    #[test]
    fn rule_ids_are_unique_and_in_order() {
        let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(
            ids,
            ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "H1", "D1"]
        );
        for rule in Rule::ALL {
            assert_eq!(rule.to_string(), rule.id());
            assert!(!rule.summary().is_empty());
        }
        let mut sorted = Rule::ALL;
        sorted.sort();
        assert_eq!(sorted, Rule::ALL);
    }

    #[test]
    fn violation_display_renders_note_and_help() {
        let v = one(check_n4("trc_request_latency_ms"), Rule::N4);
        assert_eq!(v.message, "N4: metric `trc_request_latency_ms` is in milliseconds");
        assert_eq!(
            v.to_string(),
            format!(
                "N4: metric `trc_request_latency_ms` is in milliseconds\n= note: {}\n= help: rename \
                 `trc_request_latency_ms` to `trc_request_latency_seconds` and record seconds as f64",
                v.note
            )
        );
        let error: Box<dyn std::error::Error> = Box::new(v.clone());
        assert_eq!(error.to_string(), v.to_string());
    }

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

    // --- L1 ---------------------------------------------------------------

    #[test]
    fn l1_label_names_are_snake_case() {
        assert_eq!(check_l1("method"), None);
        assert_eq!(check_l1("http_path_template"), None);
        let v = one(check_l1(""), Rule::L1);
        assert_eq!(v.message, "L1: label name is empty");
        let v = one(check_l1("__name__"), Rule::L1);
        assert_eq!(v.message, "L1: label `__name__` starts with `__`, which Prometheus reserves for its own labels");
        assert_eq!(v.help, "rename `__name__` to `name`");
        let v = one(check_l1("httpMethod"), Rule::L1);
        assert_eq!(v.message, "L1: label `httpMethod` is not snake_case: contains uppercase `M`");
        assert_eq!(v.help, "rename `httpMethod` to `http_method`");
        one(check_l1("_method"), Rule::L1);
        one(check_l1("method_"), Rule::L1);
        one(check_l1("http__method"), Rule::L1);
        one(check_l1("http-method"), Rule::L1);
        one(check_l1("a:b"), Rule::L1);
        one(check_l1("1st"), Rule::L1);
        let v = one(check_l1("método"), Rule::L1);
        assert_eq!(v.help, "rename `método` to `metodo`");
    }

    // --- L2 ---------------------------------------------------------------

    #[test]
    fn l2_reserved_label_names() {
        for name in ["le", "quantile", "job", "instance"] {
            let v = one(check_l2(name), Rule::L2);
            assert_eq!(v.message, format!("L2: label `{name}` is reserved"));
        }
        for name in ["level", "job_type", "instance_role", "quantiles", "status"] {
            assert_eq!(check_l2(name), None, "{name}");
        }
    }

    // --- L3 ---------------------------------------------------------------

    const ARCHITECTURE_EXACT: [&str; 30] = [
        "hostname",
        "host",
        "url",
        "uri",
        "path",
        "query",
        "query_string",
        "instance_id",
        "user",
        "user_id",
        "username",
        "user_name",
        "email",
        "ip",
        "client_ip",
        "error",
        "error_message",
        "message",
        "msg",
        "idempotency_key",
        "request_id",
        "trace_id",
        "span_id",
        "session_id",
        "token",
        "secret",
        "password",
        "api_key",
        "authorization",
        "cookie",
    ];

    const ARCHITECTURE_SUFFIXES: [&str; 14] = [
        "_email",
        "_url",
        "_uri",
        "_hostname",
        "_ip",
        "_ip_address",
        "_password",
        "_secret",
        "_api_key",
        "_cookie",
        "_session_id",
        "_request_id",
        "_trace_id",
        "_user_id",
    ];

    const LEGAL_CLASSIFICATIONS: [&str; 12] = [
        "path_template",
        "http_path_template",
        "query_class",
        "error_type",
        "user_tier",
        "token_type",
        "grant_type",
        "reason",
        "result",
        "kind",
        "mount",
        "listener_port",
    ];

    #[test]
    fn l3_rejects_every_exact_name() {
        let policy = Policy::default();
        for name in ARCHITECTURE_EXACT {
            let v = one(check_l3(name, &policy), Rule::L3);
            assert!(v.message.starts_with(&format!("L3: label `{name}` is forbidden: it holds ")), "{}", v.message);
        }
        one(check_l3("ip_address", &policy), Rule::L3);
    }

    #[test]
    fn l3_rejects_every_compound() {
        let policy = Policy::default();
        for suffix in ARCHITECTURE_SUFFIXES {
            let name = format!("backend{suffix}");
            let v = one(check_l3(&name, &policy), Rule::L3);
            assert!(v.message.contains(&format!("a name ending in `{suffix}`")), "{}", v.message);
        }
        for (name, message) in [
            ("user_email", "L3: label `user_email` is forbidden: a name ending in `_email` holds a user identity"),
            (
                "client_ip_address",
                "L3: label `client_ip_address` is forbidden: a name ending in `_ip_address` holds an IP address",
            ),
            ("raw_url", "L3: label `raw_url` is forbidden: a name ending in `_url` holds a raw URL or path"),
            ("raw_status", "L3: label `raw_status` is forbidden: a name starting with `raw_` holds a raw value"),
            (
                "backend_hostname",
                "L3: label `backend_hostname` is forbidden: a name ending in `_hostname` holds a host name",
            ),
            (
                "db_error_message",
                "L3: label `db_error_message` is forbidden: a name ending in `_error_message` holds a free-text message",
            ),
            ("refresh_token", "L3: label `refresh_token` is forbidden: a name ending in `_token` holds a credential"),
        ] {
            assert_eq!(one(check_l3(name, &policy), Rule::L3).message, message);
        }
    }

    #[test]
    fn l3_keeps_bounded_classifications_legal() {
        let policy = Policy::default();
        for name in LEGAL_CLASSIFICATIONS {
            assert_eq!(check_l3(name, &policy), None, "{name}");
            assert!(check_label_name(name, &policy).is_empty(), "{name}");
        }
        // Forbidden words inside a name, or at its start, are not its suffix.
        for name in ["code_path", "is_error", "hostname_class", "url_scheme", "ip_family", "token_kind", "urgent"] {
            assert_eq!(check_l3(name, &policy), None, "{name}");
        }
    }

    #[test]
    fn l3_policy_extends_the_list() {
        let policy = Policy { forbidden_labels: vec!["tenant".into(), "org_id".into()], ..Policy::default() };
        let v = one(check_l3("tenant", &policy), Rule::L3);
        assert_eq!(v.message, "L3: label `tenant` is forbidden by the project's metrics policy");
        one(check_l3("org_id", &policy), Rule::L3);
        assert_eq!(check_l3("org_id", &Policy::default()), None);
        assert_eq!(check_l3("tenant_tier", &policy), None);
    }

    #[test]
    fn seed_catalogue_labels_pass_l1_to_l3() {
        let policy = trc();
        let seed = [
            "method",
            "path_template",
            "status",
            "grant_type",
            "result",
            "query_class",
            "endpoint",
            "command",
            "projection",
            "reason",
            "kind",
            "mount",
            "listener_port",
            "protocol_hint",
        ];
        let spec_allowed = [
            "component",
            "node_id",
            "org_id",
            "env_id",
            "process_type",
            "route_id",
            "status",
            "reason",
            "event_type",
            "http_method",
            "http_path_template",
            "http_status",
        ];
        for name in seed.iter().chain(&spec_allowed) {
            assert_eq!(check_label_name(name, &policy), [], "{name}");
        }
    }

    #[test]
    fn label_name_runs_l1_to_l3_in_order() {
        let policy = Policy::default();
        assert_eq!(rules_of(&check_label_name("", &policy)), [Rule::L1]);
        assert_eq!(rules_of(&check_label_name("le", &policy)), [Rule::L2]);
        assert_eq!(rules_of(&check_label_name("User_Email", &policy)), [Rule::L1]);
        assert_eq!(rules_of(&check_label_name("raw__url", &policy)), [Rule::L1, Rule::L3]);
    }

    // --- L4 ---------------------------------------------------------------

    #[test]
    fn l4_rejects_unbounded_value_types() {
        for ty in [
            "String",
            "std::string::String",
            "&str",
            "&'static str",
            "& 'static str",
            "Box<str>",
            "std::borrow::Cow<'static, str>",
            "Arc<str>",
            "char",
            "Option<String>",
        ] {
            let v = one(check_l4("node", ty), Rule::L4);
            assert!(v.note.contains("text can take any value"), "{ty}: {}", v.note);
        }
        for ty in ["u16", "i64", "usize", "core::num::NonZeroU32", "Option<u8>"] {
            let v = one(check_l4("status", ty), Rule::L4);
            assert!(v.help.contains("status classes"), "{ty}");
        }
        for ty in ["f32", "f64"] {
            one(check_l4("load", ty), Rule::L4);
        }
        let v = one(check_l4("status", "u16"), Rule::L4);
        assert_eq!(v.message, "L4: label `status` has type `u16`, which is unbounded");
        for ty in ["Method", "Option<Method>", "crate::StatusClass", "bool", "Box<Method>"] {
            assert_eq!(check_l4("x", ty), None, "{ty}");
        }
    }

    // --- L5 / L6 ------------------------------------------------------------

    #[test]
    fn l5_caps_the_label_count() {
        let policy = Policy::default();
        assert_eq!(check_l5("trc_x", 0, &policy), None);
        assert_eq!(check_l5("trc_x", 10, &policy), None);
        let v = one(check_l5("trc_x", 11, &policy), Rule::L5);
        assert_eq!(v.message, "L5: metric `trc_x` has 11 labels, more than the limit of 10");
        let strict = Policy { max_labels: 2, ..Policy::default() };
        one(check_l5("trc_x", 3, &strict), Rule::L5);
    }

    #[test]
    fn l6_counts_series_without_overflow() {
        const SERIES: usize = series_count(&[2, 3]);
        assert_eq!(SERIES, 6);
        assert_eq!(series_count(&[]), 1);
        assert_eq!(series_count(&[4, 5, 3]), 60);
        assert_eq!(series_count(&[4, 0]), 0);
        assert_eq!(series_count(&[usize::MAX, 2]), usize::MAX);
        assert_eq!(series_count(&[1 << 40, 1 << 40, 0]), 0);
    }

    #[test]
    fn l6_caps_the_series_count() {
        assert_eq!(check_l6("trc_x", 1_000, 1_000), None);
        let v = one(check_l6("trc_x", 1_001, 1_000), Rule::L6);
        assert_eq!(v.message, "L6: metric `trc_x` has 1001 series, more than its limit of 1000");
        let v = one(check_l6("trc_x", series_count(&[usize::MAX, 3]), 100_000), Rule::L6);
        assert_eq!(v.message, "L6: metric `trc_x` has more than `usize::MAX` series, more than its limit of 100000");
    }

    #[test]
    fn l6_limit_is_capped_by_the_ceiling() {
        let policy = Policy::default();
        assert_eq!(check_l6_limit("trc_x", 100_000, &policy), None);
        let v = one(check_l6_limit("trc_x", 100_001, &policy), Rule::L6);
        assert_eq!(
            v.message,
            "L6: metric `trc_x` raises its series limit to 100001, above the policy's ceiling of 100000"
        );
    }

    // --- L7 ---------------------------------------------------------------

    #[test]
    fn l7_values_are_non_empty_distinct_and_not_unknown() {
        assert!(check_l7("result", &["ok", "error", "timeout"]).is_empty());
        // Any other UTF-8 is fine: it is escaped, not rejected.
        assert!(check_l7("path_template", &["/orgs/{id}", "a\"b", "ação", "Unknown", "unknown_reason"]).is_empty());

        let vs = check_l7("result", &[]);
        assert_eq!(rules_of(&vs), [Rule::L7]);
        assert_eq!(vs[0].message, "L7: label `result` has no values");

        let vs = check_l7("result", &["ok", "", "unknown", "ok", "", "error", "error"]);
        assert_eq!(rules_of(&vs), [Rule::L7; 5]);
        let messages: Vec<&str> = vs.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "L7: value 1 of label `result` is empty",
                "L7: value 2 of label `result` is `unknown`, which is reserved",
                "L7: value 3 of label `result` is `ok`, the same as value 0",
                "L7: value 4 of label `result` is empty",
                "L7: value 6 of label `result` is `error`, the same as value 5",
            ]
        );
    }

    // --- H1 ---------------------------------------------------------------

    #[test]
    fn h1_accepts_increasing_finite_bounds() {
        assert!(check_h1("trc_x_seconds", &crate::DEFAULT_BUCKETS).is_empty());
        assert!(check_h1("trc_x_seconds", &[1.0]).is_empty());
        assert!(check_h1("trc_x", &[-10.0, -1.0, 0.0, 1.0]).is_empty());
    }

    #[test]
    fn h1_rejects_empty_non_finite_and_unordered_bounds() {
        let vs = check_h1("trc_x_seconds", &[]);
        assert_eq!(rules_of(&vs), [Rule::H1]);
        assert_eq!(vs[0].message, "H1: histogram `trc_x_seconds` has no bucket bounds");

        let vs = check_h1("trc_x_seconds", &[0.1, f64::NAN, 0.5, f64::INFINITY]);
        let messages: Vec<&str> = vs.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "H1: bucket bound 1 of histogram `trc_x_seconds` is NaN",
                "H1: bucket bound 3 of histogram `trc_x_seconds` is `+Inf`"
            ]
        );
        assert_eq!(vs[1].help, "remove it: every histogram ends with a `+Inf` bucket");
        let vs = check_h1("trc_x_seconds", &[f64::NEG_INFINITY, 1.0]);
        assert_eq!(vs[0].message, "H1: bucket bound 0 of histogram `trc_x_seconds` is `-Inf`");

        // Each bound is compared with the highest bound before it.
        let vs = check_h1("trc_x_seconds", &[0.1, 0.5, 0.5, 0.2, 1.0]);
        let messages: Vec<&str> = vs.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "H1: bucket bound 2 of histogram `trc_x_seconds` (0.5) is not above bound 1 (0.5)",
                "H1: bucket bound 3 of histogram `trc_x_seconds` (0.2) is not above bound 1 (0.5)",
            ]
        );
        rules_of(&vs);
    }

    // --- D1 ---------------------------------------------------------------

    const fn descriptor(name: &'static str, kind: MetricKind, line: u32) -> Descriptor {
        Descriptor {
            name,
            help: "help",
            kind,
            unit: None,
            labels: &[],
            buckets: &[],
            subsystem: "",
            version: "1.0.0",
            deprecation: None,
            source: crate::Source { file: "src/lib.rs", line, column: 5, module_path: "app" },
        }
    }

    #[test]
    fn d1_reports_shared_exposed_names() {
        let counter = descriptor("trc_jobs_total", MetricKind::Counter, 1);
        let gauge = descriptor("trc_jobs", MetricKind::Gauge, 2);
        let v = one(check_d1(&counter, &gauge), Rule::D1);
        assert_eq!(v.message, "D1: metrics `trc_jobs_total` and `trc_jobs` both expose `trc_jobs`");
        assert_eq!(
            v.help,
            "rename one of them (`trc_jobs_total` is declared at src/lib.rs:1:5, `trc_jobs` at src/lib.rs:2:5)"
        );

        let histogram = descriptor("trc_latency_seconds", MetricKind::Histogram, 3);
        let count = descriptor("trc_latency_seconds_count", MetricKind::Gauge, 4);
        let v = one(check_d1(&histogram, &count), Rule::D1);
        assert!(v.message.ends_with("both expose `trc_latency_seconds_count`"));
        one(check_d1(&count, &histogram), Rule::D1);

        let other = descriptor("trc_workers", MetricKind::Gauge, 5);
        assert_eq!(check_d1(&counter, &other), None);
        assert_eq!(check_d1(&histogram, &other), None);
    }
}
