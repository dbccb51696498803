//! H1 (bucket bounds), D1 (exposed names) and D2 (versions, deprecation).

use super::{Rule, Violation};
use crate::version::Version;
use crate::{Descriptor, MetricKind, exposed_names};

/// H1: a histogram's bucket bounds are non-empty, finite and strictly
/// increasing; `+Inf` is implicit. Each offending bound is reported with its
/// index.
///
/// ```
/// use metricate_spec::rules::check_h1;
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
    let mut highest = Highest::default();
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
        } else if let Some((j, last)) = highest.below(i, bound) {
            violations.push(
                Violation::new(
                    Rule::H1,
                    format_args!(
                        "bucket bound {i} of histogram `{metric}` ({bound:?}) is not above bound {j} ({last:?})"
                    ),
                    NOTE,
                    "list the bounds in strictly increasing order, each once",
                )
                .at(i),
            );
        }
    }
    violations
}

/// The highest number so far, and its index, of a list that H1 wants strictly
/// increasing: each number is compared with the highest one before it.
#[derive(Default)]
struct Highest(Option<(usize, f64)>);

impl Highest {
    /// Takes number `i` of the list, `x`: the index and value of the highest
    /// number before it when `x` is not above that one.
    fn below(&mut self, i: usize, x: f64) -> Option<(usize, f64)> {
        match self.0 {
            Some((j, last)) if x <= last => Some((j, last)),
            _ => {
                self.0 = Some((i, x));
                None
            }
        }
    }
}

/// The list of numbers H1 reads, as an attribute writes it: a histogram's
/// `buckets` or a summary's `quantiles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum H1List {
    /// `buckets = [..]`: bucket bounds.
    Buckets,
    /// `quantiles = [..]`: a summary's quantiles.
    Quantiles,
}

/// The note of H1 on how the numbers are written.
const WRITTEN_NOTE: [&str; 2] = [
    "bucket bounds are the finite upper bounds of cumulative buckets, listed in strictly increasing order as number \
     literals; the `+Inf` bucket is always added",
    "the quantiles are checked when the crate compiles, so they are written out",
];

/// H1, before there are numbers to check: `buckets = ..` or `quantiles = ..`
/// of `field` (none for the function an attribute instruments) is not an
/// array.
///
/// ```
/// use metricate_spec::rules::{H1List, h1_not_a_list};
///
/// let v = h1_not_a_list(H1List::Buckets, Some("latency_seconds"));
/// assert_eq!(v.message, "H1: `buckets` of `latency_seconds` is not a list of bounds");
/// ```
pub fn h1_not_a_list(list: H1List, field: Option<&str>) -> Violation {
    let of = field.map(|field| format!(" of `{field}`")).unwrap_or_default();
    match list {
        H1List::Buckets => Violation::new(
            Rule::H1,
            format_args!("`buckets`{of} is not a list of bounds"),
            WRITTEN_NOTE[0],
            "write the bounds as an array of number literals, e.g. `buckets = [0.005, 0.05, 0.5, 5.0]`",
        ),
        H1List::Quantiles => Violation::new(
            Rule::H1,
            format_args!("`quantiles`{of} is not a list of quantiles"),
            WRITTEN_NOTE[1],
            "write the quantiles as an array of number literals between 0 and 1, e.g. `quantiles = [0.5, 0.9, 0.99]`",
        ),
    }
}

/// H1, before there are numbers to check: an element of the list of
/// `metric` is not a number literal; `written` is its source text, and a
/// bound written as an infinity or NaN constant is not finite.
///
/// ```
/// use metricate_spec::rules::{H1List, h1_not_a_literal};
///
/// let v = h1_not_a_literal(H1List::Buckets, "trc_io_seconds", "f64::INFINITY");
/// assert_eq!(v.message, "H1: a bucket bound of histogram `trc_io_seconds` is not finite");
/// ```
pub fn h1_not_a_literal(list: H1List, metric: &str, written: &str) -> Violation {
    match list {
        H1List::Buckets => {
            let what = if written.ends_with("INFINITY") || written.ends_with("NAN") {
                "is not finite"
            } else {
                "is not a number literal"
            };
            Violation::new(
                Rule::H1,
                format_args!("a bucket bound of histogram `{metric}` {what}"),
                WRITTEN_NOTE[0],
                "write each bound as a finite number literal, e.g. `0.25`; `+Inf` is implicit",
            )
        }
        H1List::Quantiles => Violation::new(
            Rule::H1,
            format_args!("a quantile of summary `{metric}` is not a number literal"),
            WRITTEN_NOTE[1],
            "write each quantile as a number literal between 0 and 1, e.g. `0.99`",
        ),
    }
}

