//! A strict parser of the two text expositions: Prometheus text format 0.0.4
//! and OpenMetrics 1.0 text.
//!
//! It reads what any exporter serves, so that `catalog check` can lint it: it
//! accepts exactly what the format accepts and reports the first violation
//! with its line and column (in characters, both 1-based).
//!
//! ```
//! use metricate_catalog::exposition::{self, Format};
//!
//! let text = concat!(
//!     "# TYPE trc_http_requests counter\n",
//!     "# HELP trc_http_requests HTTP requests \\\"handled\\\".\n",
//!     "trc_http_requests_total{method=\"get\"} 3 # {trace_id=\"4bf9\"} 1 1700000000.5\n",
//!     "# EOF\n",
//! );
//! assert_eq!(exposition::detect(None, text), Format::OpenMetrics);
//!
//! let parsed = exposition::parse(text, Format::OpenMetrics).unwrap();
//! let family = &parsed.families[0];
//! assert_eq!(family.name, "trc_http_requests");
//! assert_eq!(family.kind.as_deref(), Some("counter"));
//! assert_eq!(family.help.as_deref(), Some("HTTP requests \"handled\"."));
//! let sample = &family.samples[0];
//! assert_eq!((sample.name.as_str(), sample.label("method"), sample.value), ("trc_http_requests_total", Some("get"), 3.0));
//! assert_eq!(sample.exemplar.as_ref().unwrap().timestamp, Some(1_700_000_000.5));
//!
//! // The same text without its `# EOF` line.
//! let error = exposition::parse(&text[..text.len() - 6], Format::OpenMetrics).unwrap_err();
//! assert_eq!(error.to_string(), "line 4, column 1: missing `# EOF`: an OpenMetrics exposition ends with a `# EOF` line");
//! ```
//!
//! # What is checked
//!
//! Both formats: the grammar of names, label sets, escapes (`\\`, `\"` and
//! `\n` in label values; `\\` and `\n` in help, plus `\"` in OpenMetrics;
//! OpenMetrics also allows a `\` before any other character, and keeps the
//! pair as written), values and timestamps; no label named twice or named
//! `__name__`; `# TYPE` words; at most one `# TYPE` and `# HELP` per family,
//! before its samples; a family's lines in one contiguous group; no series
//! twice (in OpenMetrics, unless its timestamps do not go backwards; see
//! below); histogram buckets with
//! an `le`, in increasing order, with cumulative counts, a `+Inf` bucket and a
//! `_count` equal to it; summary quantiles within `[0, 1]`.
//!
//! Prometheus text only: blanks and tabs between tokens, a trailing comma in
//! a label set, comments and empty lines; integer millisecond timestamps;
//! quantiles in increasing order; a line feed at the end of the last line.
//!
//! OpenMetrics only: single spaces, no comments or blank lines, `# EOF` last;
//! `# UNIT` a suffix of the family name; the suffixes of each type
//! (`foo_total` in the counter family `foo`); exemplars on counter totals and
//! histogram buckets only, with at most 128 characters of labels; `+Inf`,
//! `-Inf` and `NaN` spelled exactly; counts non-negative integers, sums and
//! totals not NaN; totals, histogram and summary sums and quantile values not
//! negative; `_sum` and `_count` together; the samples of one metric
//! contiguous, and its timestamps not going backwards (equal ones are
//! allowed: a series repeated at the same timestamp is accepted).

mod family;
mod fingerprint;
mod lex;
mod number;

use std::fmt;

use crate::Flavor;
use family::{At, Builder};
pub(crate) use family::{Head, Sink};
// The checker (feature `json`) is the only user of these outside the parser.
#[cfg(feature = "json")]
pub(crate) use fingerprint::{Fingerprint, Fingerprints};
use lex::Line;
pub(crate) use lex::RawSample;
#[cfg(feature = "json")]
pub(crate) use lex::quote;

/// Which exposition text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).
    #[default]
    Prometheus,
    /// OpenMetrics 1.0 text (`application/openmetrics-text`).
    OpenMetrics,
}

impl Format {
    /// The naming flavour of the format (how a counter family is named).
    pub const fn flavor(self) -> Flavor {
        match self {
            Format::Prometheus => Flavor::Prometheus,
            Format::OpenMetrics => Flavor::OpenMetrics,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Prometheus => "Prometheus text",
            Format::OpenMetrics => "OpenMetrics",
        })
    }
}

