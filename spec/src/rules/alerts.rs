//! The alert rules: A1 (names), A2 (a condition the metric's type can
//! answer), A3 (thresholds and durations), A4 (severities), A5 (one alert per
//! name).

use super::{Rule, Violation};
use crate::MetricKind;
use crate::alert::Severity;

/// The alert conditions, as `#[alert(..)]` spells their keys.
pub const CONDITIONS: [&str; 4] = ["error_ratio", "quantile", "above` / `below", "absent"];

/// A1: an alert name is `UpperCamelCase`, `[A-Z][A-Za-z0-9]*`, as
/// Prometheus's own alerts are named.
pub fn check_a1(alert: &str) -> Option<Violation> {
    let ok = alert.starts_with(|c: char| c.is_ascii_uppercase()) && alert.chars().all(|c| c.is_ascii_alphanumeric());
    if ok {
        return None;
    }
    let words: String = alert.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let suggestion = upper_camel(&words);
    let help = if suggestion.starts_with(|c: char| c.is_ascii_uppercase()) {
        format!("rename it `{suggestion}`")
    } else {
        "name it in UpperCamelCase, e.g. `ApiErrorRatioHigh`".to_owned()
    };
    Some(Violation::new(
        Rule::A1,
        format_args!("alert name `{alert}` is not UpperCamelCase"),
        "alert names are `UpperCamelCase` (`[A-Z][A-Za-z0-9]*`), the `alertname` every receiver routes and silences on",
        help,
    ))
}

/// A2: the condition is one the metric's type can answer: an error ratio of
/// a counter with labels, a quantile of a histogram, a threshold on a gauge's
/// value; absence of any metric. `condition` is the key as written:
/// `error_ratio`, `quantile`, `above`, `below` or `absent`.
pub fn check_a2(metric: &str, kind: MetricKind, labeled: bool, condition: &str) -> Option<Violation> {
    const NOTE: &str = "an alert watches what its metric's type measures: the error ratio of a counter's rate, \
                        a quantile of a histogram, the value of a gauge, or a metric's absence";
    let article = kind.with_article();
    let (fits, help) = match condition {
        "error_ratio" if kind != MetricKind::Counter => (
            false,
            format!(
                "an error ratio is a ratio of counter rates; `{metric}` is {article}: watch a counter of the same operations by result, or use `above`/`below` on a gauge"
            ),
        ),
        "error_ratio" if !labeled => (
            false,
            format!(
                "`{metric}` has no labels to tell failures from the rest: declare it as a `Family` over a label set with a result label"
            ),
        ),
        "quantile" if kind != MetricKind::Histogram => (
            false,
            format!(
                "quantiles are computed from histogram buckets; `{metric}` is {article}: put the alert on a histogram of the same observations"
            ),
        ),
        "above" | "below" if matches!(kind, MetricKind::Counter) => (
            false,
            "a counter's value only grows, so a threshold on it fires forever once crossed: alert on its `error_ratio`, or on a gauge"
                .to_owned(),
        ),
        "above" | "below" if !matches!(kind, MetricKind::Gauge) => (
            false,
            format!(
                "`above`/`below` compare a gauge's value; `{metric}` is {article}: use `quantile` on a histogram or `error_ratio` on a counter"
            ),
        ),
        _ => (true, String::new()),
    };
    (!fits).then(|| {
        let what = match condition {
            "error_ratio" => "an error ratio cannot be computed from",
            "quantile" => "a quantile cannot be computed from",
            _ => "a threshold on the value does not fit",
        };
        Violation::new(Rule::A2, format_args!("{what} `{metric}`, {article}"), NOTE, help)
    })
}

