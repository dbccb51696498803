//! Writing shared by the two text formats: the series writer both encoders
//! keep, the label text of a series from its index, numbers, and sample
//! lines.

use metricate_spec::{Descriptor, Label, MetricKind};

use crate::metric::{Exemplar, SeriesVisitor, Value};

/// What a text format writes its own way, given to the [`TextWriter`] it
/// shares with the other: the lines of a series of more than one sample (a
/// histogram's buckets, a summary's quantiles) and exemplars. Each format
/// implements it once, in its file; every other line is the writer's.
pub(super) trait TextFormat: Sync {
    /// Whether the format writes exemplars; the writer keeps none otherwise.
    fn exemplars(&self) -> bool {
        false
    }

    /// Appends the exemplar of counter series `index`, if it has one, after
    /// the series' value.
    fn counter_exemplar(&self, out: &mut Vec<u8>, exemplars: &Exemplars, index: usize) {
        let _ = (out, exemplars, index);
    }

    /// The lines of series `index` of the family whose samples start with
    /// `name`, whose label text is `labels` and whose value is not a scalar,
    /// with their exemplars, without a `_created` sample.
    fn samples(
        &self,
        out: &mut Vec<u8>,
        name: &str,
        labels: &[u8],
        value: &Value<'_>,
        exemplars: &Exemplars,
        index: usize,
    );
}

/// The state the built-in encoders keep across series and scrapes: the
/// current family's line starts, the exemplars given for the next series,
/// and what the format adds to a series (`_created`). Both formats write
/// every series through it; only histograms and summaries (many lines each)
/// go to the format's own code.
///
/// Not public API: [`Encoder::text_writer`](super::Encoder::text_writer)
/// hands it to [`encode`](super::encode), which wraps it in a
/// [`SeriesWriter`] per family.
#[doc(hidden)]
pub struct TextWriter {
    format: &'static dyn TextFormat,
    labels: SeriesLabels,
    /// The name the current family's samples start with (before `_bucket`,
    /// `_created`, ...): the metric name in Prometheus text, the family name
    /// in OpenMetrics.
    name: &'static str,
    /// Whether the current family's series have a `_created` sample.
    created: bool,
    /// The exemplars given for the next series (OpenMetrics only).
    exemplars: Exemplars,
}

impl TextWriter {
    pub(super) fn new(format: &'static dyn TextFormat) -> TextWriter {
        TextWriter {
            format,
            labels: SeriesLabels::default(),
            name: "",
            created: false,
            exemplars: Exemplars::default(),
        }
    }

    /// Starts an exposition whose every series carries these labels.
    pub(super) fn begin(&mut self, constant_labels: &str) {
        self.labels.constants(constant_labels);
    }

    /// Starts a family whose sample lines start with `name`, and whose
    /// scalar samples are named `name` + `suffix`; `created`: its series have
    /// a `_created` sample.
    pub(super) fn family(&mut self, d: &Descriptor, name: &'static str, suffix: &str, created: bool) {
        self.labels.family(d.labels, name, suffix);
        self.name = name;
        self.created = created;
        self.exemplars.clear();
    }

    /// Keeps an exemplar for the next series, in the formats that have them.
    pub(super) fn exemplar(&mut self, index: usize, bucket: usize, exemplar: Exemplar<'_>) {
        if self.format.exemplars() {
            self.exemplars.push(index, bucket, exemplar);
        }
    }

    /// Writes series `index` of the current family.
    #[allow(clippy::inline_always, reason = "the per-series path of every metric type's loop: one body, no calls")]
    #[inline(always)]
    pub(super) fn series(&mut self, out: &mut Vec<u8>, d: &Descriptor, index: usize, value: &Value<'_>) {
        match *value {
            Value::Unsigned(v) => self.scalar(out, d, index, |out| write_u64(out, v)),
            Value::Signed(v) => self.scalar(out, d, index, |out| write_i64(out, v)),
            Value::Float(v) => self.scalar(out, d, index, |out| write_f64(out, v)),
            // Every other value is its format's to write.
            _ => self.samples(out, index, value),
        }
    }