/// OpenMetrics when `content_type` names `application/openmetrics-text`, or,
/// without one, when the text's last non-empty line is `# EOF`; Prometheus
/// text otherwise.
///
/// ```
/// use metricate_catalog::exposition::{Format, detect};
///
/// assert_eq!(detect(Some("application/openmetrics-text; version=1.0.0; charset=utf-8"), ""), Format::OpenMetrics);
/// assert_eq!(detect(Some("text/plain; version=0.0.4"), "# EOF\n"), Format::Prometheus);
/// assert_eq!(detect(None, "up 1\n# EOF\n"), Format::OpenMetrics);
/// assert_eq!(detect(None, "up 1\n"), Format::Prometheus);
/// ```
pub fn detect(content_type: Option<&str>, text: &str) -> Format {
    let openmetrics = match content_type {
        Some(content_type) => {
            let media_type = content_type.split(';').next().unwrap_or_default().trim();
            media_type.eq_ignore_ascii_case("application/openmetrics-text")
        }
        None => text.lines().rev().find(|line| !line.trim().is_empty()).is_some_and(|line| line.trim_end() == "# EOF"),
    };
    if openmetrics { Format::OpenMetrics } else { Format::Prometheus }
}

/// Parses a whole exposition.
///
/// Returns the first violation of the format; see the [module
/// documentation](self) for what is checked.
pub fn parse(text: &str, format: Format) -> Result<Exposition, ParseError> {
    let mut families = Vec::new();
    parse_each(text, format, |family| families.push(family))?;
    Ok(Exposition { format, families })
}

/// Parses an exposition family by family: `each` gets every family as soon as
/// it has ended (and been checked), in written order, and the parser keeps
/// only the names, lines and types of the families before it. Memory is the
/// text, the family being read, and a few dozen bytes per family, however
/// large the exposition. Returns the number of families, or the first
/// violation of the format (after which `each` is not called again).
pub fn parse_each(text: &str, format: Format, each: impl FnMut(Family)) -> Result<usize, ParseError> {
    read(text, format, &mut Collect { each, samples: Vec::new() })
}

/// Builds the [`Family`] values from what the parser hands over.
struct Collect<F> {
    each: F,
    samples: Vec<Sample>,
}

impl<'a, F: FnMut(Family)> Sink<'a> for Collect<F> {
    fn sample(&mut self, _: &Head<'a>, raw: RawSample<'a>, line: usize) {
        let labels = |labels: Vec<lex::Label<'_>>| -> Vec<(String, String)> {
            labels.into_iter().map(|l| (l.name.to_owned(), l.value.into_owned())).collect()
        };
        self.samples.push(Sample {
            name: raw.name.to_owned(),
            labels: labels(raw.labels),
            value: raw.value,
            timestamp: raw.timestamp,
            exemplar: raw.exemplar.map(|e| Exemplar {
                labels: labels(e.labels),
                value: e.value,
                timestamp: e.timestamp,
            }),
            line,
        });
    }

    fn family(&mut self, head: Head<'a>) {
        (self.each)(Family {
            name: head.name.to_owned(),
            kind: head.kind.map(std::borrow::Cow::into_owned),
            help: head.help.map(std::borrow::Cow::into_owned),
            unit: head.unit.map(std::borrow::Cow::into_owned),
            samples: std::mem::take(&mut self.samples),
            line: head.line,
        });
    }
}

/// Reads a whole exposition, handing each sample and family to `sink` as
/// soon as it has passed its checks, without keeping them; returns how many
/// families there were. Its memory is one record per family and, for the
/// family being read, a fingerprint per series.
pub(crate) fn read<'a>(text: &'a str, format: Format, sink: &mut impl Sink<'a>) -> Result<usize, ParseError> {
    let missing_eof = "missing `# EOF`: an OpenMetrics exposition ends with a `# EOF` line";
    if text.is_empty() {
        return match format {
            Format::Prometheus => Ok(0),
            Format::OpenMetrics => Err(ParseError::new(1, 1, missing_eof)),
        };
    }
    // One line feed may end the text; the lines are what it separates.
    let (body, terminated) = match text.strip_suffix('\n') {
        Some(body) => (body, true),
        None => (text, false),
    };
    let mut builder = Builder::new(format);
    let mut eof = None;
    let mut last = At { line: 0, text: "" };
    for (index, text) in body.split('\n').enumerate() {
        let at = At { line: index + 1, text };
        if let Some(eof) = eof {
            return Err(at.error(0, format!("content after `# EOF` (line {eof}): `# EOF` ends the exposition")));
        }
        match lex::line(text, format).map_err(|error| at.error(error.at, error.message))? {
            Line::Blank if format == Format::OpenMetrics => {
                return Err(at.error(0, "empty line: OpenMetrics does not allow blank lines"));
            }
            Line::Blank | Line::Comment => {}
            Line::Eof => eof = Some(at.line),
            Line::Meta(meta) => builder.meta(&at, meta, sink)?,
            Line::Sample(sample) => builder.sample(&at, sample, sink)?,
        }
        last = at;
    }
    let families = builder.finish(sink)?;
    let (line, column) =
        if terminated { (last.line + 1, 1) } else { (last.line, family::column(last.text, last.text.len())) };
    match format {
        Format::OpenMetrics if eof.is_none() => Err(ParseError::new(line, column, missing_eof)),
        Format::Prometheus if !terminated => Err(ParseError::new(
            line,
            column,
            "the last line does not end with a line feed (`\\n`), as the Prometheus text format requires",
        )),
        _ => Ok(families),
    }
}

