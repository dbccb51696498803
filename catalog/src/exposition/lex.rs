//! One line of an exposition, read into tokens: the syntax of both formats.
//!
//! Prometheus text separates tokens by any run of blanks and tabs and allows
//! them around label tokens, a trailing comma in a label set, and comments.
//! OpenMetrics separates tokens by exactly one space and allows nothing else.
//! Every token keeps its byte offset in the line so that the caller can turn
//! an error, or a rule broken by a token, into a column.

mod sample;

use std::borrow::Cow;

use super::Format;
use super::number::{self, NumberError};

/// A syntax error at byte offset `at` of the line.
#[derive(Debug)]
pub(super) struct LexError {
    pub(super) at: usize,
    pub(super) message: String,
}

type Result<T> = std::result::Result<T, LexError>;

/// The metadata keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Keyword {
    Type,
    Help,
    Unit,
}

impl Keyword {
    pub(super) const fn as_str(self) -> &'static str {
        match self {
            Keyword::Type => "TYPE",
            Keyword::Help => "HELP",
            Keyword::Unit => "UNIT",
        }
    }
}

/// What a line holds.
#[derive(Debug)]
pub(super) enum Line<'a> {
    /// Nothing but blanks.
    Blank,
    /// A Prometheus text comment, ignored.
    Comment,
    /// `# EOF`.
    Eof,
    /// `# TYPE`, `# HELP` or `# UNIT`.
    Meta(Meta<'a>),
    /// A sample.
    Sample(RawSample<'a>),
}

/// A metadata line.
#[derive(Debug)]
pub(super) struct Meta<'a> {
    pub(super) keyword: Keyword,
    /// Where the `#` is.
    pub(super) at: usize,
    pub(super) name: &'a str,
    pub(super) name_at: usize,
    /// The type word or unit as written, or the help text unescaped.
    pub(super) text: Cow<'a, str>,
    pub(super) text_at: usize,
}

/// A label of a sample or an exemplar, its value unescaped (borrowed from
/// the line unless it had an escape).
#[derive(Debug)]
pub(crate) struct Label<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: Cow<'a, str>,
    pub(crate) name_at: usize,
    /// Where the opening quote of the value is.
    pub(crate) value_at: usize,
}

/// A sample line.
#[derive(Debug)]
pub(crate) struct RawSample<'a> {
    pub(crate) name: &'a str,
    pub(crate) name_at: usize,
    pub(crate) labels: Vec<Label<'a>>,
    pub(crate) value: f64,
    pub(crate) value_at: usize,
    pub(crate) timestamp: Option<f64>,
    pub(crate) timestamp_at: usize,
    pub(crate) exemplar: Option<RawExemplar<'a>>,
}

/// An OpenMetrics exemplar.
#[derive(Debug)]
pub(crate) struct RawExemplar<'a> {
    /// Where its `#` is.
    pub(crate) at: usize,
    pub(crate) labels: Vec<Label<'a>>,
    pub(crate) value: f64,
    pub(crate) timestamp: Option<f64>,
}

/// The most characters an exemplar's label names and values may have together.
pub(super) const EXEMPLAR_LABELS_MAX: usize = 128;

/// Reads one line (without its line feed).
pub(super) fn line(text: &str, format: Format) -> Result<Line<'_>> {
    let mut cursor = Cursor { text, pos: 0, format };
    match format {
        Format::Prometheus => cursor.prometheus_line(),
        Format::OpenMetrics => cursor.openmetrics_line(),
    }
}

pub(super) fn is_metric_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

pub(super) fn is_metric_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

fn is_label_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_label_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Names a character found where something else was expected.
pub(super) fn describe(found: Option<char>) -> String {
    match found {
        None => "the end of the line".to_owned(),
        Some(' ') => "a space".to_owned(),
        Some('\t') => "a tab".to_owned(),
        Some('`') => "a backtick".to_owned(),
        Some(c) => format!("`{}`", visible(c)),
    }
}

/// A character as shown in a message: control characters escaped.
pub(super) fn visible(c: char) -> String {
    if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }
}

/// The most characters of the input a message quotes; see
/// [`shorten`](super::shorten), whose format [`quote`] follows.
pub(crate) const QUOTED_MAX: usize = 64;