    /// A scalar series: its line start, copied, then the value.
    #[allow(clippy::inline_always, reason = "the per-series path of every metric type's loop: one body, no calls")]
    #[inline(always)]
    fn scalar(&mut self, out: &mut Vec<u8>, d: &Descriptor, index: usize, value: impl FnOnce(&mut Vec<u8>)) {
        self.labels.write_line(out, index);
        value(out);
        if !self.exemplars.is_empty() {
            self.counter_exemplar(out, d, index);
        }
        out.push(b'\n');
        if self.created {
            self.created_line(out, index);
        }
    }

    /// The exemplar of a counter series, written after its value.
    #[cold]
    fn counter_exemplar(&mut self, out: &mut Vec<u8>, d: &Descriptor, index: usize) {
        if d.kind == MetricKind::Counter {
            self.format.counter_exemplar(out, &self.exemplars, index);
        }
        self.exemplars.clear();
    }

    /// A series of more than one sample, in the format's words.
    #[inline(never)]
    fn samples(&mut self, out: &mut Vec<u8>, index: usize, value: &Value<'_>) {
        let labels = self.labels.render(index);
        self.format.samples(out, self.name, labels, value, &self.exemplars, index);
        self.exemplars.clear();
        if self.created {
            self.created_line(out, index);
        }
    }

    /// The `_created` sample of series `index`: when it started counting,
    /// the process's start, in seconds since the Unix epoch. Only formats
    /// that have one ask for it (see [`TextWriter::family`]).
    #[cold]
    fn created_line(&mut self, out: &mut Vec<u8>, index: usize) {
        write_series_start(out, self.name, "_created", self.labels.render(index));
        write_f64(out, crate::process::start_unix_nanos() as f64 / 1e9);
        out.push(b'\n');
    }
}

/// Writes the series of one family, handed to
/// [`Collect::write_series`](crate::Collect::write_series): a metric calls
/// [`write`](SeriesWriter::write) with each of its series in index order,
/// all from one call, so the loop over a family's cells is compiled per
/// metric type and calls no encoder code through a pointer.
///
/// It also takes series from [`Collect::collect`](crate::Collect::collect)
/// as a [`SeriesVisitor`], for metrics that have no loop of their own. Not
/// public API.
#[doc(hidden)]
pub struct SeriesWriter<'w> {
    pub(super) text: &'w mut TextWriter,
    pub(super) out: &'w mut Vec<u8>,
    pub(super) descriptor: &'static Descriptor,
    /// Whether a capped label may leave series that do not exist yet.
    pub(super) capped: bool,
    /// Whether the series nothing has recorded to are left out.
    pub(super) quiet: bool,
}

impl SeriesWriter<'_> {
    /// Writes series `index`, whose value is `value`, unless the exposition
    /// leaves it out: nothing has recorded to it (`touched` false) and the
    /// family is quiet, or a capped label's value in it has not been met.
    #[allow(clippy::inline_always, reason = "the per-series path of every metric type's loop: one body, no calls")]
    #[inline(always)]
    pub fn write(&mut self, index: usize, value: Value<'_>, touched: bool) {
        if !touched && self.quiet {
            return;
        }
        if self.capped && !self.descriptor.series_exists(index) {
            return;
        }
        self.text.series(self.out, self.descriptor, index, &value);
    }
}

impl SeriesVisitor for SeriesWriter<'_> {
    fn series(&mut self, index: usize, value: Value<'_>) {
        self.write(index, value, true);
    }

    fn untouched(&mut self, index: usize, value: Value<'_>) {
        self.write(index, value, false);
    }

    fn exemplar(&mut self, index: usize, bucket: usize, exemplar: Exemplar<'_>) {
        self.text.exemplar(index, bucket, exemplar);
    }
}

/// The exemplars given for the next series: per bucket, the range of its
/// labels in `text`, its value and timestamp.
#[derive(Default)]
pub(super) struct Exemplars {
    pending: Vec<Pending>,
    text: Vec<u8>,
}

/// An exemplar given for the next series: the series index, the bucket,
/// the range of its labels in the text, its value and timestamp.
type Pending = (usize, usize, std::ops::Range<usize>, f64, Option<f64>);