/// Why an exposition does not parse, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, counted in characters (not bytes).
    pub column: usize,
    /// What is wrong, e.g. ``invalid escape sequence `\t` in the value of label `path`: ...``.
    pub message: String,
}

impl ParseError {
    /// An error at `line` and `column`, its message [`shorten`]ed.
    fn new(line: usize, column: usize, message: impl Into<String>) -> ParseError {
        ParseError { line, column, message: shorten(message.into()) }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A parsed exposition.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Exposition {
    /// The format it was parsed as.
    pub format: Format,
    /// Its families, in written order.
    pub families: Vec<Family>,
}

impl Exposition {
    /// The family named `name`.
    pub fn family(&self, name: &str) -> Option<&Family> {
        self.families.iter().find(|family| family.name == name)
    }
}

/// A metric family: its metadata and its samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    /// The family name. OpenMetrics: as in its metadata (`foo` for the samples
    /// `foo_total`). Prometheus text: as in its `# TYPE`/`# HELP` lines, or
    /// the sample name for samples without metadata.
    pub name: String,
    /// The `# TYPE` word as written (`"counter"`, `"histogram"`, ...); `None`
    /// without a `# TYPE` line.
    pub kind: Option<String>,
    /// The `# HELP` text, unescaped.
    pub help: Option<String>,
    /// The `# UNIT` (OpenMetrics only).
    pub unit: Option<String>,
    /// The samples, in written order.
    pub samples: Vec<Sample>,
    /// The line where the family starts (its first metadata or sample line).
    pub line: usize,
}

/// One sample line.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The full sample name, e.g. `foo_bucket`.
    pub name: String,
    /// The labels in written order, values unescaped.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
    /// The timestamp as written: milliseconds in Prometheus text, seconds in
    /// OpenMetrics.
    pub timestamp: Option<f64>,
    /// The exemplar (OpenMetrics only).
    pub exemplar: Option<Exemplar>,
    /// The line of the sample.
    pub line: usize,
}

impl Sample {
    /// The value of the label `name`.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.iter().find(|(label, _)| label == name).map(|(_, value)| value.as_str())
    }
}

/// An OpenMetrics exemplar: `# {labels} value [timestamp]` after a sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Exemplar {
    /// The labels in written order, values unescaped.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
    /// The timestamp in seconds.
    pub timestamp: Option<f64>,
}

/// The most characters a quoted piece of the input keeps in a message.
pub const QUOTED_MAX: usize = 64;
/// The most characters a message keeps in all.
pub const MESSAGE_MAX: usize = 1024;

/// Shortens a message that quotes the input: every `` `...` `` longer than
/// [`QUOTED_MAX`] characters keeps its start and end around an ellipsis and
/// says how long it was, and the whole message at most [`MESSAGE_MAX`]
/// characters, so that a 10 MB line never makes a 10 MB message. Line and
/// column say where the rest is.
///
/// ```
/// let long = "x".repeat(10_000);
/// let message = metricate_catalog::exposition::shorten(format!("invalid name `{long}`: too long"));
/// assert_eq!(message, format!("invalid name `{}…{}` (10000 characters): too long", "x".repeat(40), "x".repeat(16)));
/// ```
pub fn shorten(message: String) -> String {
    let short = message.len() <= MESSAGE_MAX && message.split('`').all(|part| part.len() <= QUOTED_MAX);
    if short {
        return message;
    }
    let mut out = String::with_capacity(message.len().min(MESSAGE_MAX + 8));
    let mut parts = message.split('`').peekable();
    let mut quoted = false;
    while let Some(part) = parts.next() {
        let chars = part.chars().count();
        if quoted && chars > QUOTED_MAX && parts.peek().is_some() {
            let head: String = part.chars().take(40).collect();
            let tail: String = part.chars().skip(chars - 16).collect();
            let _ = fmt::Write::write_fmt(&mut out, format_args!("{head}…{tail}` ({chars} characters)"));
            // The closing backtick is written: skip it below.
            quoted = false;
            out.push_str(parts.next().unwrap_or(""));
            if parts.peek().is_some() {
                out.push('`');
                quoted = true;
            }
            continue;
        }
        out.push_str(part);
        if parts.peek().is_some() {
            out.push('`');
            quoted = !quoted;
        }
    }
    if out.chars().count() > MESSAGE_MAX {
        out = out.chars().take(MESSAGE_MAX).collect();
        out.push('…');
    }
    out
}