/// A3: a threshold is a finite number, a ratio or quantile strictly between
/// 0 and 1. `key` is the attribute key (`error_ratio`, `quantile`, `above`,
/// `below`).
pub fn check_a3_threshold(alert: &str, key: &str, value: f64) -> Option<Violation> {
    let fraction = matches!(key, "error_ratio" | "quantile");
    let ok = value.is_finite() && (!fraction || (value > 0.0 && value < 1.0));
    if ok {
        return None;
    }
    let (what, help) = if fraction {
        (
            "is not strictly between 0 and 1",
            if key == "quantile" {
                "write the quantile as a fraction, e.g. `quantile = 0.99` for the 99th percentile"
            } else {
                "write the ratio as a fraction, e.g. `error_ratio = 0.05` for 5 % of operations failing"
            },
        )
    } else {
        ("is not a finite number", "write the threshold in the metric's unit, e.g. `above = 0.5`")
    };
    Some(Violation::new(
        Rule::A3,
        format_args!("`{key}` of alert `{alert}` ({value:?}) {what}"),
        "an alert compares with a finite threshold in the metric's unit; ratios and quantiles are fractions of 1",
        help,
    ))
}

/// A3: a quantile threshold a histogram can reach: below its largest finite
/// bucket bound (a quantile that falls in the `+Inf` bucket is reported as
/// that bound, so a threshold at or above it never fires).
pub fn check_a3_reachable(alert: &str, metric: &str, above: f64, bounds: &[f64]) -> Option<Violation> {
    let largest = bounds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (above.is_finite() && largest.is_finite() && above >= largest).then(|| {
        Violation::new(
            Rule::A3,
            format_args!(
                "alert `{alert}` fires above {above:?}, which `{metric}` cannot report: its largest bucket bound is {largest:?}"
            ),
            "a quantile is read from the buckets; one beyond the largest finite bound is reported as that bound, \
             so the alert would never fire",
            format!("lower the threshold below {largest:?}, or add bucket bounds above {above:?}"),
        )
    })
}

/// Seconds in a duration such as `10m`, `90s` or `1h30m` (units `d`, `h`,
/// `m`, `s`, each after a whole number), as alerts' `for` and `window` and
/// summaries' `max_age` are written. `None` when malformed.
pub fn parse_duration(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for c in text.chars() {
        match c {
            '0'..='9' => {
                number = Some(number.unwrap_or(0).checked_mul(10)?.checked_add(u64::from(c) - u64::from('0'))?);
            }
            'd' | 'h' | 'm' | 's' => {
                let unit = match c {
                    'd' => 86_400,
                    'h' => 3_600,
                    'm' => 60,
                    _ => 1,
                };
                total = total.checked_add(number.take()?.checked_mul(unit)?)?;
            }
            _ => return None,
        }
    }
    (number.is_none() && !text.is_empty()).then_some(total)
}

/// A3: `for` and `window` are durations (`window` at least a minute, so that
/// a rate over it holds several scrapes); returns the seconds.
pub fn check_a3_duration(alert: &str, key: &str, text: &str) -> Result<u64, Violation> {
    let minimum = if key == "window" { 60 } else { 0 };
    match parse_duration(text) {
        Some(seconds) if seconds >= minimum => Ok(seconds),
        parsed => {
            let what = if parsed.is_some() { "is shorter than a minute" } else { "is not a duration" };
            Err(Violation::new(
                Rule::A3,
                format_args!("`{key}` of alert `{alert}` (`\"{}\"`) {what}", text.escape_debug()),
                if key == "window" {
                    "durations are whole numbers of `d`, `h`, `m` or `s`, as Prometheus writes them; \
                     a rate's window holds several scrapes"
                } else {
                    "durations are whole numbers of `d`, `h`, `m` or `s`, as Prometheus writes them"
                },
                format!("write e.g. `{key} = \"{}\"`", if key == "window" { "5m" } else { "10m" }),
            ))
        }
    }
}

/// A4: the severity is one receivers route on: `critical`, `warning` or
/// `info`.
pub fn check_a4(alert: &str, severity: &str) -> Result<Severity, Violation> {
    Severity::from_name(severity).ok_or_else(|| {
        let names: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        Violation::new(
            Rule::A4,
            format_args!("alert `{alert}` has unknown severity `{}`", severity.escape_debug()),
            "the severity label is what alert routing matches on; every alert uses the same three",
            format!("write one of {}", names.iter().map(|n| format!("`\"{n}\"`")).collect::<Vec<_>>().join(", ")),
        )
    })
}

