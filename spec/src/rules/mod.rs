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
//! use metricate_spec::rules::check_n4;
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

mod alerts;
mod labels;
mod lifecycle;
mod naming;

pub use alerts::{
    CONDITIONS, check_a1, check_a2, check_a3_duration, check_a3_reachable, check_a3_threshold, check_a4, check_a5,
    parse_duration,
};
pub use labels::{
    check_l1, check_l2, check_l3, check_l4, check_l4_states, check_l5, check_l5_label_set, check_l6, check_l6_limit,
    check_l7, check_l7_exposed, check_label_name, l4_generic_reason, l6_text, series_count,
};
pub use lifecycle::{
    H1List, MAX_QUANTILES, check_d1, check_d1_names, check_d2_deprecation, check_d2_version, check_h1, check_quantiles,
    h1_not_a_list, h1_not_a_literal,
};
pub use naming::{
    BASE_UNITS, RESERVED_SUFFIXES, check_metric_name, check_n1, check_n1_subsystem, check_n2, check_n2_any, check_n3,
    check_n3_generated, check_n4, check_n5, check_n6, check_n7, unit_suffix,
};

use crate::MetricKind;

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
    /// Histogram bucket bounds are non-empty, finite and strictly increasing;
    /// summary quantiles are in (0, 1) and strictly increasing.
    H1,
    /// No two metrics share an exposed name.
    D1,
    /// A metric's version is semver; a deprecated metric names its
    /// replacement.
    D2,
    /// Alert names are `UpperCamelCase`.
    A1,
    /// An alert's condition is one its metric's type can answer.
    A2,
    /// Alert thresholds are finite (ratios and quantiles in (0, 1)), durations
    /// well-formed.
    A3,
    /// An alert's severity is `critical`, `warning` or `info`.
    A4,
    /// No two alerts share a name.
    A5,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Rule {
    /// Every rule, in order.
    pub const ALL: [Rule; 22] = [
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
        Rule::D2,
        Rule::A1,
        Rule::A2,
        Rule::A3,
        Rule::A4,
        Rule::A5,
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
            Rule::D2 => "D2",
            Rule::A1 => "A1",
            Rule::A2 => "A2",
            Rule::A3 => "A3",
            Rule::A4 => "A4",
            Rule::A5 => "A5",
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
            Rule::D2 => "versions are semver; a deprecated metric says why and names its replacement",
            Rule::A1 => "alert names are UpperCamelCase",
            Rule::A2 => "an alert's condition fits its metric's type",
            Rule::A3 => "alert thresholds are finite, ratios and quantiles in (0, 1), durations well-formed",
            Rule::A4 => "an alert's severity is critical, warning or info",
            Rule::A5 => "no two alerts share a name",
        }
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

/// Whether `name` is snake case as N1 and L1 read it: `[a-z][a-z0-9_]*`,
/// single `_` between words, no leading or trailing `_`. The one grammar of
/// names, for what names a part of one (a namespace, a forbidden label).
///
/// ```
/// use metricate_spec::rules::is_snake_case;
///
/// assert!(is_snake_case("trc") && is_snake_case("client_ip"));
/// assert!(!is_snake_case("Trc") && !is_snake_case("a__b") && !is_snake_case("_a") && !is_snake_case(""));
/// ```
pub fn is_snake_case(name: &str) -> bool {
    !name.is_empty() && snake_case_problems(name, false).is_empty()
}

/// N1 and L1 on a whole name: it is not empty, and it is snake case (see
/// [`not_snake_case`]). `what` is how the message calls the name (`metric`,
/// `label`), and `empty_help` is the help for an empty one.
fn check_snake_case(rule: Rule, note: &str, what: &str, name: &str, empty_help: &str) -> Option<Violation> {
    if name.is_empty() {
        return Some(Violation::new(rule, format_args!("{what} name is empty"), note, empty_help));
    }
    not_snake_case(rule, note, what, name, false)
}

/// N1 and L1 on a name, or on a `part` of one (a subsystem) that the help
/// calls by `what`: `None` when it is snake case, which an empty name is,
/// else the violation listing its problems, whose help renames it to its snake
/// case spelling or, when there is none, says how to write one. Only a metric
/// name (N1) reserves `:` for recording rules.
fn not_snake_case(rule: Rule, note: &str, what: &str, name: &str, part: bool) -> Option<Violation> {
    let problems = snake_case_problems(name, rule == Rule::N1);
    if problems.is_empty() {
        return None;
    }
    let (renamed, noun) = if part { (format!("{what} `{name}`"), what) } else { (format!("`{name}`"), "name") };
    let help = match to_snake_case(name) {
        Some(fixed) => format!("rename {renamed} to `{fixed}`"),
        None => format!("start the {noun} with a letter and use only `a-z`, `0-9` and single `_` between words"),
    };
    Some(Violation::new(rule, format_args!("{what} `{name}` is not snake_case: {}", problems.join(", ")), note, help))
}

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

#[cfg(test)]
mod test_support {
    use super::*;
    use crate::Policy;

    pub(super) fn trc() -> Policy {
        Policy { namespace: "trc".into(), ..Policy::default() }
    }

    /// The shape every violation has: the rule id, lowercase prose, no
    /// trailing period, a note and a help.
    #[track_caller]
    pub(super) fn assert_well_formed(v: &Violation) {
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
    pub(super) fn one(v: Option<Violation>, rule: Rule) -> Violation {
        let v = v.unwrap_or_else(|| panic!("expected a {rule} violation"));
        assert_eq!(v.rule, rule);
        assert_well_formed(&v);
        v
    }

    #[track_caller]
    pub(super) fn rules_of(vs: &[Violation]) -> Vec<Rule> {
        vs.iter().for_each(assert_well_formed);
        vs.iter().map(|v| v.rule).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    // --- Rule and Violation ---------------------------------------------

    #[test]
    fn rule_ids_are_unique_and_in_order() {
        let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(
            ids,
            [
                "N1", "N2", "N3", "N4", "N5", "N6", "N7", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "H1", "D1", "D2",
                "A1", "A2", "A3", "A4", "A5"
            ]
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
}