impl Exemplars {
    fn push(&mut self, index: usize, bucket: usize, exemplar: Exemplar<'_>) {
        let start = self.text.len();
        self.text.extend_from_slice(exemplar.labels.as_bytes());
        self.pending.push((index, bucket, start..self.text.len(), exemplar.value, exemplar.timestamp));
    }

    fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    fn clear(&mut self) {
        self.pending.clear();
        self.text.clear();
    }

    /// The labels (`name="value",...`), value and timestamp of the exemplar
    /// of bucket `bucket` of series `index`, if it has one.
    pub(super) fn get(&self, index: usize, bucket: usize) -> Option<(&[u8], f64, Option<f64>)> {
        let (_, _, labels, value, timestamp) = self.pending.iter().find(|e| e.0 == index && e.1 == bucket)?;
        Some((&self.text[labels.clone()], *value, *timestamp))
    }
}

/// The start of each series line of a family, from the series index. The
/// label text is the escaped values computed when the label types were
/// declared, copied as is.
///
/// Series are numbered with the last label varying fastest, so a family's
/// series come in rows: consecutive series that differ only in the last
/// label. `prefix` holds the line start of one row up to the last label's
/// value (`name{a="x",b="`), built when a series of another row comes, and
/// `tails` each value of the last label with the end of the line start
/// (`v"} `), built once per family. A series line starts with the two,
/// copied as they are; a family without labels has one row and one tail
/// (`} ` or ` `).
///
/// Series usually come in index order: then the row and the value of the
/// last label are stepped, without dividing.
#[derive(Default)]
struct SeriesLabels {
    labels: &'static [Label],
    /// The constant labels, `name="value",...`, written before a series'
    /// own.
    constants: Vec<u8>,
    /// `name suffix{`, the constant labels and the labels before the last,
    /// up to the last label's value; without labels, `name suffix{constants`
    /// (or `name suffix` with no constant labels either).
    prefix: Vec<u8>,
    /// The length of `name suffix{` (or `name suffix`) in `prefix`.
    head: usize,
    /// The row whose text `prefix` holds; `usize::MAX` for none yet.
    prefix_row: usize,
    /// Series per row: the last label's cardinality (at least 1).
    per_row: usize,
    /// For each value of the last label, its text to the end of the line
    /// start: `value"} `, back to back; value `v`'s is
    /// `tails[tail_starts[v]..tail_starts[v + 1]]`.
    tails: Vec<u8>,
    tail_starts: Vec<usize>,
    /// The same tails in fixed-size blocks, when every one fits (empty
    /// otherwise): a series copies a whole block, a copy of constant size
    /// that needs no call to `memcpy`, and drops the bytes after its tail.
    short_tails: Vec<ShortTail>,
    /// The bytes at the end of every tail that close the labels (`} `, or
    /// ` ` without braces): what the label text leaves out.
    tail_close: usize,
    /// The index expected next (the last one written + 1), and its row and
    /// position in the row.
    next: usize,
    row: usize,
    column: usize,
    /// The label text of series `rendered_index` (`usize::MAX`: none), as
    /// [`render`](Self::render) gives it.
    rendered: Vec<u8>,
    rendered_index: usize,
}

impl SeriesLabels {
    /// Sets the constant labels of the exposition.
    fn constants(&mut self, text: &str) {
        self.constants.clear();
        self.constants.extend_from_slice(text.as_bytes());
    }

