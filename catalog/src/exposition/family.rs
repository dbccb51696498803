//! Samples grouped into families, and the rules that span lines.
//!
//! A sample belongs to the open family when its name is the family name plus
//! one of the suffixes of the family's type; otherwise it starts a family of
//! its own, without metadata. Every name a family owns (its own and its
//! type's sample names) stays owned once the family ends, which is how a
//! family that comes back later, or a second family that claims the same
//! names, is found.

mod check;

use std::collections::HashMap;
use std::fmt::Write as _;

use super::lex::{self, Keyword, Meta, RawSample};
use super::{Exemplar, Family, Format, ParseError, Sample};
use crate::escape;
use check::{Open, SampleCheck};

/// A line being read: its number and text, to turn byte offsets into columns.
pub(super) struct At<'a> {
    pub(super) line: usize,
    pub(super) text: &'a str,
}

impl At<'_> {
    fn pos(&self, byte: usize) -> Pos {
        Pos { line: self.line, column: column(self.text, byte) }
    }

    pub(super) fn error(&self, byte: usize, message: impl Into<String>) -> ParseError {
        self.pos(byte).error(message)
    }
}

/// The 1-based column, in characters, of byte offset `byte` of `text`.
pub(super) fn column(text: &str, byte: usize) -> usize {
    text.char_indices().take_while(|(i, _)| *i < byte).count() + 1
}

#[derive(Clone, Copy, Debug, Default)]
struct Pos {
    line: usize,
    column: usize,
}

impl Pos {
    fn error(self, message: impl Into<String>) -> ParseError {
        ParseError { line: self.line, column: self.column, message: super::shorten(message.into()) }
    }
}

/// A family type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
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
    fn words(format: Format) -> &'static [&'static str] {
        match format {
            Format::Prometheus => &PROMETHEUS_TYPES,
            Format::OpenMetrics => &OPENMETRICS_TYPES,
        }
    }

    fn parse(word: &str, format: Format) -> Option<Kind> {
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

    /// What follows the family name in the names of its samples.
    fn suffixes(self, format: Format) -> &'static [&'static str] {
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
    fn suffix_of(self, format: Format, family: &str, sample: &str) -> Option<&'static str> {
        let rest = sample.strip_prefix(family)?;
        self.suffixes(format).iter().find(|suffix| **suffix == rest).copied()
    }

    fn is_histogram(self) -> bool {
        matches!(self, Kind::Histogram | Kind::GaugeHistogram)
    }

    fn has_no_unit(self) -> bool {
        matches!(self, Kind::Info | Kind::StateSet)
    }
}

fn unknown_type(word: &str, format: Format) -> String {
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

/// `{a="1",b="2"}` with the labels sorted by name, or nothing without labels:
/// a series key, and how a series is shown in messages.
fn render<'a>(labels: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<_> = labels.collect();
    if pairs.is_empty() {
        return String::new();
    }
    pairs.sort_unstable();
    let mut out = String::from("{");
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{name}=\"{}\"", escape::label_value(value));
    }
    out.push('}');
    out
}

/// "a counter", "an info".
fn with_article(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {word}")
}

/// A number as the expositions spell it, for messages.
fn show(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        value.to_string()
    }
}

/// Why a family was started: for the message when its name is already owned.
#[derive(Clone, Copy)]
enum Origin {
    Meta(Keyword),
    Sample,
}

/// What messages about a family that has ended still need.
struct Ended<'a> {
    name: &'a str,
    line: usize,
    kind: Kind,
}

/// The family being read.
struct Current<'a> {
    name: &'a str,
    kind: Kind,
    open: Open,
    family: Family,
}

