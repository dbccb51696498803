//! Writing pieces shared by the two text formats: label pairs decoded from a
//! series index, numbers, and sample lines.

use metricate_catalog::Label;

use crate::metric::Value;

/// Renders the labels of a family's series from the series index. The label
/// text is the escaped values computed when the label types were declared,
/// copied as is.
///
/// Series arrive in index order, so the label values advance like an
/// odometer: the next series changes only the last label (and, on a carry,
/// the ones before it). `render` keeps the previous series' text and rewrites
/// only the labels that changed; any other index is decoded with divisions.
#[derive(Default)]
pub(super) struct SeriesLabels {
    /// `strides[i]`: how many series one step of label `i` spans.
    strides: Vec<usize>,
    /// The current value index of each label.
    digits: Vec<usize>,
    /// Where each label's value starts in `text` (after its `name="`).
    offsets: Vec<usize>,
    /// The index that continues the odometer (the last rendered index + 1),
    /// or `usize::MAX` before the first series of a family.
    next: usize,
    /// `name{` (or `name` for no labels), then the labels' text, then `} `
    /// (or ` `): the start of a scalar sample line.
    text: Vec<u8>,
    /// The length of the `name{` prefix.
    head: usize,
    /// For each value of the last label, its text to the end of the line
    /// prefix: `value"} `, back to back; `tail_ends[v]` is where value `v`'s
    /// ends. The common step (only the last label changes) copies one of
    /// these.
    tails: Vec<u8>,
    tail_ends: Vec<usize>,
    /// The constant labels, `name="value",...`, written before a series'
    /// own.
    constants: Vec<u8>,
}

impl SeriesLabels {
    /// Sets the constant labels of the exposition.
    pub(super) fn constants(&mut self, text: &str) {
        self.constants.clear();
        self.constants.extend_from_slice(text.as_bytes());
    }

    /// Whether a series line has braces: labels of its own or constant ones.
    fn braces(&self, labels: &[Label]) -> bool {
        !labels.is_empty() || !self.constants.is_empty()
    }

    /// Prepares for a family with these labels.
    pub(super) fn family(&mut self, labels: &[Label], name: &str, suffix: &str) {
        self.strides.clear();
        let mut stride = 1usize;
        for label in labels.iter().rev() {
            self.strides.push(stride);
            stride = stride.saturating_mul(label.cardinality().max(1));
        }
        self.strides.reverse();
        self.digits.clear();
        self.digits.resize(labels.len(), 0);
        self.offsets.clear();
        self.offsets.resize(labels.len(), 0);
        self.next = usize::MAX;
        self.text.clear();
        self.text.extend_from_slice(name.as_bytes());
        self.text.extend_from_slice(suffix.as_bytes());
        if self.braces(labels) {
            self.text.push(b'{');
        }
        self.head = self.text.len();
        self.tails.clear();
        self.tail_ends.clear();
        if let Some(last) = labels.last() {
            for value in 0..last.cardinality() {
                self.tails.extend_from_slice(last.escaped_value(value).as_bytes());
                self.tails.extend_from_slice(b"\"} ");
                self.tail_ends.push(self.tails.len());
            }
        }
    }

    /// The `name="value",...` text of series `index`, without braces.
    pub(super) fn render(&mut self, labels: &[Label], index: usize) -> &[u8] {
        self.update(labels, index);
        let tail = if self.braces(labels) { 2 } else { 1 };
        &self.text[self.head..self.text.len() - tail]
    }

    /// Appends `name{labels} ` of series `index` to `out`: a scalar sample
    /// line up to its value.
    #[inline]
    pub(super) fn write_line(&mut self, out: &mut Vec<u8>, labels: &[Label], index: usize) {
        if let Some(last) = labels.len().checked_sub(1)
            && index == self.next
            && self.digits[last] + 1 < labels[last].cardinality().max(1)
        {
            // Only the last label moves on: the line is the unchanged prefix
            // and that value's tail, copied straight into `out`. (The tail
            // kept in `text` goes stale; every other path rewrites it.)
            let value = self.digits[last] + 1;
            self.digits[last] = value;
            self.next = index + 1;
            let start = if value == 0 { 0 } else { self.tail_ends[value - 1] };
            out.extend_from_slice(&self.text[..self.offsets[last]]);
            out.extend_from_slice(&self.tails[start..self.tail_ends[value]]);
            return;
        }
        self.update(labels, index);
        out.extend_from_slice(&self.text);
    }

