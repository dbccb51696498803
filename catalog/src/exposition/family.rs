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
        ParseError { line: self.line, column: self.column, message: message.into() }
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

/// Builds the families of an exposition, line by line.
pub(super) struct Builder {
    format: Format,
    families: Vec<Family>,
    /// The type of each family, by index.
    kinds: Vec<Kind>,
    open: Option<Open>,
    /// Every name owned by a family that has ended, with the family's index.
    owned: HashMap<String, usize>,
}

impl Builder {
    pub(super) fn new(format: Format) -> Builder {
        Builder { format, families: Vec::new(), kinds: Vec::new(), open: None, owned: HashMap::new() }
    }

    /// All families, once every line has been read.
    pub(super) fn finish(mut self) -> Result<Vec<Family>, ParseError> {
        self.close()?;
        Ok(self.families)
    }

    fn kind_word(&self, index: usize) -> &str {
        match (&self.families[index].kind, self.format) {
            (Some(word), _) => word,
            (None, Format::Prometheus) => "untyped",
            (None, Format::OpenMetrics) => "unknown",
        }
    }

    /// The open family, if `name` is its name.
    fn open_named(&mut self, name: &str) -> Option<(&mut Open, &mut Family)> {
        let open = self.open.as_mut()?;
        let family = self.families.last_mut().filter(|f| f.name == name)?;
        Some((open, family))
    }

    pub(super) fn meta(&mut self, at: &At<'_>, meta: Meta<'_>) -> Result<(), ParseError> {
        let keyword = meta.keyword.as_str();
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
            self.close()?;
            self.start(at, meta.name, meta.name_at, Origin::Meta(meta.keyword))?;
        }
        match meta.keyword {
            Keyword::Type => self.set_type(at, &meta)?,
            Keyword::Help => self.current().1.help = Some(meta.text),
            Keyword::Unit => self.set_unit(at, &meta)?,
        }
        *self.current().0.metadata_line(meta.keyword) = Some(at.line);
        Ok(())
    }

    /// The open family. Only called once one is open.
    fn current(&mut self) -> (&mut Open, &mut Family) {
        // Invariant: `start` pushes a family and opens it; `close` is always
        // followed by `start` before this is called.
        let open = self.open.as_mut().expect("a family is open");
        let family = self.families.last_mut().expect("the open family is the last one");
        (open, family)
    }

    fn set_type(&mut self, at: &At<'_>, meta: &Meta<'_>) -> Result<(), ParseError> {
        let word = meta.text.as_str();
        let Some(kind) = Kind::parse(word, self.format) else {
            return Err(at.error(meta.text_at, unknown_type(word, self.format)));
        };
        let name = meta.name;
        for suffix in kind.suffixes(self.format) {
            let sample = format!("{name}{suffix}");
            if let Some(&owner) = self.owned.get(&sample) {
                let other = &self.families[owner];
                return Err(at.error(
                    meta.text_at,
                    format!(
                        "{} family `{name}` has samples named `{sample}`, but `{sample}` already belongs to \
                         the {} family `{}` (line {})",
                        with_article(word),
                        self.kind_word(owner),
                        other.name,
                        other.line
                    ),
                ));
            }
        }
        let format = self.format;
        let (open, family) = self.current();
        if format == Format::OpenMetrics
            && kind.has_no_unit()
            && let Some(unit) = family.unit.as_deref().filter(|u| !u.is_empty())
        {
            return Err(at.error(
                meta.text_at,
                format!(
                    "{} family has no unit, but `# UNIT {name}` (line {}) gives `{unit}`",
                    with_article(word),
                    open.unit_line.unwrap_or_default()
                ),
            ));
        }
        family.kind = Some(meta.text.clone());
        if let Some(last) = self.kinds.last_mut() {
            *last = kind;
        }
        Ok(())
    }

    fn set_unit(&mut self, at: &At<'_>, meta: &Meta<'_>) -> Result<(), ParseError> {
        let unit = meta.text.as_str();
        let name = meta.name;
        let kind = self.kinds.last().copied().unwrap_or(Kind::Unknown);
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
                let word = self.kind_word(self.families.len() - 1).to_owned();
                return Err(at.error(
                    meta.text_at,
                    format!("{} family has no unit, but `{name}` is given `{unit}`", with_article(&word)),
                ));
            }
        }
        self.current().1.unit = Some(meta.text.clone());
        Ok(())
    }

    /// Starts a family named `name`, unless a family that ended owns the name.
    fn start(&mut self, at: &At<'_>, name: &str, name_at: usize, origin: Origin) -> Result<(), ParseError> {
        if let Some(&owner) = self.owned.get(name) {
            let other = &self.families[owner];
            let kind = self.kind_word(owner);
            let suffixes = self.kinds[owner].suffixes(self.format);
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
        self.families.push(Family {
            name: name.to_owned(),
            kind: None,
            help: None,
            unit: None,
            samples: Vec::new(),
            line: at.line,
        });
        self.kinds.push(Kind::Unknown);
        self.open = Some(Open::default());
        Ok(())
    }

    /// Ends the open family: checks its histogram points and records the names
    /// it owns.
    fn close(&mut self) -> Result<(), ParseError> {
        let Some(open) = self.open.take() else { return Ok(()) };
        let index = self.families.len() - 1;
        let kind = self.kinds[index];
        let name = self.families[index].name.clone();
        open.check_points(kind, self.format, &name)?;
        for suffix in kind.suffixes(self.format) {
            self.owned.insert(format!("{name}{suffix}"), index);
        }
        self.owned.insert(name, index);
        Ok(())
    }

    pub(super) fn sample(&mut self, at: &At<'_>, raw: RawSample<'_>) -> Result<(), ParseError> {
        let format = self.format;
        let suffix = match (&self.open, self.families.last(), self.kinds.last()) {
            (Some(_), Some(family), Some(kind)) => kind.suffix_of(format, &family.name, raw.name),
            _ => None,
        };
        let suffix = match suffix {
            Some(suffix) => suffix,
            None => {
                self.close()?;
                self.start(at, raw.name, raw.name_at, Origin::Sample)?;
                ""
            }
        };
        let kind = self.kinds.last().copied().unwrap_or(Kind::Unknown);
        let kind_word = self.kind_word(self.families.len() - 1).to_owned();
        let (open, family) = self.current();
        let sample = SampleCheck { at, raw: &raw, family: &family.name, kind, kind_word: &kind_word, suffix, format };
        sample.check(open)?;
        family.samples.push(Sample {
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
        Ok(())
    }
}
