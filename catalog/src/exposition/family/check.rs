//! The rules checked on each sample in the context of its family, and on
//! each histogram point once its family has ended.

use std::collections::{HashMap, HashSet};

use super::{At, Kind, Pos, render, show};
use crate::exposition::lex::{self, Keyword, RawSample};
use crate::exposition::number::{self, NumberError};
use crate::exposition::{Format, ParseError};

/// What the previous appearance of a series was.
struct Seen {
    line: usize,
    timestamp: Option<f64>,
}

/// The bucket last read in a histogram point.
struct Bucket {
    le: f64,
    le_text: String,
    value: f64,
    line: usize,
}

/// One histogram or summary point: the samples that share the labels other
/// than `le` or `quantile` (and, in OpenMetrics, the timestamp).
#[derive(Default)]
struct Point {
    /// `name{labels}`, for messages.
    display: String,
    /// The last sample of the point.
    last: Pos,
    buckets: usize,
    last_bucket: Option<Bucket>,
    /// The `+Inf` bucket's value and line.
    inf: Option<(f64, usize)>,
    /// `_count` (or `_gcount`).
    count: Option<(f64, Pos)>,
    /// `_sum` (or `_gsum`).
    sum: Option<(f64, Pos)>,
    negative_bucket: bool,
    /// The last quantile, as a number and as written, and its line.
    last_quantile: Option<(f64, String, usize)>,
}

/// The state of the family being read (always the last one).
#[derive(Default)]
pub(super) struct Open {
    pub(super) type_line: Option<usize>,
    pub(super) help_line: Option<usize>,
    pub(super) unit_line: Option<usize>,
    /// Every series by name and labels.
    series: HashMap<String, Seen>,
    /// OpenMetrics: the metrics (label sets without `le`, `quantile` or the
    /// state label) seen so far, and the last one with its timestamp.
    metrics: HashSet<String>,
    last_metric: Option<(String, Option<f64>)>,
    points: Vec<Point>,
    point_index: HashMap<String, usize>,
}

impl Open {
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

    fn point(&mut self, key: String, display: &str) -> &mut Point {
        let index = *self.point_index.entry(key).or_insert_with(|| {
            self.points.push(Point { display: display.to_owned(), ..Point::default() });
            self.points.len() - 1
        });
        &mut self.points[index]
    }
}

/// The rules one sample is checked against, in the context of its family.
pub(super) struct SampleCheck<'s, 'a> {
    pub(super) at: &'s At<'s>,
    pub(super) raw: &'s RawSample<'a>,
    pub(super) family: &'s str,
    pub(super) kind: Kind,
    pub(super) kind_word: &'s str,
    pub(super) suffix: &'static str,
    pub(super) format: Format,
}

impl SampleCheck<'_, '_> {
    fn om(&self) -> bool {
        self.format == Format::OpenMetrics
    }

    fn error(&self, byte: usize, message: impl Into<String>) -> ParseError {
        self.at.error(byte, message)
    }

