//! Alerts declared on metrics (`#[alert(..)]`): what each watches, when it
//! fires, and what an operator reads when it does, as `'static` data in the
//! metric's [`Descriptor`](crate::Descriptor). The catalogue tools turn them
//! into Prometheus alerting rules and runbooks.

/// How urgent an alert is: the `severity` label of its rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Someone must act now (pages).
    Critical,
    /// Someone must look soon (a ticket).
    Warning,
    /// Worth knowing; no action expected.
    Info,
}

impl Severity {
    /// Every severity, most urgent first.
    pub const ALL: [Severity; 3] = [Severity::Critical, Severity::Warning, Severity::Info];

    /// The value of the `severity` label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The severity spelled `text`, if it is one.
    pub fn from_name(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Which side of its threshold an alert fires on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// Fires while the watched value is above the threshold (`>`).
    Above,
    /// Fires while the watched value is below the threshold (`<`).
    Below,
}

impl Comparison {
    /// The PromQL operator: `>` or `<`.
    pub const fn operator(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::Below => "<",
        }
    }

    /// The comparison of a PromQL operator, `>` or `<`.
    pub fn from_operator(text: &str) -> Option<Comparison> {
        match text {
            ">" => Some(Comparison::Above),
            "<" => Some(Comparison::Below),
            _ => None,
        }
    }
}

/// What an alert watches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Condition {
    /// The share of a counter's increase whose `label` is one of `errors`,
    /// over the alert's window, above `above` (a ratio in (0, 1)).
    ErrorRatio {
        /// The label whose values tell failures from the rest.
        label: &'static str,
        /// The values of `label` that count as failures; empty: the values
        /// of `label` marked `#[label(error)]`.
        errors: &'static [&'static str],
        /// The ratio the alert fires above.
        above: f64,
    },
    /// A quantile of a histogram's observations over the alert's window,
    /// above `above` (in the metric's unit).
    Quantile {
        /// The quantile, in (0, 1).
        quantile: f64,
        /// The value the alert fires above.
        above: f64,
    },
    /// A gauge's value against a threshold, series by series (each series
    /// that crosses it fires on its own).
    Value {
        /// Which side fires.
        comparison: Comparison,
        /// The threshold, in the metric's unit.
        threshold: f64,
    },
    /// No series of the metric at all (the program stopped reporting it).
    Absent,
}

impl Condition {
    /// The name of the condition: `error_ratio`, `quantile`, `value` or
    /// `absent`, as the attribute and the catalogue spell it.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Condition::ErrorRatio { .. } => "error_ratio",
            Condition::Quantile { .. } => "quantile",
            Condition::Value { .. } => "value",
            Condition::Absent => "absent",
        }
    }
}

/// The window rates and quantiles are computed over when an alert does not
/// say: five minutes.
pub const DEFAULT_WINDOW_SECONDS: u64 = 300;

/// One alert declared on a metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Alert {
    /// The alert's name, `UpperCamelCase` (the `alertname` label).
    pub name: &'static str,
    /// What it watches.
    pub condition: Condition,
    /// The range of rates and quantiles, in seconds (unused by `Value` and
    /// `Absent`, which read the latest sample).
    pub window_seconds: u64,
    /// How long the condition must hold before the alert fires, in seconds.
    pub for_seconds: u64,
    /// How urgent it is.
    pub severity: Severity,
    /// One line: what is wrong.
    pub summary: &'static str,
    /// What it means and what to do (Markdown), shown in the runbook.
    pub runbook: &'static str,
}

/// The text of the variant called `identifier` in a label value type whose
/// variants are `identifiers` and values `values` (both in variant order):
/// how a declaration's `errors = [Outcome::Error]` becomes `"error"` at
/// compile time. `""` when there is no such variant (rustc reports the path
/// itself then).
pub const fn variant_value(
    identifiers: &'static [&'static str],
    values: &'static [&'static str],
    identifier: &str,
) -> &'static str {
    let mut i = 0;
    while i < identifiers.len() && i < values.len() {
        if str_eq(identifiers[i], identifier) {
            return values[i];
        }
        i += 1;
    }
    ""
}

/// The name of the one label among `labels` whose values are exactly
/// `values`: the label of the enum an alert's `errors` name. Panics with
/// `none` when no label has them and with `several` when more than one has,
/// which at compile time is an error with that text (the derive writes both
/// messages, naming the alert, the metric and the enum).
pub const fn label_with_values(
    labels: &'static [crate::Label],
    values: &'static [&'static str],
    none: &'static str,
    several: &'static str,
) -> &'static str {
    let mut found: Option<&'static str> = None;
    let mut i = 0;
    while i < labels.len() {
        if strs_eq(labels[i].values, values) {
            assert!(found.is_none(), "{}", several);
            found = Some(labels[i].name);
        }
        i += 1;
    }
    match found {
        Some(name) => name,
        None => panic!("{}", none),
    }
}

/// The one label of `labels` with values marked `#[label(error)]`: what an
/// `error_ratio` alert without `errors` counts. Panics with `none` or
/// `several` (a compile error with that text) when none or several labels
/// have such values.
pub const fn marked_error_label(
    labels: &'static [crate::Label],
    none: &'static str,
    several: &'static str,
) -> &'static crate::Label {
    let mut found: Option<&'static crate::Label> = None;
    let mut i = 0;
    while i < labels.len() {
        if !labels[i].errors.is_empty() {
            assert!(found.is_none(), "{}", several);
            found = Some(&labels[i]);
        }
        i += 1;
    }
    match found {
        Some(label) => label,
        None => panic!("{}", none),
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn strs_eq(a: &[&str], b: &[&str]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if !str_eq(a[i], b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Label;

    static OUTCOME: [&str; 2] = ["ok", "error"];
    static IDENTS: [&str; 2] = ["Ok", "Error"];
    static LABELS: [Label; 2] = [
        Label::new("method", &["get", "post"], &["get", "post"], false, None),
        Label::new("result", &OUTCOME, &OUTCOME, false, None).with_errors(&[1]),
    ];

    #[test]
    fn resolves_variants_and_labels_at_compile_time() {
        const VALUE: &str = variant_value(&IDENTS, &OUTCOME, "Error");
        const LABEL: &str = label_with_values(&LABELS, &OUTCOME, "none", "several");
        const MARKED: &Label = marked_error_label(&LABELS, "none", "several");
        assert_eq!(VALUE, "error");
        assert_eq!(variant_value(&IDENTS, &OUTCOME, "Eror"), "");
        assert_eq!(LABEL, "result");
        assert_eq!(MARKED.name, "result");
        assert_eq!(MARKED.error_values().collect::<Vec<_>>(), ["error"]);
    }

    #[test]
    #[should_panic(expected = "no label has them")]
    fn a_type_that_is_no_label_of_the_metric_is_refused() {
        label_with_values(&LABELS, &["a", "b"], "no label has them", "several");
    }

    #[test]
    #[should_panic(expected = "none marked")]
    fn a_ratio_without_marked_values_is_refused() {
        static PLAIN: [Label; 1] = [Label::new("method", &["get"], &["get"], false, None)];
        marked_error_label(&PLAIN, "none marked", "several");
    }

    #[test]
    fn names_round_trip() {
        for severity in Severity::ALL {
            assert_eq!(Severity::from_name(severity.as_str()), Some(severity));
        }
        assert_eq!(Severity::from_name("page"), None);
        assert_eq!(Comparison::from_operator(">"), Some(Comparison::Above));
        assert_eq!(Comparison::Below.operator(), "<");
        assert_eq!(Comparison::from_operator(">="), None);
    }
}
