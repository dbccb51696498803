//! Writing pieces shared by the two text formats: label pairs decoded from a
//! series index, numbers, and sample lines.

use catalog::Label;

use crate::metric::Value;

/// Renders the labels of a family's series from the series index. The label
/// text is the escaped values computed when the label types were declared,
/// copied as is.
#[derive(Default)]
pub(super) struct SeriesLabels {
    /// `strides[i]`: how many series one step of label `i` spans.
    strides: Vec<usize>,
    /// The current series' `name="value",...` text.
    text: Vec<u8>,
}

impl SeriesLabels {
    /// Prepares for a family with these labels.
    pub(super) fn family(&mut self, labels: &[Label]) {
        self.strides.clear();
        let mut stride = 1usize;
        for label in labels.iter().rev() {
            self.strides.push(stride);
            stride = stride.saturating_mul(label.cardinality().max(1));
        }
        self.strides.reverse();
    }

    /// The `name="value",...` text of series `index`, without braces.
    pub(super) fn render(&mut self, labels: &[Label], index: usize) -> &[u8] {
        self.text.clear();
        for (i, (label, stride)) in labels.iter().zip(&self.strides).enumerate() {
            if i > 0 {
                self.text.push(b',');
            }
            let value = (index / stride) % label.cardinality().max(1);
            self.text.extend_from_slice(label.name.as_bytes());
            self.text.extend_from_slice(b"=\"");
            self.text.extend_from_slice(label.escaped_value(value).as_bytes());
            self.text.push(b'"');
        }
        &self.text
    }
}

/// Writes a float: `NaN`, `+Inf`, `-Inf`, or the shortest text that reads
/// back as the same value (`1.0`, `0.005`, `2.5e-7`). Bucket bounds use this
/// too, so every bound always has one canonical spelling.
pub(super) fn write_f64(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"+Inf" } else { b"-Inf" });
    } else {
        out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
    }
}

pub(super) fn write_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

pub(super) fn write_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Writes a scalar value.
pub(super) fn write_scalar(out: &mut Vec<u8>, value: &Value<'_>) {
    match *value {
        Value::Unsigned(v) => write_u64(out, v),
        Value::Signed(v) => write_i64(out, v),
        Value::Float(v) => write_f64(out, v),
        Value::Histogram { count, .. } => write_u64(out, count),
    }
}

/// Writes `name suffix{labels} ` (no braces when there are no labels), up to
/// the value.
pub(super) fn write_series_start(out: &mut Vec<u8>, name: &str, suffix: &str, labels: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(suffix.as_bytes());
    if !labels.is_empty() {
        out.push(b'{');
        out.extend_from_slice(labels);
        out.push(b'}');
    }
    out.push(b' ');
}

/// Writes the `_bucket` lines of a histogram series (cumulative counts, each
/// bound in its canonical spelling, `+Inf` last).
pub(super) fn write_buckets(out: &mut Vec<u8>, name: &str, labels: &[u8], bounds: &[f64], buckets: &[u64]) {
    let mut cumulative = 0u64;
    for (i, count) in buckets.iter().enumerate() {
        cumulative = cumulative.wrapping_add(*count);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"_bucket{");
        if !labels.is_empty() {
            out.extend_from_slice(labels);
            out.push(b',');
        }
        out.extend_from_slice(b"le=\"");
        match bounds.get(i) {
            Some(bound) => write_f64(out, *bound),
            None => out.extend_from_slice(b"+Inf"),
        }
        out.extend_from_slice(b"\"} ");
        write_u64(out, cumulative);
        out.push(b'\n');
    }
}