/// A5: no two alerts share a name. `alerts` are `(alert, metric)` pairs;
/// one violation per repeated name, naming both metrics, at the index of
/// the second.
pub fn check_a5<'a>(alerts: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<Violation> {
    let mut seen: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    let mut violations = Vec::new();
    for (i, (alert, metric)) in alerts.into_iter().enumerate() {
        if let Some(first) = seen.insert(alert, metric) {
            seen.insert(alert, first);
            violations.push(
                Violation::new(
                    Rule::A5,
                    format_args!("alert `{alert}` is declared twice, on `{first}` and on `{metric}`"),
                    "an alert's name identifies it in every receiver, silence and rule file",
                    format!("give the alert on `{metric}` a name of its own"),
                )
                .at(i),
            );
        }
    }
    violations
}

/// `snake_case` as `UpperCamelCase`: `trc_api_requests_total` ->
/// `TrcApiRequestsTotal`.
fn upper_camel(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_names() {
        assert!(check_a1("ApiErrorRatioHigh").is_none());
        let v = check_a1("api_error_ratio").unwrap();
        assert_eq!(v.message, "A1: alert name `api_error_ratio` is not UpperCamelCase");
        assert_eq!(v.help, "rename it `ApiErrorRatio`");
        assert!(check_a1("").is_some());
        assert_eq!(check_a1("9Lives").unwrap().help, "name it in UpperCamelCase, e.g. `ApiErrorRatioHigh`");
    }

    #[test]
    fn a2_conditions_by_kind() {
        assert!(check_a2("m_total", MetricKind::Counter, true, "error_ratio").is_none());
        assert!(check_a2("m_total", MetricKind::Counter, false, "error_ratio").is_some());
        let v = check_a2("m_bytes", MetricKind::Gauge, true, "error_ratio").unwrap();
        assert_eq!(v.message, "A2: an error ratio cannot be computed from `m_bytes`, a gauge");
        assert!(check_a2("m_seconds", MetricKind::Histogram, false, "quantile").is_none());
        assert!(check_a2("m_seconds", MetricKind::Summary, false, "quantile").is_some());
        assert!(check_a2("m", MetricKind::Gauge, false, "below").is_none());
        assert!(check_a2("m_total", MetricKind::Counter, false, "above").is_some());
        assert!(check_a2("m_info", MetricKind::Info, false, "absent").is_none());
    }

    #[test]
    fn a3_thresholds_and_durations() {
        assert!(check_a3_threshold("A", "error_ratio", 0.05).is_none());
        assert!(check_a3_threshold("A", "error_ratio", 1.0).is_some());
        assert!(check_a3_threshold("A", "quantile", 0.0).is_some());
        assert!(check_a3_threshold("A", "above", -3.0).is_none());
        assert!(check_a3_threshold("A", "above", f64::NAN).is_some());
        assert!(check_a3_reachable("A", "m_seconds", 2.0, &[1.0, 5.0]).is_none());
        let v = check_a3_reachable("A", "m_seconds", 5.0, &[1.0, 5.0]).unwrap();
        assert_eq!(
            v.message,
            "A3: alert `A` fires above 5.0, which `m_seconds` cannot report: its largest bucket bound is 5.0"
        );
        assert_eq!(check_a3_duration("A", "for", "1h30m"), Ok(5400));
        assert_eq!(check_a3_duration("A", "for", "0s"), Ok(0));
        assert!(check_a3_duration("A", "window", "30s").is_err());
        let v = check_a3_duration("A", "for", "10 minutes").unwrap_err();
        assert_eq!(v.message, "A3: `for` of alert `A` (`\"10 minutes\"`) is not a duration");
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("1d"), Some(86_400));
    }

    #[test]
    fn a4_and_a5() {
        assert_eq!(check_a4("A", "warning"), Ok(Severity::Warning));
        let v = check_a4("A", "page").unwrap_err();
        assert_eq!(v.help, "write one of `\"critical\"`, `\"warning\"`, `\"info\"`");
        let v = check_a5([("Down", "a_up"), ("High", "b_total"), ("Down", "c_up")]);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].message, "A5: alert `Down` is declared twice, on `a_up` and on `c_up`");
        assert_eq!(v[0].index, Some(2));
    }
}
