//! Sample lines: the name, the label set, the value, the timestamp and, in
//! OpenMetrics, the exemplar.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{
    Cursor, EXEMPLAR_LABELS_MAX, Escaped, Label, RawExemplar, RawSample, Result, describe, fail, is_blank,
    is_label_name_char, is_label_name_start, number_message, quote,
};
use crate::exposition::number::{self, NumberError};

/// Up to this many labels, a duplicate name is found by comparing with each
/// label before it; past it, through a set, so that a line with any number
/// of labels is read in linear time.
const LINEAR_LABELS: usize = 16;

impl<'a> Cursor<'a> {
    pub(super) fn sample(&mut self) -> Result<RawSample<'a>> {
        let name_at = self.pos;
        let name = self.metric_name("a metric name")?;
        let mut labels = Vec::new();
        let mut after_labels = false;
        // In Prometheus text blanks may also sit between the name and `{`.
        let blanks = !self.strict() && self.skip_blanks();
        match self.peek() {
            Some('{') => {
                labels = self.labels("sample")?;
                after_labels = true;
            }
            _ if blanks => {}
            Some(' ') => {}
            None => return fail(self.pos, format!("missing value after {}", quote(name))),
            found => return self.invalid_name_char(name, found),
        }
        self.separator(|| if after_labels { "the label set".to_owned() } else { quote(name) })?;
        let value_at = self.pos;
        let value = self.value("value")?;
        let mut sample = RawSample {
            name,
            name_at,
            labels,
            value,
            value_at,
            timestamp: None,
            timestamp_at: self.pos,
            exemplar: None,
        };
        if self.strict() {
            self.openmetrics_sample_tail(&mut sample)?;
        } else {
            self.prometheus_sample_tail(&mut sample)?;
        }
        Ok(sample)
    }

    /// The separator before a value: blanks and tabs in Prometheus text
    /// (none needed right after `}`), exactly one space in OpenMetrics.
    fn separator(&mut self, after: impl Fn() -> String) -> Result<()> {
        if self.strict() {
            match self.peek() {
                Some(' ') => {
                    self.bump();
                }
                None => return fail(self.pos, format!("missing value after {}", after())),
                found => {
                    return fail(self.pos, format!("expected a space after {}, found {}", after(), describe(found)));
                }
            }
            if let Some(found) = self.peek().filter(|c| is_blank(*c)) {
                return fail(self.pos, single_space_message(found));
            }
        } else {
            self.skip_blanks();
        }
        if self.at_end() {
            return fail(self.pos, format!("missing value after {}", after()));
        }
        Ok(())
    }

    /// A sample or exemplar value.
    fn value(&mut self, what: &str) -> Result<f64> {
        let at = self.pos;
        let token = self.token();
        let parsed = if self.strict() { number::openmetrics_number(token) } else { number::prometheus_float(token) };
        parsed.or_else(|error| fail(at, number_message(what, token, error, self.format)))
    }

    fn prometheus_sample_tail(&mut self, sample: &mut RawSample<'a>) -> Result<()> {
        if self.at_end() {
            return Ok(());
        }
        let blanks = self.pos;
        self.skip_blanks();
        match self.peek() {
            None => return fail(blanks, "trailing whitespace after the value"),
            Some('#') => {
                return fail(
                    self.pos,
                    "exemplars are not part of the Prometheus text format (only of OpenMetrics): \
                     expected a timestamp or the end of the line",
                );
            }
            Some(_) => {}
        }
        sample.timestamp_at = self.pos;
        let token = self.token();
        let timestamp = number::prometheus_timestamp(token).or_else(|error| {
            let message = match error {
                NumberError::Syntax => format!(
                    "invalid timestamp {}: the Prometheus text format expects an integer number of milliseconds",
                    quote(token)
                ),
                NumberError::Range => format!("timestamp {} is out of the range of a 64-bit integer", quote(token)),
            };
            fail(sample.timestamp_at, message)
        })?;
        sample.timestamp = Some(timestamp as f64);
        if !self.at_end() {
            let at = self.pos;
            self.skip_blanks();
            return match self.peek() {
                None => fail(at, "trailing whitespace after the timestamp"),
                found => fail(
                    self.pos,
                    format!("expected the end of the line after the timestamp, found {}", describe(found)),
                ),
            };
        }
        Ok(())
    }

    fn openmetrics_sample_tail(&mut self, sample: &mut RawSample<'a>) -> Result<()> {
        if self.at_end() {
            return Ok(());
        }
        // The token stopped at a space.
        self.bump();
        if self.peek() != Some('#') {
            self.single_space_then_token()?;
            sample.timestamp_at = self.pos;
            sample.timestamp = Some(self.openmetrics_timestamp()?);
            if self.at_end() {
                return Ok(());
            }
            self.bump();
            if self.peek() != Some('#') {
                if self.at_end() {
                    return fail(self.pos - 1, "trailing space at the end of the line");
                }
                return fail(
                    self.pos,
                    format!(
                        "expected ` # ` and an exemplar or the end of the line after the timestamp, found {}",
                        describe(self.peek())
                    ),
                );
            }
        }
        sample.exemplar = Some(self.exemplar()?);
        Ok(())
    }

    /// After a separating space: fails on the end of the line or another blank.
    fn single_space_then_token(&self) -> Result<()> {
        match self.peek() {
            None => fail(self.pos - 1, "trailing space at the end of the line"),
            Some(c) if is_blank(c) => fail(self.pos, single_space_message(c)),
            Some(_) => Ok(()),
        }
    }

    fn openmetrics_timestamp(&mut self) -> Result<f64> {
        let at = self.pos;
        let token = self.token();
        number::openmetrics_real(token).or_else(|error| {
            let message = match error {
                NumberError::Range => format!("timestamp {} is out of the range of a 64-bit float", quote(token)),
                NumberError::Syntax if number::is_misspelled_special(token) || token == "+Inf" || token == "-Inf" => {
                    format!("invalid timestamp {}: a timestamp is a finite number of seconds", quote(token))
                }
                NumberError::Syntax => format!(
                    "invalid timestamp {}: expected a number of seconds such as `1700000000` or `1700000000.25`",
                    quote(token)
                ),
            };
            fail(at, message)
        })
    }

    /// ` # {labels} value [timestamp]`, from the `#`.
    fn exemplar(&mut self) -> Result<RawExemplar<'a>> {
        let at = self.pos;
        self.bump();
        if !self.eat(' ') {
            return fail(
                self.pos,
                format!("expected a space after the `#` of an exemplar, found {}", describe(self.peek())),
            );
        }
        if self.peek() != Some('{') {
            return fail(
                self.pos,
                format!("expected the label set `{{...}}` of an exemplar, found {}", describe(self.peek())),
            );
        }
        let labels_at = self.pos;
        let labels = self.labels("exemplar")?;
        let length: usize = labels.iter().map(|l| l.name.chars().count() + l.value.chars().count()).sum();
        if length > EXEMPLAR_LABELS_MAX {
            return fail(
                labels_at,
                format!(
                    "exemplar labels have {length} characters: OpenMetrics allows at most {EXEMPLAR_LABELS_MAX} \
                     (label names and values together)"
                ),
            );
        }
        self.separator(|| "the exemplar's label set".to_owned())?;
        let value = self.value("exemplar value")?;
        let mut timestamp = None;
        if !self.at_end() {
            self.bump();
            self.single_space_then_token()?;
            timestamp = Some(self.openmetrics_timestamp()?);
            if !self.at_end() {
                return fail(
                    self.pos,
                    format!(
                        "expected the end of the line after the exemplar's timestamp, found {}",
                        describe(self.peek())
                    ),
                );
            }
        }
        Ok(RawExemplar { at, labels, value, timestamp })
    }

    /// Whitespace inside a label set: skipped in Prometheus text, an error in
    /// OpenMetrics.
    fn label_gap(&mut self) -> Result<()> {
        if self.strict() {
            if let Some(c) = self.peek().filter(|c| is_blank(*c)) {
                return fail(
                    self.pos,
                    format!(
                        "found {} in a label set: OpenMetrics allows no whitespace in `{{...}}`",
                        describe(Some(c))
                    ),
                );
            }
        } else {
            self.skip_blanks();
        }
        Ok(())
    }

    /// `{name="value",...}`, from the `{`; `of` is "sample" or "exemplar".
    fn labels(&mut self, of: &str) -> Result<Vec<Label<'a>>> {
        self.bump();
        let mut labels: Vec<Label<'a>> = Vec::new();
        let mut names: HashSet<&'a str> = HashSet::new();
        self.label_gap()?;
        if self.eat('}') {
            return Ok(labels);
        }
        loop {
            let label = self.label()?;
            if label.name == "__name__" {
                return fail(label.name_at, "label name `__name__` is reserved for the metric name");
            }
            let duplicate = if labels.len() < LINEAR_LABELS {
                labels.iter().any(|l| l.name == label.name)
            } else {
                if names.is_empty() {
                    names.extend(labels.iter().map(|l| l.name));
                }
                !names.insert(label.name)
            };
            if duplicate {
                return fail(label.name_at, format!("duplicate label name {} in one {of}", quote(label.name)));
            }
            labels.push(label);
            self.label_gap()?;
            match self.peek() {
                Some(',') => {
                    let comma = self.pos;
                    self.bump();
                    self.label_gap()?;
                    if self.peek() == Some('}') {
                        if self.strict() {
                            return fail(comma, "trailing comma in a label set: OpenMetrics does not allow one");
                        }
                        self.bump();
                        return Ok(labels);
                    }
                }
                Some('}') => {
                    self.bump();
                    return Ok(labels);
                }
                found => {
                    let last = labels.last().map_or("", |l| l.name);
                    return fail(
                        self.pos,
                        format!(
                            "expected `,` or `}}` after the value of label {}, found {}",
                            quote(last),
                            describe(found)
                        ),
                    );
                }
            }
        }
    }

    fn label(&mut self) -> Result<Label<'a>> {
        let name_at = self.pos;
        let name = match self.peek() {
            Some(c) if is_label_name_start(c) => self.take_while(is_label_name_char),
            found => {
                return fail(self.pos, format!("expected a label name, found {}", describe(found)));
            }
        };
        let name_end = self.pos;
        self.label_gap()?;
        match self.peek() {
            Some('=') => {
                self.bump();
            }
            // After blanks, or on a character that ends a token, `=` is what
            // is missing; otherwise the name goes on with an invalid character.
            found if self.pos != name_end || matches!(found, None | Some(' ' | '\t' | '"' | ',' | '}')) => {
                return fail(
                    self.pos,
                    format!("expected `=` after label name {}, found {}", quote(name), describe(found)),
                );
            }
            found => {
                return fail(
                    self.pos,
                    format!(
                        "invalid character {} in label name {}: label names match `[a-zA-Z_][a-zA-Z0-9_]*`",
                        describe(found),
                        quote(name)
                    ),
                );
            }
        }
        self.label_gap()?;
        let value_at = self.pos;
        if !self.eat('"') {
            return fail(
                self.pos,
                format!("expected `\"` to open the value of label {}, found {}", quote(name), describe(self.peek())),
            );
        }
        let value = self.label_value(name, value_at)?;
        Ok(Label { name, value, name_at, value_at })
    }

    /// A label value after its opening quote, unescaped: borrowed from the
    /// line when it has no escape.
    fn label_value(&mut self, name: &str, quote_at: usize) -> Result<Cow<'a, str>> {
        let rest = self.rest();
        let plain = rest.find(['"', '\\']).unwrap_or(rest.len());
        if rest[plain..].starts_with('"') {
            self.pos += plain + 1;
            return Ok(Cow::Borrowed(&rest[..plain]));
        }
        let mut value = String::from(&rest[..plain]);
        self.pos += plain;
        loop {
            let at = self.pos;
            match self.bump() {
                None => {
                    return fail(
                        quote_at,
                        format!(
                            "unterminated value of label {}: no closing `\"` before the end of the line \
                             (a line feed in a value is written `\\n`)",
                            quote(name)
                        ),
                    );
                }
                Some('"') => return Ok(Cow::Owned(value)),
                Some('\\') => self.unescape(&mut value, at, Escaped::LabelValue { name, quote_at })?,
                Some(c) => value.push(c),
            }
        }
    }
}

fn single_space_message(found: char) -> String {
    format!("found {} after a space: OpenMetrics separates tokens by exactly one space", describe(Some(found)))
}