    /// Prepares for a family with these labels whose scalar lines are named
    /// `name` + `suffix`.
    fn family(&mut self, labels: &'static [Label], name: &str, suffix: &str) {
        self.labels = labels;
        let braces = !labels.is_empty() || !self.constants.is_empty();
        self.prefix.clear();
        self.prefix.extend_from_slice(name.as_bytes());
        self.prefix.extend_from_slice(suffix.as_bytes());
        if braces {
            self.prefix.push(b'{');
        }
        self.head = self.prefix.len();
        self.tails.clear();
        self.tail_starts.clear();
        self.tail_starts.push(0);
        self.tail_close = if braces { 2 } else { 1 };
        match labels.last() {
            Some(last) => {
                self.per_row = last.cardinality().max(1);
                for value in 0..self.per_row {
                    self.tails.extend_from_slice(last.escaped_value(value).as_bytes());
                    self.tails.extend_from_slice(b"\"} ");
                    self.tail_starts.push(self.tails.len());
                }
                self.prefix_row = usize::MAX;
            }
            None => {
                self.per_row = 1;
                self.prefix.extend_from_slice(&self.constants);
                self.tails.extend_from_slice(if braces { b"} " } else { b" " });
                self.tail_starts.push(self.tails.len());
                self.prefix_row = 0;
            }
        }
        self.short_tails.clear();
        if self.tail_starts.windows(2).all(|w| w[1] - w[0] <= SHORT_TAIL) {
            for w in self.tail_starts.windows(2) {
                let mut bytes = [0; SHORT_TAIL];
                bytes[..w[1] - w[0]].copy_from_slice(&self.tails[w[0]..w[1]]);
                self.short_tails.push(ShortTail { bytes, len: w[1] - w[0] });
            }
        }
        self.next = 0;
        self.row = 0;
        self.column = 0;
        self.rendered_index = usize::MAX;
    }

    /// Rewrites `prefix` for row `row`: the values of the labels before the
    /// last, decoded from it.
    #[inline(never)]
    fn build_row(&mut self, row: usize) {
        let Some((last, leading)) = self.labels.split_last() else { return };
        self.prefix.truncate(self.head);
        self.prefix.extend_from_slice(&self.constants);
        let mut comma = !self.constants.is_empty();
        for (i, label) in leading.iter().enumerate() {
            // A row's leading labels are those of its first series.
            let value = metricate_spec::value_index(self.labels, row.saturating_mul(self.per_row), i);
            if comma {
                self.prefix.push(b',');
            }
            comma = true;
            self.prefix.extend_from_slice(label.name.as_bytes());
            self.prefix.extend_from_slice(b"=\"");
            self.prefix.extend_from_slice(label.escaped_value(value).as_bytes());
            self.prefix.push(b'"');
        }
        if comma {
            self.prefix.push(b',');
        }
        self.prefix.extend_from_slice(last.name.as_bytes());
        self.prefix.extend_from_slice(b"=\"");
        self.prefix_row = row;
    }

    /// The tail of value `column` of the last label.
    #[inline]
    fn tail(&self, column: usize) -> &[u8] {
        &self.tails[self.tail_starts[column]..self.tail_starts[column + 1]]
    }

    /// Appends `name{labels} ` of series `index` to `out`: a scalar sample
    /// line up to its value.
    #[allow(clippy::inline_always, reason = "the per-series path of every metric type's loop: one body, no calls")]
    #[inline(always)]
    fn write_line(&mut self, out: &mut Vec<u8>, index: usize) {
        if index != self.next {
            self.row = index / self.per_row;
            self.column = index % self.per_row;
        }
        if self.row != self.prefix_row {
            self.build_row(self.row);
        }
        out.extend_from_slice(&self.prefix);
        match self.short_tails.get(self.column) {
            Some(tail) => {
                let end = out.len() + tail.len;
                out.extend_from_slice(&tail.bytes);
                out.truncate(end);
            }
            None => out.extend_from_slice(self.tail(self.column)),
        }
        self.next = index.wrapping_add(1);
        self.column += 1;
        if self.column == self.per_row {
            self.column = 0;
            self.row = self.row.wrapping_add(1);
        }
    }

    /// The `name="value",...` text of series `index`, without braces.
    fn render(&mut self, index: usize) -> &[u8] {
        if index != self.rendered_index {
            let (row, column) = (index / self.per_row, index % self.per_row);
            if row != self.prefix_row {
                self.build_row(row);
            }
            let tail = &self.tails[self.tail_starts[column]..self.tail_starts[column + 1]];
            self.rendered.clear();
            self.rendered.extend_from_slice(&self.prefix[self.head..]);
            self.rendered.extend_from_slice(&tail[..tail.len() - self.tail_close]);
            self.rendered_index = index;
        }
        &self.rendered
    }
}

/// The longest tail kept in a fixed-size block.
const SHORT_TAIL: usize = 16;

