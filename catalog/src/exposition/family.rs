//! Samples grouped into families, and the rules that span lines.
//!
//! A sample belongs to the open family when its name is the family name plus
//! one of the suffixes of the family's type; otherwise it starts a family of
//! its own, without metadata. Every name a family owns (its own and its
//! type's sample names) stays owned once the family ends, which is how a
//! family that comes back later, or a second family that claims the same
//! names, is found.
//!
//! The builder keeps no sample: it hands each one to a [`Sink`] once it is
//! checked, and each family once it has ended. What it keeps is one record
//! per family (its name, borrowed from the text, its type and line) and,
//! for the open family only, a fingerprint per series.

mod check;
mod kind;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use super::fingerprint::{Fingerprint, Fingerprints};
use super::lex::{self, Keyword, Meta, RawSample};
use super::{Format, ParseError};
use crate::escape;
use check::{Open, SampleCheck};
use kind::{Kind, unknown_type};

/// A line being read: its number and text, to turn byte offsets into columns.
#[derive(Clone, Copy)]
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
        ParseError::new(self.line, self.column, message)
    }
}

/// What the parser hands over as it reads: each sample once it has passed
/// the checks of its line and family, and each family once it has ended and
/// passed the checks of the whole family. Nothing is handed over for a line
/// that fails, nor after it.
pub(crate) trait Sink<'a> {
    /// A sample of the open family `family`, read at line `line`.
    fn sample(&mut self, family: &Head<'a>, sample: RawSample<'a>, line: usize);
    /// The family `family` has ended; its samples were all handed over.
    fn family(&mut self, family: Head<'a>);
}

/// A family's name and metadata, borrowed from the text where it can be.
#[derive(Debug)]
pub(crate) struct Head<'a> {
    /// As in [`Family::name`](super::Family::name).
    pub(crate) name: &'a str,
    /// The `# TYPE` word as written.
    pub(crate) kind: Option<Cow<'a, str>>,
    /// The `# HELP` text, unescaped.
    pub(crate) help: Option<Cow<'a, str>>,
    /// The `# UNIT`.
    pub(crate) unit: Option<Cow<'a, str>>,
    /// The line where the family starts.
    pub(crate) line: usize,
    /// Whether a sample was handed over.
    has_samples: bool,
    /// The line of its first sample.
    first_sample: usize,
}

/// What stays known of a family once it has ended, beside its name.
#[derive(Clone, Copy)]
struct Record {
    kind: Kind,
    line: usize,
}

/// `{a="1",b="2"}` with the labels sorted by name, or nothing without labels:
/// how a series is shown in messages (cut to an excerpt).
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

/// The message for a unit given to a family of type `word`, which has none:
/// `given` says where.
fn no_unit(word: &str, given: &str) -> String {
    format!("{} family has no unit, but {given}", with_article(word))
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

/// The open family: its head and the state of its checks.
struct Current<'a> {
    head: Head<'a>,
    kind: Kind,
    open: Open<'a>,
}