/// Quotes a token for a message, making control characters visible; a token
/// of more than [`QUOTED_MAX`] characters keeps its start and end around an
/// ellipsis and says how long it was, so that a message stays short
/// whatever the input.
pub(crate) fn quote(token: &str) -> String {
    let count = token.chars().count();
    if count <= QUOTED_MAX {
        return format!("`{}`", short(token));
    }
    format!("`{}` ({count} characters)", short(token))
}

/// A token inside a quoted span of a message: control characters made
/// visible, and cut to its first 40 and last 16 characters around a `…` when
/// it has more than [`QUOTED_MAX`].
pub(crate) fn short(token: &str) -> String {
    let count = token.chars().count();
    if count <= QUOTED_MAX {
        return token.chars().map(visible).collect();
    }
    let mut out: String = token.chars().take(40).map(visible).collect();
    out.push('…');
    out.extend(token.chars().skip(count - 16).map(visible));
    out
}

fn fail<T>(at: usize, message: impl Into<String>) -> Result<T> {
    Err(LexError { at, message: message.into() })
}

struct Cursor<'a> {
    text: &'a str,
    /// A byte offset, always on a character boundary.
    pos: usize,
    format: Format,
}

impl<'a> Cursor<'a> {
    fn strict(&self) -> bool {
        self.format == Format::OpenMetrics
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        // ASCII, by far the most common, without decoding.
        match self.text.as_bytes().get(self.pos) {
            Some(&byte) if byte.is_ascii() => Some(char::from(byte)),
            None => None,
            Some(_) => self.rest().chars().next(),
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let matched = self.peek() == Some(c);
        if matched {
            self.pos += c.len_utf8();
        }
        matched
    }

    fn at_end(&self) -> bool {
        self.pos == self.text.len()
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        while let Some(&byte) = bytes.get(self.pos) {
            if byte.is_ascii() {
                if !keep(char::from(byte)) {
                    break;
                }
                self.pos += 1;
            } else {
                match self.peek() {
                    Some(c) if keep(c) => self.pos += c.len_utf8(),
                    _ => break,
                }
            }
        }
        &self.text[start..self.pos]
    }

    /// Skips blanks and tabs; whether there were any.
    fn skip_blanks(&mut self) -> bool {
        !self.take_while(is_blank).is_empty()
    }

    /// A token: up to the next separator (a blank or tab in Prometheus text,
    /// a space in OpenMetrics) or the end of the line.
    fn token(&mut self) -> &'a str {
        if self.strict() { self.take_while(|c| c != ' ') } else { self.take_while(|c| !is_blank(c)) }
    }

    /// Expositions end lines with a line feed alone: a carriage return before
    /// it would silently become part of the last token.
    fn check_carriage_return(&self) -> Result<()> {
        match self.text.strip_suffix('\r') {
            Some(before) => fail(
                before.len(),
                "carriage return at the end of the line: expositions end lines with a line feed (`\\n`) alone",
            ),
            None => Ok(()),
        }
    }

    // ----- Prometheus text -----