/// Builds the families of an exposition, line by line, handing each one over
/// as soon as it ends: what it keeps of ended families is their names (slices
/// of the text), lines and types, so that memory does not grow with their
/// samples.
pub(super) struct Builder<'a> {
    format: Format,
    /// Every family that has ended, in order.
    ended: Vec<Ended<'a>>,
    /// The index in `ended` of each family, by name.
    owned: HashMap<&'a str, usize>,
    current: Option<Current<'a>>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(format: Format) -> Builder<'a> {
        Builder { format, ended: Vec::new(), owned: HashMap::new(), current: None }
    }

    /// The last family, once every line has been read.
    pub(super) fn finish(mut self) -> Result<Option<Family>, ParseError> {
        self.close()
    }

    /// The `# TYPE` word of a type: the word as written, since only these
    /// words parse (a family without `# TYPE` gets the format's default).
    fn kind_word(&self, kind: Kind) -> &'static str {
        match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
            Kind::GaugeHistogram => "gaugehistogram",
            Kind::Summary => "summary",
            Kind::Info => "info",
            Kind::StateSet => "stateset",
            Kind::Unknown if self.format == Format::Prometheus => "untyped",
            Kind::Unknown => "unknown",
        }
    }

    /// The family that ended owning the sample name `sample`: its own name,
    /// or its name and a suffix of its type.
    fn owner(&self, sample: &str) -> Option<&Ended<'a>> {
        if let Some(&index) = self.owned.get(sample) {
            return Some(&self.ended[index]);
        }
        ALL_SUFFIXES.iter().find_map(|suffix| {
            let name = sample.strip_suffix(suffix)?;
            let ended = &self.ended[*self.owned.get(name)?];
            ended.kind.suffixes(self.format).contains(suffix).then_some(ended)
        })
    }

    /// The open family, if `name` is its name.
    fn open_named(&mut self, name: &str) -> Option<(&mut Open, &mut Family)> {
        self.current.as_mut().filter(|c| c.name == name).map(|c| (&mut c.open, &mut c.family))
    }

    /// Reads a metadata line; returns the family it ended, if any.
    pub(super) fn meta(&mut self, at: &At<'_>, meta: Meta<'a>) -> Result<Option<Family>, ParseError> {
        let keyword = meta.keyword.as_str();
        let mut ended = None;
        if let Some((open, family)) = self.open_named(meta.name) {
            if let Some(first) = family.samples.first() {
                return Err(at.error(
                    meta.at,
                    format!(
                        "`# {keyword}` line for `{}` after its samples (from line {}): \
                         a family's metadata comes before its samples",
                        meta.name, first.line
                    ),
                ));
            }
            if let Some(first) = *open.metadata_line(meta.keyword) {
                return Err(at.error(
                    meta.at,
                    format!("second `# {keyword}` line for `{}` (the first is at line {first})", meta.name),
                ));
            }
        } else {
            ended = self.close()?;
            self.start(at, meta.name, meta.name_at, Origin::Meta(meta.keyword))?;
        }
        match meta.keyword {
            Keyword::Type => self.set_type(at, &meta)?,
            Keyword::Help => self.current().family.help = Some(meta.text),
            Keyword::Unit => self.set_unit(at, &meta)?,
        }
        *self.current().open.metadata_line(meta.keyword) = Some(at.line);
        Ok(ended)
    }

    /// The open family. Only called once one is open.
    fn current(&mut self) -> &mut Current<'a> {
        // Invariant: `start` opens a family; `close` is always followed by
        // `start` before this is called.
        self.current.as_mut().expect("a family is open")
    }

    fn set_type(&mut self, at: &At<'_>, meta: &Meta<'a>) -> Result<(), ParseError> {
        let word = meta.text.as_str();
        let Some(kind) = Kind::parse(word, self.format) else {
            return Err(at.error(meta.text_at, unknown_type(word, self.format)));
        };
        let name = meta.name;
        for suffix in kind.suffixes(self.format) {
            let sample = format!("{name}{suffix}");
            if let Some(other) = self.owner(&sample) {
                return Err(at.error(
                    meta.text_at,
                    format!(
                        "{} family `{name}` has samples named `{sample}`, but `{sample}` already belongs to \
                         the {} family `{}` (line {})",
                        with_article(word),
                        self.kind_word(other.kind),
                        other.name,
                        other.line
                    ),
                ));
            }
        }
        let format = self.format;
        let current = self.current();
        if format == Format::OpenMetrics
            && kind.has_no_unit()
            && let Some(unit) = current.family.unit.as_deref().filter(|u| !u.is_empty())
        {
            return Err(at.error(
                meta.text_at,
                format!(
                    "{} family has no unit, but `# UNIT {name}` (line {}) gives `{unit}`",
                    with_article(word),
                    current.open.unit_line.unwrap_or_default()
                ),
            ));
        }
        current.family.kind = Some(meta.text.clone());
        current.kind = kind;
        Ok(())
    }

    fn set_unit(&mut self, at: &At<'_>, meta: &Meta<'a>) -> Result<(), ParseError> {
        let unit = meta.text.as_str();
        let name = meta.name;
        let kind = self.current().kind;
        if !unit.is_empty() {
            if !name.ends_with(&format!("_{unit}")) {
                return Err(at.error(
                    meta.text_at,
                    format!(
                        "unit `{unit}` is not a suffix of the family name `{name}`: \
                         OpenMetrics requires the name to end in `_{unit}`"
                    ),
                ));
            }
            if kind.has_no_unit() {
                let word = self.kind_word(kind);
                return Err(at.error(
                    meta.text_at,
                    format!("{} family has no unit, but `{name}` is given `{unit}`", with_article(word)),
                ));
            }
        }
        self.current().family.unit = Some(meta.text.clone());
        Ok(())
    }

    /// Starts a family named `name`, unless a family that ended owns the name.
    fn start(&mut self, at: &At<'_>, name: &'a str, name_at: usize, origin: Origin) -> Result<(), ParseError> {
        if let Some(other) = self.owner(name) {
            let kind = self.kind_word(other.kind);
            let suffixes = other.kind.suffixes(self.format);
            let message = match origin {
                Origin::Meta(keyword) if other.name == name => format!(
                    "`# {}` line for `{name}` after the family `{name}` ended (it started at line {}): \
                     a family's lines are one contiguous group, metadata first",
                    keyword.as_str(),
                    other.line
                ),
                Origin::Meta(_) => format!(
                    "`{name}` is a sample name of the {kind} family `{}` (line {}) and cannot also name a family",
                    other.name, other.line
                ),
                Origin::Sample if other.name == name && !suffixes.contains(&"") => {
                    let names = suffixes.iter().map(|s| format!("`{name}{s}`")).collect::<Vec<_>>().join(", ");
                    format!(
                        "sample `{name}` does not belong to the {kind} family `{name}` (line {}): \
                         its samples are named {names}",
                        other.line
                    )
                }
                Origin::Sample if other.name == name => format!(
                    "samples of `{name}` are not contiguous: the family started at line {} and other lines came \
                     between",
                    other.line
                ),
                Origin::Sample => format!(
                    "sample `{name}` belongs to the {kind} family `{}` (line {}) but is not with its other samples: \
                     a family's lines are one contiguous group",
                    other.name, other.line
                ),
            };
            return Err(at.error(name_at, message));
        }
        let family =
            Family { name: name.to_owned(), kind: None, help: None, unit: None, samples: Vec::new(), line: at.line };
        self.current = Some(Current { name, kind: Kind::Unknown, open: Open::default(), family });
        Ok(())
    }

    /// Ends the open family: checks its histogram points, records the names
    /// it owns, and hands it over.
    fn close(&mut self) -> Result<Option<Family>, ParseError> {
        let Some(Current { name, kind, open, family }) = self.current.take() else { return Ok(None) };
        open.check_points(kind, self.format, name)?;
        self.owned.insert(name, self.ended.len());
        self.ended.push(Ended { name, line: family.line, kind });
        Ok(Some(family))
    }

    /// Reads a sample line; returns the family it ended, if any.
    pub(super) fn sample(&mut self, at: &At<'_>, raw: RawSample<'a>) -> Result<Option<Family>, ParseError> {
        let format = self.format;
        let suffix = self.current.as_ref().and_then(|c| c.kind.suffix_of(format, c.name, raw.name));
        let (suffix, ended) = match suffix {
            Some(suffix) => (suffix, None),
            None => {
                let ended = self.close()?;
                self.start(at, raw.name, raw.name_at, Origin::Sample)?;
                ("", ended)
            }
        };
        let kind = self.current().kind;
        let kind_word = self.kind_word(kind);
        let current = self.current();
        let sample = SampleCheck { at, raw: &raw, family: current.name, kind: current.kind, kind_word, suffix, format };
        sample.check(&mut current.open)?;
        current.family.samples.push(Sample {
            name: raw.name.to_owned(),
            labels: raw.labels.into_iter().map(|l| (l.name.to_owned(), l.value)).collect(),
            value: raw.value,
            timestamp: raw.timestamp,
            exemplar: raw.exemplar.map(|e| Exemplar {
                labels: e.labels.into_iter().map(|l| (l.name.to_owned(), l.value)).collect(),
                value: e.value,
                timestamp: e.timestamp,
            }),
            line: at.line,
        });
        Ok(ended)
    }
}

/// Every suffix of every type, in both formats.
const ALL_SUFFIXES: [&str; 8] = ["_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"];