/// A tail of at most [`SHORT_TAIL`] bytes, zero-padded to that size.
struct ShortTail {
    bytes: [u8; SHORT_TAIL],
    len: usize,
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

/// Writes an integer in decimal, the digits straight into `out`: room for
/// the longest number is added with a copy of constant size, the digits are
/// written in place, two at a time from a table (as `itoa` does), and what
/// is left of the room is dropped. The same text as `itoa`, without a buffer
/// of its own and the copy out of it.
#[inline]
pub(super) fn write_u64(out: &mut Vec<u8>, v: u64) {
    let len = v.checked_ilog10().map_or(1, |log| log as usize + 1);
    let start = out.len();
    out.extend_from_slice(&[0; 20]);
    fill_digits(&mut out[start..start + len], v);
    out.truncate(start + len);
}

/// Writes a signed integer in decimal: `-`, then its magnitude.
#[inline]
pub(super) fn write_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_u64(out, v.unsigned_abs());
}

/// The decimal digits of 0 to 99, two by two.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Fills `digits`, exactly as long as `v` has digits, with them.
#[inline]
fn fill_digits(digits: &mut [u8], v: u64) {
    let pair = |n: usize| &DIGIT_PAIRS[2 * n..2 * n + 2];
    let mut end = digits.len();
    let mut v = v;
    while v >= 10_000 {
        let rest = (v % 10_000) as usize;
        v /= 10_000;
        digits[end - 4..end - 2].copy_from_slice(pair(rest / 100));
        digits[end - 2..end].copy_from_slice(pair(rest % 100));
        end -= 4;
    }
    let mut v = v as usize;
    if v >= 100 {
        digits[end - 2..end].copy_from_slice(pair(v % 100));
        v /= 100;
        end -= 2;
    }
    if v >= 10 {
        digits[end - 2..end].copy_from_slice(pair(v));
    } else {
        digits[end - 1] = b'0' + v as u8;
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

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn integers_are_written_as_itoa_writes_them() {
        let mut values: Vec<u64> = vec![0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 99_999, 100_000, u64::MAX];
        for power in 0..20 {
            let p = 10u64.pow(power);
            values.extend([p - 1, p, p + 1, p.saturating_mul(7) / 3]);
        }
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x >> (x % 64));
        }
        let mut out = b"x".to_vec();
        for v in values {
            out.truncate(1);
            write_u64(&mut out, v);
            assert_eq!(&out[1..], itoa::Buffer::new().format(v).as_bytes());
            for signed in [v as i64, (v as i64).wrapping_neg(), i64::MIN, i64::MAX] {
                out.truncate(1);
                write_i64(&mut out, signed);
                assert_eq!(&out[1..], itoa::Buffer::new().format(signed).as_bytes());
            }
        }
    }

    #[test]
    fn long_and_short_tails_make_the_same_lines() {
        static SHORT: [&str; 2] = ["a", "b"];
        static LONG: [&str; 2] = ["a", "a value longer than a short tail"];
        for values in [&SHORT, &LONG] {
            let labels: &'static [Label] = Box::leak(Box::new([
                Label::new("x", &SHORT, &SHORT, false, None),
                Label::new("y", values, values, true, None),
            ]));
            let mut series = SeriesLabels::default();
            series.constants("c=\"1\"");
            series.family(labels, "m", "_total");
            assert_eq!(series.short_tails.is_empty(), values == &LONG);
            let mut out = Vec::new();
            for index in [0, 1, 2, 3, 5, 4, 1] {
                series.write_line(&mut out, index);
                out.push(b'|');
            }
            let y = |i: usize| if i == 2 { Label::UNKNOWN } else { values[i] };
            let mut expected = String::new();
            for i in [0, 1, 2, 3, 5, 4, 1] {
                write!(expected, "m_total{{c=\"1\",x=\"{}\",y=\"{}\"}} |", SHORT[i / 3], y(i % 3)).unwrap();
            }
            assert_eq!(String::from_utf8(out).unwrap(), expected);
            assert_eq!(series.render(4), format!("c=\"1\",x=\"b\",y=\"{}\"", values[1]).as_bytes());
        }
    }
}