/// H1 for a summary: its quantiles are in (0, 1), strictly increasing, at
/// most [`MAX_QUANTILES`] of them. Each violation carries the index of its
/// quantile.
///
/// ```
/// use metricate_spec::rules::check_quantiles;
///
/// assert!(check_quantiles("trc_step_seconds", &[0.5, 0.9, 0.99]).is_empty());
/// let v = &check_quantiles("trc_step_seconds", &[0.5, 1.0])[0];
/// assert_eq!(v.message, "H1: quantile 1 of summary `trc_step_seconds` (1.0) is not between 0 and 1");
/// assert_eq!(v.index, Some(1));
/// ```
pub fn check_quantiles(metric: &str, quantiles: &[f64]) -> Vec<Violation> {
    const NOTE: &str = "a summary reports the quantiles it lists, each a fraction strictly between 0 and 1 \
                        (0.5 is the median), in strictly increasing order";
    let mut violations = Vec::new();
    if quantiles.is_empty() {
        violations.push(Violation::new(
            Rule::H1,
            format_args!("summary `{metric}` has no quantiles"),
            NOTE,
            "list at least one quantile, e.g. `quantiles = [0.5, 0.9, 0.99]`, or remove `quantiles` for those",
        ));
    } else if quantiles.len() > MAX_QUANTILES {
        violations.push(
            Violation::new(
                Rule::H1,
                format_args!("summary `{metric}` lists {} quantiles, more than {MAX_QUANTILES}", quantiles.len()),
                NOTE,
                format!("keep at most {MAX_QUANTILES} quantiles"),
            )
            .at(MAX_QUANTILES),
        );
    }
    let mut highest = Highest::default();
    for (i, &q) in quantiles.iter().enumerate() {
        if !(q > 0.0 && q < 1.0) {
            violations.push(
                Violation::new(
                    Rule::H1,
                    format_args!("quantile {i} of summary `{metric}` ({q:?}) is not between 0 and 1"),
                    NOTE,
                    "write a fraction strictly between 0 and 1, e.g. `0.99` for the 99th percentile",
                )
                .at(i),
            );
            continue;
        }
        if let Some((j, last)) = highest.below(i, q) {
            violations.push(
                Violation::new(
                    Rule::H1,
                    format_args!("quantile {i} of summary `{metric}` ({q:?}) is not above quantile {j} ({last:?})"),
                    NOTE,
                    "list the quantiles in strictly increasing order, each once",
                )
                .at(i),
            );
        }
    }
    violations
}

/// The most quantiles a summary reports.
pub const MAX_QUANTILES: usize = 16;

/// D1: no two metrics share an exposed name — their family names in either
/// exposition (a counter `x_total` is family `x` in OpenMetrics) and the
/// series names they generate (`x_bucket`, `x_sum`, `x_count`), as
/// [`Descriptor::exposed_names`] lists them. Reports the first shared name.
///
/// ```
/// use metricate_spec::{Descriptor, MetricKind, Source, rules::check_d1};
///
/// const fn metric(name: &'static str, kind: MetricKind) -> Descriptor {
///     Descriptor::new(name, "h", kind, Source { file: "src/lib.rs", line: 1, column: 1, module_path: "app", function: None })
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
/// use metricate_spec::{MetricKind, rules::check_d1_names};
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

/// D2: a metric's version is semver, `MAJOR.MINOR.PATCH` with an optional
/// `-prerelease` and `+build`, so that the catalogue diff can say which bump a
/// change needs.
///
/// ```
/// use metricate_spec::rules::check_d2_version;
///
/// assert!(check_d2_version("trc_jobs_total", "1.2.0").is_none());
/// assert!(check_d2_version("trc_jobs_total", "2.0.0-rc.1").is_none());
/// assert_eq!(
///     check_d2_version("trc_jobs_total", "1.2").unwrap().message,
///     "D2: version `1.2` of metric `trc_jobs_total` is not semver",
/// );
/// ```
pub fn check_d2_version(metric: &str, version: &str) -> Option<Violation> {
    if Version::parse(version).is_some() {
        return None;
    }
    Some(Violation::new(
        Rule::D2,
        format_args!("version `{version}` of metric `{metric}` is not semver"),
        "a metric's version is `MAJOR.MINOR.PATCH` (semver): the catalogue diff compares it with the changes \
         between two catalogues to tell a breaking change from a compatible one",
        "write the version as three numbers, e.g. `1.2.0`",
    ))
}

/// D2: a deprecated metric says why, and names the metric that replaces it
/// (a well-formed name, not itself).
///
/// ```
/// use metricate_spec::rules::check_d2_deprecation;
///
/// assert!(check_d2_deprecation("trc_io_seconds", "split by device", Some("trc_disk_io_seconds")).is_none());
/// assert!(check_d2_deprecation("trc_io_seconds", "split by device", None).is_some());
/// ```
pub fn check_d2_deprecation(metric: &str, reason: &str, replacement: Option<&str>) -> Option<Violation> {
    const NOTE: &str = "a deprecated metric stays in every scrape until it is removed; its help text, the \
                        catalogue and the diff tell users why and what to query instead";
    match (reason.trim(), replacement.map(str::trim)) {
        ("", _) => Some(Violation::new(
            Rule::D2,
            format_args!("metric `{metric}` is deprecated without a reason"),
            NOTE,
            "say why in `deprecated = \"...\"`, e.g. `deprecated = \"split by device\"`",
        )),
        (_, None | Some("")) => Some(Violation::new(
            Rule::D2,
            format_args!("deprecated metric `{metric}` names no replacement"),
            NOTE,
            "name the metric to use instead with `replacement = \"...\"`",
        )),
        (_, Some(replacement)) if replacement == metric => Some(Violation::new(
            Rule::D2,
            format_args!("deprecated metric `{metric}` names itself as its replacement"),
            NOTE,
            "name another metric in `replacement`",
        )),
        (_, Some(replacement)) if super::check_n1(replacement).is_some() => Some(Violation::new(
            Rule::D2,
            format_args!("the replacement `{replacement}` of deprecated metric `{metric}` is not a metric name"),
            NOTE,
            "write the replacement's full name, e.g. `trc_disk_io_seconds`",
        )),
        (_, Some(_)) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

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
        let source = crate::Source { file: "src/lib.rs", line, column: 5, module_path: "app", function: None };
        Descriptor::new(name, "help", kind, source)
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
