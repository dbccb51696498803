//! The rules checked on each sample in the context of its family, and on
//! each histogram point once its family has ended.
//!
//! The state kept per series is a fingerprint and a few numbers; the text
//! that messages show (a series, a point) is rendered from the line at hand,
//! or read again from the line it was first seen on, only when a message is
//! made.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::{At, Kind, Pos, render, show, with_article};
use crate::exposition::fingerprint::{Fingerprint, Fingerprints};
use crate::exposition::lex::{self, Keyword, Line, RawSample};
use crate::exposition::number::{self, NumberError};
use crate::exposition::{Format, ParseError};

/// What the previous appearance of a series was.
#[derive(Clone, Copy)]
struct Seen {
    line: usize,
    timestamp: Option<f64>,
}

/// The bucket last read in a histogram point.
struct Bucket<'a> {
    le: f64,
    le_text: Cow<'a, str>,
    value: f64,
    line: usize,
}

/// One histogram point: the samples that share the labels other than `le`
/// (and, in OpenMetrics, the timestamp).
struct Point<'a> {
    /// The line of its first sample, to name the point in messages.
    first: &'a str,
    /// Whether that sample is a bucket (whose `le` is not part of the name).
    first_is_bucket: bool,
    /// The last sample of the point.
    last: Pos,
    has_buckets: bool,
    negative_bucket: bool,
    last_bucket: Option<Bucket<'a>>,
    /// The `+Inf` bucket's value and line.
    inf: Option<(f64, usize)>,
    /// `_count` (or `_gcount`).
    count: Option<(f64, Pos)>,
    /// `_sum` (or `_gsum`).
    sum: Option<(f64, Pos)>,
}

/// The state of the family being read.
#[derive(Default)]
pub(super) struct Open<'a> {
    pub(super) type_line: Option<usize>,
    pub(super) help_line: Option<usize>,
    pub(super) unit_line: Option<usize>,
    /// Every series by name and labels.
    series: HashMap<Fingerprint, Seen>,
    /// OpenMetrics: the metrics (label sets without `le`, `quantile` or the
    /// state label) seen so far, and the last one with its timestamp.
    metrics: HashSet<Fingerprint>,
    last_metric: Option<(Fingerprint, Option<f64>)>,
    /// The histogram points, in order, and where each is by fingerprint.
    points: Vec<Point<'a>>,
    point_index: HashMap<Fingerprint, usize>,
    /// Prometheus text: the last quantile of each summary point, as a number
    /// and as written, and its line.
    quantiles: HashMap<Fingerprint, (f64, Cow<'a, str>, usize)>,
}

impl<'a> Open<'a> {
    pub(super) fn metadata_line(&mut self, keyword: Keyword) -> &mut Option<usize> {
        match keyword {
            Keyword::Type => &mut self.type_line,
            Keyword::Help => &mut self.help_line,
            Keyword::Unit => &mut self.unit_line,
        }
    }

    /// The checks of every histogram point, once the family has ended.
    pub(super) fn check_points(&self, kind: Kind, format: Format, name: &str) -> Result<(), ParseError> {
        if kind.is_histogram() {
            for point in &self.points {
                check_point(point, kind, format, name)?;
            }
        }
        Ok(())
    }

    fn point(&mut self, key: Fingerprint, first: &At<'a>, first_is_bucket: bool) -> &mut Point<'a> {
        let index = *self.point_index.entry(key).or_insert_with(|| {
            self.points.push(Point {
                first: first.text,
                first_is_bucket,
                last: Pos::default(),
                has_buckets: false,
                negative_bucket: false,
                last_bucket: None,
                inf: None,
                count: None,
                sum: None,
            });
            self.points.len() - 1
        });
        &mut self.points[index]
    }
}

/// The rules one sample is checked against, in the context of its family.
pub(super) struct SampleCheck<'s, 'a> {
    pub(super) at: &'s At<'a>,
    pub(super) raw: &'s RawSample<'a>,
    pub(super) family: &'a str,
    pub(super) kind: Kind,
    pub(super) suffix: &'static str,
    pub(super) format: Format,
    pub(super) fingerprints: &'s Fingerprints,
    /// The fingerprint of `suffix` as a name.
    pub(super) suffix_fingerprint: Fingerprint,
}

impl<'a> SampleCheck<'_, 'a> {
    fn om(&self) -> bool {
        self.format == Format::OpenMetrics
    }