    fn prometheus_line(&mut self) -> Result<Line<'a>> {
        self.skip_blanks();
        match self.peek() {
            None => Ok(Line::Blank),
            Some('#') => self.prometheus_comment(),
            Some(_) => {
                self.check_carriage_return()?;
                self.sample().map(Line::Sample)
            }
        }
    }

    /// `#` lines: `# HELP` and `# TYPE` are metadata, anything else a comment
    /// (as in Go's `expfmt`, blanks may follow the `#` and a line that ends
    /// right after the keyword is a comment too).
    fn prometheus_comment(&mut self) -> Result<Line<'a>> {
        let at = self.pos;
        self.bump();
        self.skip_blanks();
        let keyword = match self.token() {
            "HELP" => Keyword::Help,
            "TYPE" => Keyword::Type,
            _ => return Ok(Line::Comment),
        };
        self.skip_blanks();
        if self.at_end() {
            return Ok(Line::Comment);
        }
        self.check_carriage_return()?;
        let name_at = self.pos;
        let what = match keyword {
            Keyword::Help => "a metric name after `# HELP`",
            _ => "a metric name after `# TYPE`",
        };
        let name = self.metric_name(what)?;
        match self.peek() {
            None => {}
            Some(c) if is_blank(c) => {
                self.skip_blanks();
            }
            found => return self.invalid_name_char(name, found),
        }
        let text_at = self.pos;
        let text = match keyword {
            Keyword::Help => self.help()?,
            _ => self.type_word(name)?,
        };
        Ok(Line::Meta(Meta { keyword, at, name, name_at, text, text_at }))
    }

    // ----- OpenMetrics -----

    fn openmetrics_line(&mut self) -> Result<Line<'a>> {
        if self.text.trim_matches(is_blank).is_empty() {
            return Ok(Line::Blank);
        }
        self.check_carriage_return()?;
        if self.text == "# EOF" {
            return Ok(Line::Eof);
        }
        if self.peek() == Some('#') {
            return self.openmetrics_meta();
        }
        if let Some(c) = self.peek().filter(|c| is_blank(*c)) {
            return fail(
                0,
                format!("expected a metric name or `#` at the start of the line, found {}", describe(Some(c))),
            );
        }
        self.sample().map(Line::Sample)
    }

    fn openmetrics_meta(&mut self) -> Result<Line<'a>> {
        if let Some(after) = self.text.strip_prefix("# EOF") {
            let found = after.chars().next();
            return fail(5, format!("expected the end of the line after `# EOF`, found {}", describe(found)));
        }
        let comment = |hint: &str| {
            format!(
                "OpenMetrics has no comments: only `# TYPE`, `# HELP`, `# UNIT` and `# EOF` lines start with `#`{hint}"
            )
        };
        self.bump();
        if !self.eat(' ') {
            return fail(0, comment(""));
        }
        let keyword_text = self.token();
        let keyword = match keyword_text {
            "TYPE" => Keyword::Type,
            "HELP" => Keyword::Help,
            "UNIT" => Keyword::Unit,
            other => {
                let upper = ["TYPE", "HELP", "UNIT", "EOF"].iter().find(|k| k.eq_ignore_ascii_case(other));
                let hint = upper.map(|k| format!(" (keywords are uppercase: `# {k}`)")).unwrap_or_default();
                return fail(0, comment(&hint));
            }
        };
        let word = keyword.as_str();
        if !self.eat(' ') {
            return fail(self.pos, format!("missing metric name after `# {word}`"));
        }
        let name_at = self.pos;
        let name = self.metric_name("a metric name")?;
        match self.peek() {
            Some(' ') => {
                self.bump();
            }
            None => {
                let what = match keyword {
                    Keyword::Type => "the type",
                    Keyword::Help => "the help text (which may be empty)",
                    Keyword::Unit => "the unit (which may be empty)",
                };
                return fail(self.pos, format!("expected a space and {what} after `# {word} {}`", short(name)));
            }
            found => return self.invalid_name_char(name, found),
        }
        let text_at = self.pos;
        let text = match keyword {
            Keyword::Type => self.type_word(name)?,
            Keyword::Help => self.help()?,
            Keyword::Unit => {
                let unit = self.take_while(is_metric_name_char);
                if let Some(found) = self.peek() {
                    return fail(
                        self.pos,
                        format!(
                            "expected the end of the line after the unit {} of {}, found {}: \
                             a unit is made of `[a-zA-Z0-9_:]`",
                            quote(unit),
                            quote(name),
                            describe(Some(found))
                        ),
                    );
                }
                Cow::Borrowed(unit)
            }
        };
        Ok(Line::Meta(Meta { keyword, at: 0, name, name_at, text, text_at }))
    }

    // ----- shared -----

    fn metric_name(&mut self, what: &str) -> Result<&'a str> {
        match self.peek() {
            Some(c) if is_metric_name_start(c) => Ok(self.take_while(is_metric_name_char)),
            Some(c) if c.is_ascii_digit() => {
                fail(self.pos, format!("expected {what}, found {}: names cannot start with a digit", describe(Some(c))))
            }
            found => fail(self.pos, format!("expected {what}, found {}", describe(found))),
        }
    }

    fn invalid_name_char<T>(&self, name: &str, found: Option<char>) -> Result<T> {
        let message = match found {
            Some('\t') if self.strict() => format!("expected a single space after {}, found a tab", quote(name)),
            found => format!(
                "invalid character {} in metric name {}: metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`",
                describe(found),
                quote(name)
            ),
        };
        fail(self.pos, message)
    }

    /// The type word of a `# TYPE` line; the caller checks it is a known type.
    fn type_word(&mut self, name: &str) -> Result<Cow<'a, str>> {
        let at = self.pos;
        let word = self.token();
        if word.is_empty() {
            return fail(at, format!("missing type in `# TYPE {}`", short(name)));
        }
        if let Some(found) = self.peek() {
            return fail(
                self.pos,
                format!("expected the end of the line after the type {}, found {}", quote(word), describe(Some(found))),
            );
        }
        Ok(Cow::Borrowed(word))
    }

    /// Help text to the end of the line, unescaped.
    ///
    /// Prometheus text escapes only `\\` and `\n`, and any other `\` is an
    /// error, as in Go's `expfmt`. OpenMetrics also unescapes `\"`, and its
    /// ABNF (`escaped-char =/ BS normal-char`) makes a `\` before any other
    /// character valid, if discouraged: such a pair is kept as written, as
    /// the reference parser keeps it (the suite's `escaping` and
    /// `help_escaping` cases). A bare `"` is valid help text in OpenMetrics
    /// too: the help is not quoted, and the suite accepts `# HELP a9 \\"`
    /// (case `help_escaping`). In both formats a `\` needs a character
    /// after it.
    fn help(&mut self) -> Result<Cow<'a, str>> {
        let rest = self.rest();
        if !rest.contains('\\') {
            self.pos = self.text.len();
            return Ok(Cow::Borrowed(rest));
        }
        let mut text = String::with_capacity(rest.len());
        while let Some(c) = self.peek() {
            let at = self.pos;
            self.bump();
            match c {
                '\\' => self.unescape(&mut text, at, Escaped::Help)?,
                c => text.push(c),
            }
        }
        Ok(Cow::Owned(text))
    }

    /// The escape sequence after the `\` at `at`, in help text or a label
    /// value, pushed onto `out` unescaped: `\\`, `\n`, and `\"` (in help text
    /// only in OpenMetrics). OpenMetrics' ABNF (`escaped-char =/ BS
    /// normal-char`) makes a `\` before any other character valid, if
    /// discouraged: such a pair is kept as written, as the reference parser
    /// keeps it (the suite's `escaping`, `help_escaping` and `label_escaping`
    /// cases); Go's `expfmt` rejects it in Prometheus text. A `\` needs a
    /// character after it.
    fn unescape(&mut self, out: &mut String, at: usize, within: Escaped<'_>) -> Result<()> {
        let quote_escapes = self.strict() || matches!(within, Escaped::LabelValue { .. });
        match (self.bump(), within) {
            (Some('\\'), _) => out.push('\\'),
            (Some('n'), _) => out.push('\n'),
            (Some('"'), _) if quote_escapes => out.push('"'),
            (Some(c), _) if self.strict() => {
                out.push('\\');
                out.push(c);
            }
            (Some(c), within) => {
                let (place, escapes) = match within {
                    Escaped::Help => ("help text".to_owned(), "help escapes only `\\\\` and `\\n`"),
                    Escaped::LabelValue { name, .. } => (
                        format!("the value of label {}", quote(name)),
                        "label values escape only `\\\\`, `\\\"` and `\\n`",
                    ),
                };
                return fail(
                    at,
                    format!("invalid escape sequence `\\{}` in {place}: Prometheus text {escapes}", visible(c)),
                );
            }
            (None, Escaped::Help) => {
                return fail(at, "a lone `\\` at the end of the help text: a backslash is written `\\\\`");
            }
            (None, Escaped::LabelValue { name, quote_at }) => {
                return fail(
                    quote_at,
                    format!("unterminated value of label {}: the line ends after a `\\`", quote(name)),
                );
            }
        }
        Ok(())
    }
}

/// Where a `\` stands, for the error that rejects its escape sequence.
#[derive(Clone, Copy)]
enum Escaped<'n> {
    /// In help text.
    Help,
    /// In the value of label `name`, whose opening quote is at `quote_at`.
    LabelValue { name: &'n str, quote_at: usize },
}

/// The message for a token that is not a number.
pub(super) fn number_message(what: &str, token: &str, error: NumberError, format: Format) -> String {
    match (error, format) {
        (NumberError::Range, _) => format!("{what} {} is out of the range of a 64-bit float", quote(token)),
        (NumberError::Syntax, Format::OpenMetrics) if number::is_misspelled_special(token) => format!(
            "invalid {what} {}: OpenMetrics spells the special values exactly `+Inf`, `-Inf` and `NaN`",
            quote(token)
        ),
        (NumberError::Syntax, _) => {
            format!("invalid {what} {}: expected a number such as `1`, `-2.5e-3`, `NaN` or `+Inf`", quote(token))
        }
    }
}