    fn label(&self, name: &str) -> Option<&lex::Label<'_>> {
        self.raw.labels.iter().find(|l| l.name == name)
    }

    pub(super) fn check(&self, open: &mut Open) -> Result<(), ParseError> {
        self.check_exemplar()?;
        self.check_duplicate(open)?;
        let special = match (self.kind, self.suffix) {
            (Kind::Histogram | Kind::GaugeHistogram, "_bucket") => Some("le"),
            (Kind::Summary, "") => Some("quantile"),
            (Kind::StateSet, "") => Some(self.family),
            _ => None,
        };
        let metric =
            render(self.raw.labels.iter().filter(|l| Some(l.name) != special).map(|l| (l.name, l.value.as_str())));
        if self.om() {
            self.check_metric_order(open, &metric)?;
            self.check_value()?;
        }
        let display = format!("{}{metric}", self.family);
        let key = match self.raw.timestamp {
            Some(timestamp) if self.om() => format!("{display}@{}", timestamp.to_bits()),
            _ => display.clone(),
        };
        match (self.kind, self.suffix) {
            (Kind::Histogram | Kind::GaugeHistogram, "_bucket") => self.check_bucket(open.point(key, &display)),
            (Kind::Histogram, "_count") | (Kind::GaugeHistogram, "_gcount") => {
                let point = open.point(key, &display);
                point.count = Some((self.raw.value, self.at.pos(self.raw.name_at)));
                point.last = self.at.pos(self.raw.name_at);
                Ok(())
            }
            (Kind::Histogram, "_sum") | (Kind::GaugeHistogram, "_gsum") => {
                let point = open.point(key, &display);
                point.sum = Some((self.raw.value, self.at.pos(self.raw.name_at)));
                point.last = self.at.pos(self.raw.name_at);
                Ok(())
            }
            (Kind::Summary, "") => self.check_quantile(open.point(key, &display)),
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
                 not on `{}` of the {} family `{}`",
                self.raw.name, self.kind_word, self.family
            ),
        ))
    }

    /// No series twice; in OpenMetrics a series may repeat with a later timestamp.
    fn check_duplicate(&self, open: &mut Open) -> Result<(), ParseError> {
        let raw = self.raw;
        let series = format!("{}{}", raw.name, render(raw.labels.iter().map(|l| (l.name, l.value.as_str()))));
        if let Some(seen) = open.series.get(&series) {
            match (seen.timestamp, raw.timestamp) {
                (Some(before), Some(now)) if self.om() && now > before => {}
                (Some(_), None) | (None, Some(_)) if self.om() => {
                    return Err(self.error(
                        raw.timestamp_at,
                        format!(
                            "`{series}` appears with and without a timestamp (line {}): \
                             all its samples have one or none do",
                            seen.line
                        ),
                    ));
                }
                (Some(before), Some(now)) if self.om() && now < before => {
                    return Err(self.error(
                        raw.timestamp_at,
                        format!(
                            "timestamp of `{series}` goes backwards: {} here, {} at line {}",
                            show(now),
                            show(before),
                            seen.line
                        ),
                    ));
                }
                _ => {
                    return Err(self.error(
                        raw.name_at,
                        format!("duplicate sample `{series}`: the same series is at line {}", seen.line),
                    ));
                }
            }
        }
        open.series.insert(series, Seen { line: self.at.line, timestamp: raw.timestamp });
        Ok(())
    }

    /// OpenMetrics: the samples of one metric are contiguous, all with a
    /// timestamp or none, and their timestamps do not go backwards.
    fn check_metric_order(&self, open: &mut Open, metric: &str) -> Result<(), ParseError> {
        let raw = self.raw;
        match &open.last_metric {
            Some((last, last_timestamp)) if last == metric => {
                if last_timestamp.is_some() != raw.timestamp.is_some() {
                    return Err(self.error(
                        raw.timestamp_at,
                        format!("the samples of `{}{metric}` mix lines with and without a timestamp", self.family),
                    ));
                }
                if let (Some(before), Some(now)) = (*last_timestamp, raw.timestamp)
                    && now < before
                {
                    return Err(self.error(
                        raw.timestamp_at,
                        format!(
                            "timestamps of `{}{metric}` go backwards: {} after {}",
                            self.family,
                            show(now),
                            show(before)
                        ),
                    ));
                }
            }
            _ if open.metrics.contains(metric) => {
                return Err(self.error(
                    raw.name_at,
                    format!(
                        "the samples of `{}{metric}` are not contiguous: \
                         another label set of the family came between",
                        self.family
                    ),
                ));
            }
            _ => {}
        }
        open.metrics.insert(metric.to_owned());
        open.last_metric = Some((metric.to_owned(), raw.timestamp));
        Ok(())
    }

    /// OpenMetrics: counts are non-negative integers, totals and sums are not
    /// NaN, info samples are 1 and state set samples 0 or 1.
    fn check_value(&self) -> Result<(), ParseError> {
        let raw = self.raw;
        let value = raw.value;
        let name = raw.name;
        let at = raw.value_at;
        match self.kind {
            Kind::Counter | Kind::Histogram | Kind::GaugeHistogram | Kind::Summary => match self.suffix {
                "_total" | "_count" | "_bucket" | "_gcount" => {
                    let what = if self.suffix == "_total" { "a counter's total" } else { "a count" };
                    if value.is_nan() {
                        return Err(self.error(at, format!("`{name}` is NaN: {what} cannot be NaN")));
                    }
                    if value < 0.0 {
                        return Err(self.error(at, format!("`{name}` is {}: {what} cannot be negative", show(value))));
                    }
                    if self.suffix != "_total" && value.fract() != 0.0 {
                        return Err(self.error(at, format!("`{name}` is {}: a count is an integer", show(value))));
                    }
                }
                "_sum" | "_gsum" if value.is_nan() => {
                    return Err(self.error(at, format!("`{name}` is NaN: a sum cannot be NaN")));
                }
                _ => {}
            },
            Kind::Info if value != 1.0 => {
                return Err(self.error(at, format!("`{name}` is {}: an info sample is always 1", show(value))));
            }
            Kind::StateSet => {
                if self.label(self.family).is_none() {
                    return Err(self.error(
                        raw.name_at,
                        format!("state set sample `{name}` has no label `{}` naming its state", self.family),
                    ));
                }
                if value != 0.0 && value != 1.0 {
                    return Err(self.error(at, format!("`{name}` is {}: a state set sample is 0 or 1", show(value))));
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

    fn check_bucket(&self, point: &mut Point) -> Result<(), ParseError> {
        let raw = self.raw;
        let Some(le) = self.label("le") else {
            return Err(self.error(raw.name_at, format!("histogram bucket `{}` has no `le` label", raw.name)));
        };
        let bound = self.bound(le)?;
        if let Some(last) = &point.last_bucket {
            if bound <= last.le {
                return Err(self.error(
                    le.value_at + 1,
                    format!(
                        "bucket `le=\"{}\"` comes after `le=\"{}\"` (line {}): buckets are sorted by increasing `le`",
                        le.value, last.le_text, last.line
                    ),
                ));
            }
            if raw.value < last.value {
                return Err(self.error(
                    raw.value_at,
                    format!(
                        "bucket `le=\"{}\"` counts {}, fewer than {} in bucket `le=\"{}\"` (line {}): \
                         bucket counts are cumulative",
                        le.value,
                        show(raw.value),
                        show(last.value),
                        last.le_text,
                        last.line
                    ),
                ));
            }
        }
        point.buckets += 1;
        point.last = self.at.pos(raw.name_at);
        point.negative_bucket |= bound < 0.0;
        if bound == f64::INFINITY {
            point.inf = Some((raw.value, self.at.line));
        }
        point.last_bucket = Some(Bucket { le: bound, le_text: le.value.clone(), value: raw.value, line: self.at.line });
        Ok(())
    }

    fn check_quantile(&self, point: &mut Point) -> Result<(), ParseError> {
        let raw = self.raw;
        let Some(label) = self.label("quantile") else {
            return Err(self.error(raw.name_at, format!("summary sample `{}` has no `quantile` label", raw.name)));
        };
        let quantile = self.bound(label)?;
        if !(0.0..=1.0).contains(&quantile) {
            return Err(
                self.error(label.value_at + 1, format!("quantile {} is outside [0, 1]", lex::quote(&label.value)))
            );
        }
        // Prometheus text: "the quantiles of a summary must appear in
        // increasing numerical order". OpenMetrics 1.0 sets no order.
        if !self.om()
            && let Some((last, last_text, line)) = &point.last_quantile
            && quantile <= *last
        {
            return Err(self.error(
                label.value_at + 1,
                format!(
                    "quantile `{}` comes after `{last_text}` (line {line}): quantiles are sorted by increasing value",
                    label.value
                ),
            ));
        }
        point.last_quantile = Some((quantile, label.value.clone(), self.at.line));
        point.last = self.at.pos(raw.name_at);
        Ok(())
    }
}

/// The checks of a whole histogram point, once its family has ended.
fn check_point(point: &Point, kind: Kind, format: Format, name: &str) -> Result<(), ParseError> {
    let (count, sum) = if kind == Kind::GaugeHistogram { ("_gcount", "_gsum") } else { ("_count", "_sum") };
    let display = &point.display;
    let Some((inf, inf_line)) = point.inf else {
        let message = if point.buckets == 0 {
            format!("histogram `{display}` has no buckets: it needs at least the `le=\"+Inf\"` bucket")
        } else {
            format!("histogram `{display}` has no `le=\"+Inf\"` bucket")
        };
        return Err(point.last.error(message));
    };
    if let Some((value, pos)) = point.count
        && value != inf
        && !(value.is_nan() && inf.is_nan())
    {
        return Err(pos.error(format!(
            "`{name}{count}` of `{display}` is {} but its `le=\"+Inf\"` bucket (line {inf_line}) is {}: \
             they must be equal",
            show(value),
            show(inf)
        )));
    }
    if format == Format::OpenMetrics {
        match (point.sum, point.count) {
            (Some((_, pos)), None) => {
                return Err(pos.error(format!("`{display}` has `{sum}` but no `{count}`: both or neither")));
            }
            (None, Some((_, pos))) => {
                return Err(pos.error(format!("`{display}` has `{count}` but no `{sum}`: both or neither")));
            }
            _ => {}
        }
        if let Some((value, pos)) = point.sum {
            if kind == Kind::Histogram && point.negative_bucket {
                return Err(pos.error(format!(
                    "`{display}` has negative buckets, so it cannot have `{sum}`: the sum would not be a counter"
                )));
            }
            if kind == Kind::GaugeHistogram && !point.negative_bucket && value < 0.0 {
                return Err(
                    pos.error(format!("`{name}{sum}` of `{display}` is {}, but no bucket is negative", show(value)))
                );
            }
        }
    }
    Ok(())
}
