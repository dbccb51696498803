//! The text of StatsD lines: names, labels folded or tagged, numbers and
//! sample rates, and how long a series' lines can get.

use metricate_spec::{Descriptor, Label};

use super::TagStyle;
use crate::constant::ConstantLabels;
use crate::snapshot::{SeriesSnapshot, with_constants};

/// The longest number a line holds: an `f64` in shortest form, e.g.
/// `-2.2250738585072014e-308` (integers are shorter).
pub(super) const LONGEST_NUMBER: usize = 24;

/// What the lines look like.
#[derive(Clone, Debug)]
pub(super) struct Format {
    /// With its dot, or empty.
    pub(super) prefix: String,
    pub(super) tags: TagStyle,
    pub(super) distributions: bool,
}

impl Format {
    /// Writes one line: `name:number|kind`, with `|@rate` and the labels.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn line(
        &self,
        out: &mut Vec<u8>,
        constants: &ConstantLabels,
        descriptor: &Descriptor,
        series: &SeriesSnapshot,
        suffix: &str,
        number: Number,
        kind: &str,
        rate: Option<f64>,
    ) {
        let labels = || with_constants(constants, series).filter(|(_, value)| !value.is_empty());
        out.extend_from_slice(self.prefix.as_bytes());
        push_clean(out, descriptor.name, is_name_char);
        if self.tags == TagStyle::Folded {
            for (name, value) in labels() {
                out.push(b'.');
                push_clean(out, name, is_name_char);
                out.push(b'.');
                push_clean(out, value, is_name_char);
            }
        }
        out.extend_from_slice(suffix.as_bytes());
        out.push(b':');
        number.write(out);
        out.push(b'|');
        out.extend_from_slice(kind.as_bytes());
        if let Some(rate) = rate {
            out.extend_from_slice(b"|@");
            Number::Float(rate).write(out);
        }
        if self.tags == TagStyle::DogStatsd {
            for (i, (name, value)) in labels().enumerate() {
                out.extend_from_slice(if i == 0 { b"|#" } else { b"," });
                push_clean(out, name, is_name_char);
                out.push(b':');
                push_clean(out, value, is_tag_char);
            }
        }
    }

    /// The metric whose series may need the most bytes, and how many: the
    /// longest label values, the longest number, the longer tag style, a
    /// sample rate, and two lines (a negative gauge, a histogram's count
    /// and sum).
    pub(super) fn longest(
        &self,
        constants: &ConstantLabels,
        descriptors: impl Iterator<Item = &'static Descriptor>,
    ) -> Option<(&'static str, usize)> {
        let (constant_folded, constant_tags) = constants.iter().fold((0, 0), |(folded, tags), (name, value)| {
            (folded + 2 + name.len() + value.len(), tags + 1 + name.len() + 1 + value.len())
        });
        descriptors
            .map(|descriptor| {
                let (mut folded, mut tags) = (constant_folded, constant_tags);
                for label in descriptor.labels {
                    let value = longest_value(label);
                    folded += 2 + label.name.len() + value;
                    tags += 1 + label.name.len() + 1 + value;
                }
                let name = self.prefix.len() + descriptor.name.len() + ".count".len();
                let line = name + folded.max(tags) + 1 + LONGEST_NUMBER + 2 + 2 + LONGEST_NUMBER;
                (descriptor.name, 2 * line + 1)
            })
            .max_by_key(|&(_, need)| need)
    }
}

/// The longest value a label can render.
fn longest_value(label: &Label) -> usize {
    let unknown = if label.unknown { Label::UNKNOWN.len() } else { 0 };
    let values = match label.capped {
        Some(_) => crate::MAX_CAPPED_VALUE_LEN.max(metricate_spec::Capped::OTHER.len()),
        None => label.values.iter().map(|v| v.len()).max().unwrap_or(0),
    };
    values.max(unknown)
}

/// A number as a line writes it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Number {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

impl Number {
    pub(super) fn is_negative(self) -> bool {
        match self {
            Number::Unsigned(_) => false,
            Number::Signed(v) => v < 0,
            Number::Float(v) => v < 0.0,
        }
    }

    /// Integers in digits; a float that is a whole number of moderate size
    /// without a fraction (`3`, not `3.0`), any other in its shortest form.
    pub(super) fn write(self, out: &mut Vec<u8>) {
        match self {
            Number::Unsigned(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
            Number::Signed(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
            Number::Float(v) if v.fract() == 0.0 && v.abs() < 1e15 => {
                out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
            }
            Number::Float(v) => out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes()),
        }
    }
}

/// The sample rate that makes a server count one value as `n`: `1/n`,
/// rounded down if need be so that `1/rate` is at least `n` (servers
/// truncate it). `None` for one.
pub(super) fn weight(n: u64) -> Option<f64> {
    if n <= 1 {
        return None;
    }
    let n = n as f64;
    let rate = 1.0 / n;
    Some(if 1.0 / rate < n { rate.next_down() } else { rate })
}
/// Letters, digits, `_` and `-`: what a name part keeps as it is.
pub(super) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// What a DogStatsD tag value keeps as it is: anything but the separators
/// and white space.
fn is_tag_char(c: char) -> bool {
    !matches!(c, ',' | '|') && !c.is_whitespace() && !c.is_control()
}

/// Writes `text` with every character `keep` refuses as `_`.
pub(super) fn push_clean(out: &mut Vec<u8>, text: &str, keep: fn(char) -> bool) {
    if text.chars().all(keep) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    for c in text.chars() {
        if keep(c) {
            let mut buffer = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
        } else {
            out.push(b'_');
        }
    }
}