    #[inline]
    fn update(&mut self, labels: &[Label], index: usize) {
        let first_changed = if index == self.next { self.advance(labels) } else { None };
        let last = labels.len().wrapping_sub(1);
        if first_changed == Some(last) {
            // Only the last label moved on: swap its tail.
            let value = self.digits[last];
            let start = if value == 0 { 0 } else { self.tail_ends[value - 1] };
            self.text.truncate(self.offsets[last]);
            self.text.extend_from_slice(&self.tails[start..self.tail_ends[value]]);
            self.next = index.wrapping_add(1);
            return;
        }
        let from = match first_changed {
            Some(from) => from,
            None => {
                for ((digit, label), stride) in self.digits.iter_mut().zip(labels).zip(&self.strides) {
                    *digit = (index / stride) % label.cardinality().max(1);
                }
                0
            }
        };
        self.next = index.wrapping_add(1);
        self.rewrite(labels, from, first_changed.is_none());
    }

    /// Steps the odometer by one series; returns the first label that
    /// changed, or `None` when it wrapped around completely.
    #[inline]
    fn advance(&mut self, labels: &[Label]) -> Option<usize> {
        for i in (0..self.digits.len()).rev() {
            self.digits[i] += 1;
            if self.digits[i] < labels[i].cardinality().max(1) {
                return Some(i);
            }
            self.digits[i] = 0;
        }
        None
    }

    /// Rewrites the text of labels `from..`.
    #[inline]
    fn rewrite(&mut self, labels: &[Label], from: usize, full: bool) {
        // `offsets[i]` is where label `i`'s value starts: when the earlier
        // labels are unchanged, label `from` keeps its `,name="` too.
        let mut first = from;
        if full {
            self.text.truncate(self.head);
            self.text.extend_from_slice(&self.constants);
        } else {
            self.text.truncate(self.offsets[from]);
            self.text.extend_from_slice(labels[from].escaped_value(self.digits[from]).as_bytes());
            self.text.push(b'"');
            first += 1;
        }
        let constants = !self.constants.is_empty();
        for (i, label) in labels.iter().enumerate().skip(first) {
            if i > 0 || constants {
                self.text.push(b',');
            }
            self.text.extend_from_slice(label.name.as_bytes());
            self.text.extend_from_slice(b"=\"");
            self.offsets[i] = self.text.len();
            self.text.extend_from_slice(label.escaped_value(self.digits[i]).as_bytes());
            self.text.push(b'"');
        }
        if self.braces(labels) {
            self.text.push(b'}');
        }
        self.text.push(b' ');
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
        Value::Histogram { count, .. } | Value::Summary { count, .. } => write_u64(out, count),
    }
}

/// Writes the quantile lines of a summary series: `name{labels,quantile="q"} v`,
/// leaving out those `keep` refuses.
pub(super) fn write_quantiles(
    out: &mut Vec<u8>,
    name: &str,
    labels: &[u8],
    quantiles: &[f64],
    values: &[f64],
    keep: impl Fn(f64) -> bool,
) {
    for (q, v) in quantiles.iter().zip(values) {
        if !keep(*v) {
            continue;
        }
        write_labels_then(out, name, "", labels, "quantile");
        write_f64(out, *q);
        out.extend_from_slice(b"\"} ");
        write_f64(out, *v);
        out.push(b'\n');
    }
}

/// Writes `name suffix{labels,extra="`: the start of a series line whose
/// last label, `extra`, the format adds (`le`, `quantile`).
fn write_labels_then(out: &mut Vec<u8>, name: &str, suffix: &str, labels: &[u8], extra: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(suffix.as_bytes());
    out.push(b'{');
    if !labels.is_empty() {
        out.extend_from_slice(labels);
        out.push(b',');
    }
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(b"=\"");
}

/// Writes `name_count{labels} count` and `name_sum{labels} sum`, in that
/// order (OpenMetrics') or sum first (`sum_first`, the text format's).
pub(super) fn write_count_sum(out: &mut Vec<u8>, name: &str, labels: &[u8], count: u64, sum: f64, sum_first: bool) {
    let sum_line = |out: &mut Vec<u8>| {
        write_series_start(out, name, "_sum", labels);
        write_f64(out, sum);
        out.push(b'\n');
    };
    if sum_first {
        sum_line(out);
    }
    write_series_start(out, name, "_count", labels);
    write_u64(out, count);
    out.push(b'\n');
    if !sum_first {
        sum_line(out);
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
/// bound in its canonical spelling, `+Inf` last); `tail` may add to the line
/// of bucket `i` before its end (an exemplar).
pub(super) fn write_buckets(
    out: &mut Vec<u8>,
    name: &str,
    labels: &[u8],
    bounds: &[f64],
    buckets: &[u64],
    tail: &mut dyn FnMut(&mut Vec<u8>, usize),
) {
    let mut cumulative = 0u64;
    for (i, count) in buckets.iter().enumerate() {
        cumulative = cumulative.wrapping_add(*count);
        write_labels_then(out, name, "_bucket", labels, "le");
        match bounds.get(i) {
            Some(bound) => write_f64(out, *bound),
            None => out.extend_from_slice(b"+Inf"),
        }
        out.extend_from_slice(b"\"} ");
        write_u64(out, cumulative);
        tail(out, i);
        out.push(b'\n');
    }
}
