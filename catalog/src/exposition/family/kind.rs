//! The family types of both formats, and the names of their samples.

use std::fmt::Write as _;

use super::super::Format;
use super::super::lex;

/// A family type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    /// `untyped` in Prometheus text, `unknown` in OpenMetrics, or no `# TYPE`.
    Unknown,
}

const PROMETHEUS_TYPES: [&str; 5] = ["counter", "gauge", "histogram", "summary", "untyped"];
const OPENMETRICS_TYPES: [&str; 8] =
    ["counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"];

impl Kind {
    pub(super) fn words(format: Format) -> &'static [&'static str] {
        match format {
            Format::Prometheus => &PROMETHEUS_TYPES,
            Format::OpenMetrics => &OPENMETRICS_TYPES,
        }
    }

    pub(super) fn parse(word: &str, format: Format) -> Option<Kind> {
        if !Kind::words(format).contains(&word) {
            return None;
        }
        Some(match word {
            "counter" => Kind::Counter,
            "gauge" => Kind::Gauge,
            "histogram" => Kind::Histogram,
            "gaugehistogram" => Kind::GaugeHistogram,
            "summary" => Kind::Summary,
            "info" => Kind::Info,
            "stateset" => Kind::StateSet,
            _ => Kind::Unknown,
        })
    }

    /// Every suffix of any type, in either format.
    pub(super) const ALL_SUFFIXES: [&'static str; 9] =
        ["", "_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"];

    /// What follows the family name in the names of its samples.
    pub(super) fn suffixes(self, format: Format) -> &'static [&'static str] {
        match (format, self) {
            (Format::Prometheus, Kind::Histogram) => &["_bucket", "_sum", "_count"],
            (Format::Prometheus, Kind::Summary) => &["", "_sum", "_count"],
            (Format::OpenMetrics, Kind::Counter) => &["_total", "_created"],
            (Format::OpenMetrics, Kind::Histogram) => &["_bucket", "_count", "_sum", "_created"],
            (Format::OpenMetrics, Kind::GaugeHistogram) => &["_bucket", "_gcount", "_gsum"],
            (Format::OpenMetrics, Kind::Summary) => &["", "_count", "_sum", "_created"],
            (Format::OpenMetrics, Kind::Info) => &["_info"],
            _ => &[""],
        }
    }

    /// The suffix of `sample` in a family `family` of this type, if it is one
    /// of the family's samples.
    pub(super) fn suffix_of(self, format: Format, family: &str, sample: &str) -> Option<&'static str> {
        let rest = sample.strip_prefix(family)?;
        self.suffixes(format).iter().find(|suffix| **suffix == rest).copied()
    }

    /// The `# TYPE` word of this type (`untyped` or `unknown` for a family
    /// without one).
    pub(super) fn word(self, format: Format) -> &'static str {
        match (self, format) {
            (Kind::Counter, _) => "counter",
            (Kind::Gauge, _) => "gauge",
            (Kind::Histogram, _) => "histogram",
            (Kind::GaugeHistogram, _) => "gaugehistogram",
            (Kind::Summary, _) => "summary",
            (Kind::Info, _) => "info",
            (Kind::StateSet, _) => "stateset",
            (Kind::Unknown, Format::Prometheus) => "untyped",
            (Kind::Unknown, Format::OpenMetrics) => "unknown",
        }
    }

    pub(super) fn is_histogram(self) -> bool {
        matches!(self, Kind::Histogram | Kind::GaugeHistogram)
    }

    pub(super) fn has_no_unit(self) -> bool {
        matches!(self, Kind::Info | Kind::StateSet)
    }
}

pub(super) fn unknown_type(word: &str, format: Format) -> String {
    let words = Kind::words(format);
    let list = words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ");
    let mut message = format!("unknown type {}: expected one of {list}", lex::quote(word));
    let lower = word.to_ascii_lowercase();
    if words.contains(&lower.as_str()) {
        message.push_str(" (types are lowercase)");
    } else if format == Format::Prometheus && OPENMETRICS_TYPES.contains(&lower.as_str()) {
        let _ = write!(message, " (`{lower}` is an OpenMetrics type)");
    } else if format == Format::OpenMetrics && lower == "untyped" {
        message.push_str(" (OpenMetrics calls it `unknown`)");
    }
    message
}