/// Builds the families of an exposition, line by line.
pub(super) struct Builder<'a> {
    format: Format,
    fingerprints: Fingerprints,
    /// The fingerprint of each of [`Kind::ALL_SUFFIXES`] as a name.
    suffixes: [Fingerprint; Kind::ALL_SUFFIXES.len()],
    /// The families that have ended, by name. A family owns its name and its
    /// type's sample names; see [`Builder::owner`].
    ended: HashMap<&'a str, Record>,
    current: Option<Current<'a>>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(format: Format) -> Builder<'a> {
        let fingerprints = Fingerprints::new();
        Builder {
            format,
            suffixes: Kind::ALL_SUFFIXES.map(|suffix| fingerprints.name(suffix)),
            fingerprints,
            ended: HashMap::new(),
            current: None,
        }
    }

    /// Ends the last family, once every line has been read; returns how many
    /// families there were.
    pub(super) fn finish(mut self, sink: &mut impl Sink<'a>) -> Result<usize, ParseError> {
        self.close(sink)?;
        Ok(self.ended.len())
    }

    /// The family that has ended owning the name `name` (a family named
    /// `name`, or one whose type gives its samples that name): its name,
    /// type and line.
    fn owner(&self, name: &str) -> Option<(&'a str, Kind, usize)> {
        Kind::ALL_SUFFIXES.iter().find_map(|suffix| {
            let base = name.strip_suffix(suffix)?;
            let (&family, record) = self.ended.get_key_value(base)?;
            (suffix.is_empty() || record.kind.suffixes(self.format).contains(suffix)).then_some((
                family,
                record.kind,
                record.line,
            ))
        })
    }

    /// The open family, if `name` is its name.
    fn open_named(&mut self, name: &str) -> Option<&mut Current<'a>> {
        self.current.as_mut().filter(|current| current.head.name == name)
    }

    pub(super) fn meta(&mut self, at: &At<'a>, meta: Meta<'a>, sink: &mut impl Sink<'a>) -> Result<(), ParseError> {
        let keyword = meta.keyword.as_str();
        if let Some(current) = self.open_named(meta.name) {
            if current.head.has_samples {
                return Err(at.error(
                    meta.at,
                    format!(
                        "`# {keyword}` line for {} after its samples (from line {}): \
                         a family's metadata comes before its samples",
                        lex::quote(meta.name),
                        current.head.first_sample
                    ),
                ));
            }
            if let Some(first) = *current.open.metadata_line(meta.keyword) {
                return Err(at.error(
                    meta.at,
                    format!("second `# {keyword}` line for {} (the first is at line {first})", lex::quote(meta.name)),
                ));
            }
        } else {
            self.close(sink)?;
            self.start(at, meta.name, meta.name_at, Origin::Meta(meta.keyword))?;
        }
        let (line, keyword) = (at.line, meta.keyword);
        match keyword {
            Keyword::Type => self.set_type(at, meta)?,
            Keyword::Help => self.current().head.help = Some(meta.text),
            Keyword::Unit => self.set_unit(at, meta)?,
        }
        *self.current().open.metadata_line(keyword) = Some(line);
        Ok(())
    }

    /// The open family. Only called once one is open.
    fn current(&mut self) -> &mut Current<'a> {
        // Invariant: `start` opens a family; `close` is always followed by
        // `start` before this is called.
        self.current.as_mut().expect("a family is open")
    }

    fn set_type(&mut self, at: &At<'a>, meta: Meta<'a>) -> Result<(), ParseError> {
        let word = &*meta.text;
        let Some(kind) = Kind::parse(word, self.format) else {
            return Err(at.error(meta.text_at, unknown_type(word, self.format)));
        };
        let name = meta.name;
        for suffix in kind.suffixes(self.format) {
            let sample = format!("{name}{suffix}");
            if let Some((other, other_kind, other_line)) = self.owner(&sample) {
                let other_kind = other_kind.word(self.format);
                let sample = lex::quote(&sample);
                return Err(at.error(
                    meta.text_at,
                    format!(
                        "{} family {} has samples named {sample}, but {sample} already belongs to \
                         the {other_kind} family {} (line {other_line})",
                        with_article(word),
                        lex::quote(name),
                        lex::quote(other),
                    ),
                ));
            }
        }
        let format = self.format;
        let current = self.current();
        if format == Format::OpenMetrics
            && kind.has_no_unit()
            && let Some(unit) = current.head.unit.as_deref().filter(|u| !u.is_empty())
        {
            let given = format!(
                "`# UNIT {}` (line {}) gives {}",
                lex::short(name),
                current.open.unit_line.unwrap_or_default(),
                lex::quote(unit)
            );
            return Err(at.error(meta.text_at, no_unit(word, &given)));
        }
        current.kind = kind;
        current.head.kind = Some(meta.text);
        Ok(())
    }

    fn set_unit(&mut self, at: &At<'a>, meta: Meta<'a>) -> Result<(), ParseError> {
        let unit = &*meta.text;
        let name = meta.name;
        let format = self.format;
        let current = self.current();
        if !unit.is_empty() {
            if name.strip_suffix(unit).and_then(|rest| rest.strip_suffix('_')).is_none() {
                let unit = lex::short(unit);
                return Err(at.error(
                    meta.text_at,
                    format!(
                        "unit `{unit}` is not a suffix of the family name {}: \
                         OpenMetrics requires the name to end in `_{unit}`",
                        lex::quote(name)
                    ),
                ));
            }
            if current.kind.has_no_unit() {
                let given = format!("{} is given {}", lex::quote(name), lex::quote(unit));
                return Err(at.error(meta.text_at, no_unit(current.kind.word(format), &given)));
            }
        }
        current.head.unit = Some(meta.text);
        Ok(())
    }

    /// Starts a family named `name`, unless a family that ended owns the name.
    fn start(&mut self, at: &At<'a>, name: &'a str, name_at: usize, origin: Origin) -> Result<(), ParseError> {
        if let Some((other, other_kind, line)) = self.owner(name) {
            let (kind, suffixes) = (other_kind.word(self.format), other_kind.suffixes(self.format));
            let quoted = lex::quote(name);
            let message = match origin {
                Origin::Meta(keyword) if other == name => format!(
                    "`# {}` line for {quoted} after the family {quoted} ended (it started at line {line}): \
                     a family's lines are one contiguous group, metadata first",
                    keyword.as_str(),
                ),
                Origin::Meta(_) => format!(
                    "{quoted} is a sample name of the {kind} family {} (line {line}) and cannot also name a family",
                    lex::quote(other)
                ),
                Origin::Sample if other == name && !suffixes.contains(&"") => {
                    let short = lex::short(name);
                    let names = suffixes.iter().map(|s| format!("`{short}{s}`")).collect::<Vec<_>>().join(", ");
                    format!(
                        "sample {quoted} does not belong to the {kind} family {quoted} (line {line}): \
                         its samples are named {names}",
                    )
                }
                Origin::Sample if other == name => format!(
                    "samples of {quoted} are not contiguous: the family started at line {line} and other lines came \
                     between",
                ),
                Origin::Sample => format!(
                    "sample {quoted} belongs to the {kind} family {} (line {line}) but is not with its other \
                     samples: a family's lines are one contiguous group",
                    lex::quote(other)
                ),
            };
            return Err(at.error(name_at, message));
        }
        let head =
            Head { name, kind: None, help: None, unit: None, line: at.line, has_samples: false, first_sample: 0 };
        self.current = Some(Current { head, kind: Kind::Unknown, open: Open::default() });
        Ok(())
    }

    /// Ends the open family: checks its histogram points, records the names
    /// it owns and hands it over.
    fn close(&mut self, sink: &mut impl Sink<'a>) -> Result<(), ParseError> {
        let Some(current) = self.current.take() else { return Ok(()) };
        let Current { head, kind, open } = current;
        open.check_points(kind, self.format, head.name)?;
        self.ended.insert(head.name, Record { kind, line: head.line });
        sink.family(head);
        Ok(())
    }

    pub(super) fn sample(
        &mut self,
        at: &At<'a>,
        raw: RawSample<'a>,
        sink: &mut impl Sink<'a>,
    ) -> Result<(), ParseError> {
        let format = self.format;
        let suffix = self.current.as_ref().and_then(|c| c.kind.suffix_of(format, c.head.name, raw.name));
        let suffix = match suffix {
            Some(suffix) => suffix,
            None => {
                self.close(sink)?;
                self.start(at, raw.name, raw.name_at, Origin::Sample)?;
                ""
            }
        };
        let fingerprints = &self.fingerprints;
        let index = Kind::ALL_SUFFIXES.iter().position(|s| *s == suffix).unwrap_or_default();
        let suffix_fingerprint = self.suffixes[index];
        let current = self.current.as_mut().expect("a family is open");
        let sample = SampleCheck {
            at,
            raw: &raw,
            family: current.head.name,
            kind: current.kind,
            suffix,
            format,
            fingerprints,
            suffix_fingerprint,
        };
        sample.check(&mut current.open)?;
        if !current.head.has_samples {
            current.head.has_samples = true;
            current.head.first_sample = at.line;
        }
        sink.sample(&current.head, raw, at.line);
        Ok(())
    }
}