    fn error(&self, byte: usize, message: impl Into<String>) -> ParseError {
        self.at.error(byte, message)
    }

    fn label(&self, name: &str) -> Option<&lex::Label<'a>> {
        self.raw.labels.iter().find(|l| l.name == name)
    }

    /// The label that tells the samples of one metric apart, if any.
    fn special(&self) -> Option<&'a str> {
        match (self.kind, self.suffix) {
            (Kind::Histogram | Kind::GaugeHistogram, "_bucket") => Some("le"),
            (Kind::Summary, "") => Some("quantile"),
            (Kind::StateSet, "") => Some(self.family),
            _ => None,
        }
    }

    /// The sample's series (`name{labels}`), for messages.
    fn series_text(&self) -> String {
        let raw = self.raw;
        lex::short(&format!("{}{}", raw.name, render(raw.labels.iter().map(|l| (l.name, &*l.value)))))
    }

    /// The sample's metric (`family{labels}` without the special label), for
    /// messages.
    fn metric_text(&self) -> String {
        let special = self.special();
        let labels = self.raw.labels.iter().filter(|l| Some(l.name) != special).map(|l| (l.name, &*l.value));
        lex::short(&format!("{}{}", self.family, render(labels)))
    }

    pub(super) fn check(&self, open: &mut Open<'a>) -> Result<(), ParseError> {
        self.check_exemplar()?;
        let fingerprints = self.fingerprints;
        let labels = fingerprints.labels(self.raw.labels.iter().map(|l| (l.name, &*l.value)));
        // The sample name is the family's and the suffix: the suffix's
        // fingerprint stands for it.
        let repeat = self.check_duplicate(open, self.suffix_fingerprint + labels)?;
        let mut metric = labels;
        if let Some(label) = self.special().and_then(|special| self.label(special)) {
            metric = metric - fingerprints.label(label.name, &label.value);
        }
        if self.om() {
            self.check_metric_order(open, metric)?;
            self.check_value()?;
        }
        if repeat {
            // The same series again at the same timestamp: the histogram
            // point it belongs to was read with its first appearance, which
            // is the one that counts (as in the reference parser).
            return Ok(());
        }
        let key = match self.raw.timestamp {
            Some(timestamp) if self.om() => metric + fingerprints.timestamp(timestamp),
            _ => metric,
        };
        let here = self.at.pos(self.raw.name_at);
        match (self.kind, self.suffix) {
            (Kind::Histogram | Kind::GaugeHistogram, "_bucket") => {
                self.check_bucket(open.point(key, self.at, true), here)
            }
            (Kind::Histogram, "_count") | (Kind::GaugeHistogram, "_gcount") => {
                let point = open.point(key, self.at, false);
                point.count = Some((self.raw.value, here));
                point.last = here;
                Ok(())
            }
            (Kind::Histogram, "_sum") | (Kind::GaugeHistogram, "_gsum") => {
                let point = open.point(key, self.at, false);
                point.sum = Some((self.raw.value, here));
                point.last = here;
                Ok(())
            }
            (Kind::Summary, "") => self.check_quantile(open, key),
            _ => Ok(()),
        }
    }

    /// OpenMetrics: exemplars only on counter totals and histogram buckets.
    fn check_exemplar(&self) -> Result<(), ParseError> {
        let Some(exemplar) = &self.raw.exemplar else { return Ok(()) };
        let allowed = (self.kind == Kind::Counter && self.suffix == "_total")
            || (self.kind.is_histogram() && self.suffix == "_bucket");
        if allowed {
            return Ok(());
        }
        Err(self.error(
            exemplar.at,
            format!(
                "exemplars are allowed only on counter `_total` and histogram `_bucket` samples, \
                 not on {} of the {} family {}",
                lex::quote(self.raw.name),
                self.kind.word(self.format),
                lex::quote(self.family)
            ),
        ))
    }

    /// No series twice; in OpenMetrics a series may repeat with a later
    /// timestamp, or the same one. Returns whether it repeats at the same
    /// timestamp.
    ///
    /// OpenMetrics asks for "monotonically increasing timestamps", which the
    /// suite reads as non-decreasing: it accepts a series repeated at one
    /// timestamp (case `duplicate_timestamps_1`), as points that share a
    /// timestamp once truncated, of which the spec says the one with the
    /// earliest timestamp "MUST be used".
    fn check_duplicate(&self, open: &mut Open<'a>, series: Fingerprint) -> Result<bool, ParseError> {
        let raw = self.raw;
        let mut repeat = false;
        if let Some(seen) = open.series.get(&series) {
            match (seen.timestamp, raw.timestamp) {
                (Some(before), Some(now)) if self.om() && now > before => {}
                (Some(before), Some(now)) if self.om() && now == before => repeat = true,
                (Some(_), None) | (None, Some(_)) if self.om() => {
                    return Err(self.error(
                        raw.timestamp_at,
                        format!(
                            "`{}` appears with and without a timestamp (line {}): \
                             all its samples have one or none do",
                            self.series_text(),
                            seen.line
                        ),
                    ));
                }
                (Some(before), Some(now)) if self.om() && now < before => {
                    return Err(self.error(
                        raw.timestamp_at,
                        format!(
                            "timestamp of `{}` goes backwards: {} here, {} at line {}",
                            self.series_text(),
                            show(now),
                            show(before),
                            seen.line
                        ),
                    ));
                }
                _ => {
                    return Err(self.error(
                        raw.name_at,
                        format!("duplicate sample `{}`: the same series is at line {}", self.series_text(), seen.line),
                    ));
                }
            }
        }
        open.series.insert(series, Seen { line: self.at.line, timestamp: raw.timestamp });
        Ok(repeat)
    }

    /// OpenMetrics: the samples of one metric are contiguous, all with a
    /// timestamp or none, and their timestamps do not go backwards.
    fn check_metric_order(&self, open: &mut Open<'a>, metric: Fingerprint) -> Result<(), ParseError> {
        let raw = self.raw;
        match open.last_metric {
            Some((last, last_timestamp)) if last == metric => {
                if last_timestamp.is_some() != raw.timestamp.is_some() {
                    return Err(self.error(
                        raw.timestamp_at,
                        format!("the samples of `{}` mix lines with and without a timestamp", self.metric_text()),
                    ));
                }
                if let (Some(before), Some(now)) = (last_timestamp, raw.timestamp)
                    && now < before
                {
                    return Err(self.error(
                        raw.timestamp_at,
                        format!(
                            "timestamps of `{}` go backwards: {} after {}",
                            self.metric_text(),
                            show(now),
                            show(before)
                        ),
                    ));
                }
            }
            _ if open.metrics.contains(&metric) => {
                return Err(self.error(
                    raw.name_at,
                    format!(
                        "the samples of `{}` are not contiguous: another label set of the family came between",
                        self.metric_text()
                    ),
                ));
            }
            _ => {}
        }
        if open.last_metric.is_none_or(|(last, _)| last != metric) {
            open.metrics.insert(metric);
        }
        open.last_metric = Some((metric, raw.timestamp));
        Ok(())
    }

    /// OpenMetrics: counts are non-negative integers, totals and sums are not
    /// NaN, totals, the sums of histograms and summaries, and quantile values
    /// are not negative, info samples are 1 and state set samples 0 or 1.
    fn check_value(&self) -> Result<(), ParseError> {
        let raw = self.raw;
        let value = raw.value;
        let at = raw.value_at;
        let name = || lex::quote(raw.name);
        match self.kind {
            Kind::Counter | Kind::Histogram | Kind::GaugeHistogram | Kind::Summary => match self.suffix {
                "_total" | "_count" | "_bucket" | "_gcount" => {
                    let what = if self.suffix == "_total" { "a counter's total" } else { "a count" };
                    if value.is_nan() {
                        return Err(self.error(at, format!("{} is NaN: {what} cannot be NaN", name())));
                    }
                    if value < 0.0 {
                        return Err(self.error(at, format!("{} is {}: {what} cannot be negative", name(), show(value))));
                    }
                    if self.suffix != "_total" && value.fract() != 0.0 {
                        return Err(self.error(at, format!("{} is {}: a count is an integer", name(), show(value))));
                    }
                }
                "_sum" | "_gsum" if value.is_nan() => {
                    return Err(self.error(at, format!("{} is NaN: a sum cannot be NaN", name())));
                }
                // The sums of histograms and summaries are counters: "MUST
                // NOT be NaN or negative". A gauge histogram's `_gsum` may be
                // negative when a bucket is (checked once its point is read).
                "_sum" if value < 0.0 => {
                    return Err(self.error(
                        at,
                        format!(
                            "{} is {}: the sum of {} is a counter and cannot be negative",
                            name(),
                            show(value),
                            with_article(self.kind.word(self.format))
                        ),
                    ));
                }
                // A summary's quantile values: "MUST NOT be negative" (NaN is
                // allowed).
                "" if self.kind == Kind::Summary && value < 0.0 => {
                    return Err(
                        self.error(at, format!("{} is {}: a quantile value cannot be negative", name(), show(value)))
                    );
                }
                _ => {}
            },
            Kind::Info if value != 1.0 => {
                return Err(self.error(at, format!("{} is {}: an info sample is always 1", name(), show(value))));
            }
            Kind::StateSet => {
                if self.label(self.family).is_none() {
                    return Err(self.error(
                        raw.name_at,
                        format!(
                            "state set sample {} has no label {} naming its state",
                            name(),
                            lex::quote(self.family)
                        ),
                    ));
                }
                if value != 0.0 && value != 1.0 {
                    return Err(self.error(at, format!("{} is {}: a state set sample is 0 or 1", name(), show(value))));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Parses the bound of `le` or `quantile`.
    fn bound(&self, label: &lex::Label<'_>) -> Result<f64, ParseError> {
        let parsed = match self.format {
            Format::Prometheus => number::prometheus_float(&label.value),
            Format::OpenMetrics => number::openmetrics_number(&label.value),
        };
        // Inside the quotes.
        let at = label.value_at + 1;
        match parsed {
            Ok(bound) if bound.is_nan() => Err(self.error(at, format!("`{}` is NaN: a bound is a number", label.name))),
            Ok(bound) => Ok(bound),
            Err(error) => {
                let mut message =
                    lex::number_message(&format!("`{}` value", label.name), &label.value, error, self.format);
                if error == NumberError::Syntax && label.value.is_empty() {
                    message = format!("empty `{}` value: expected a number", label.name);
                }
                Err(self.error(at, message))
            }
        }
    }

    fn check_bucket(&self, point: &mut Point<'a>, here: Pos) -> Result<(), ParseError> {
        let raw = self.raw;
        let Some(le) = self.label("le") else {
            return Err(self.error(raw.name_at, format!("histogram bucket {} has no `le` label", lex::quote(raw.name))));
        };
        let bound = self.bound(le)?;
        if let Some(last) = &point.last_bucket {
            if bound <= last.le {
                return Err(self.error(
                    le.value_at + 1,
                    format!(
                        "bucket `le=\"{}\"` comes after `le=\"{}\"` (line {}): buckets are sorted by increasing `le`",
                        lex::short(&le.value),
                        lex::short(&last.le_text),
                        last.line
                    ),
                ));
            }
            if raw.value < last.value {
                return Err(self.error(
                    raw.value_at,
                    format!(
                        "bucket `le=\"{}\"` counts {}, fewer than {} in bucket `le=\"{}\"` (line {}): \
                         bucket counts are cumulative",
                        lex::short(&le.value),
                        show(raw.value),
                        show(last.value),
                        lex::short(&last.le_text),
                        last.line
                    ),
                ));
            }
        }
        point.has_buckets = true;
        point.last = here;
        point.negative_bucket |= bound < 0.0;
        if bound == f64::INFINITY {
            point.inf = Some((raw.value, self.at.line));
        }
        point.last_bucket = Some(Bucket { le: bound, le_text: le.value.clone(), value: raw.value, line: self.at.line });
        Ok(())
    }

    fn check_quantile(&self, open: &mut Open<'a>, key: Fingerprint) -> Result<(), ParseError> {
        let raw = self.raw;
        let Some(label) = self.label("quantile") else {
            return Err(
                self.error(raw.name_at, format!("summary sample {} has no `quantile` label", lex::quote(raw.name)))
            );
        };
        let quantile = self.bound(label)?;
        if !(0.0..=1.0).contains(&quantile) {
            return Err(
                self.error(label.value_at + 1, format!("quantile {} is outside [0, 1]", lex::quote(&label.value)))
            );
        }
        // Prometheus text: "the quantiles of a summary must appear in
        // increasing numerical order". OpenMetrics 1.0 sets no order.
        if self.om() {
            return Ok(());
        }
        if let Some((last, last_text, line)) = open.quantiles.get(&key)
            && quantile <= *last
        {
            return Err(self.error(
                label.value_at + 1,
                format!(
                    "quantile `{}` comes after `{}` (line {line}): quantiles are sorted by increasing value",
                    lex::short(&label.value),
                    lex::short(last_text)
                ),
            ));
        }
        open.quantiles.insert(key, (quantile, label.value.clone(), self.at.line));
        Ok(())
    }
}

/// The name of a histogram point in messages: its family and the labels of
/// its first sample but `le`, read again from that sample's line.
fn point_display(point: &Point<'_>, format: Format, name: &str) -> String {
    let labels = match lex::line(point.first, format) {
        Ok(Line::Sample(raw)) => {
            let special = point.first_is_bucket.then_some("le");
            render(raw.labels.iter().filter(|l| Some(l.name) != special).map(|l| (l.name, &*l.value)))
        }
        // The line was read before, as a sample.
        _ => String::new(),
    };
    lex::short(&format!("{name}{labels}"))
}

/// The checks of a whole histogram point, once its family has ended.
fn check_point(point: &Point<'_>, kind: Kind, format: Format, name: &str) -> Result<(), ParseError> {
    let (count, sum) = if kind == Kind::GaugeHistogram { ("_gcount", "_gsum") } else { ("_count", "_sum") };
    let display = || point_display(point, format, name);
    let short = lex::short(name);
    let Some((inf, inf_line)) = point.inf else {
        let message = if point.has_buckets {
            format!("histogram `{}` has no `le=\"+Inf\"` bucket", display())
        } else {
            format!("histogram `{}` has no buckets: it needs at least the `le=\"+Inf\"` bucket", display())
        };
        return Err(point.last.error(message));
    };
    if let Some((value, pos)) = point.count
        && value != inf
        && !(value.is_nan() && inf.is_nan())
    {
        return Err(pos.error(format!(
            "`{short}{count}` of `{}` is {} but its `le=\"+Inf\"` bucket (line {inf_line}) is {}: \
             they must be equal",
            display(),
            show(value),
            show(inf)
        )));
    }
    if format == Format::OpenMetrics {
        match (point.sum, point.count) {
            (Some((_, pos)), None) => {
                return Err(pos.error(format!("`{}` has `{sum}` but no `{count}`: both or neither", display())));
            }
            (None, Some((_, pos))) => {
                return Err(pos.error(format!("`{}` has `{count}` but no `{sum}`: both or neither", display())));
            }
            _ => {}
        }
        if let Some((value, pos)) = point.sum {
            if kind == Kind::Histogram && point.negative_bucket {
                return Err(pos.error(format!(
                    "`{}` has negative buckets, so it cannot have `{sum}`: the sum would not be a counter",
                    display()
                )));
            }
            if kind == Kind::GaugeHistogram && !point.negative_bucket && value < 0.0 {
                return Err(pos.error(format!(
                    "`{short}{sum}` of `{}` is {}, but no bucket is negative",
                    display(),
                    show(value)
                )));
            }
        }
    }
    Ok(())
}
