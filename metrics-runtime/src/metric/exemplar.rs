//! Exemplars: a counter's or a histogram bucket's latest example, with the
//! labels (a trace id) that lead from the metric to one request.
//!
//! Opt-in per metric by its type: [`ExemplarCounter`] and
//! [`ExemplarHistogram`] (and `Family<L, ExemplarCounter>`,
//! `Family<L, ExemplarHistogram>`) record like [`Counter`](super::Counter)
//! and [`Histogram`](super::Histogram), and keep one exemplar per series
//! (per bucket for a histogram): the latest wins. The labels come from the
//! call (`inc_with_exemplar`, `observe_with_exemplar`) or, for plain `inc`
//! and `observe`, from the program's [`ExemplarSource`] (the current trace
//! id), if one is set: with the feature `opentelemetry`,
//! `OpenTelemetryExemplars` gives the current span's trace and span ids.
//! Only OpenMetrics writes them.
//!
//! # Storage
//!
//! An exemplar lives in a fixed slot of [`SLOT_WORDS`] atomic words (704
//! bytes) per series and bucket: its labels as rendered text (at most 128
//! characters of names and values, as OpenMetrics allows), its value and
//! its timestamp, behind a sequence number. Recording copies into the slot
//! without allocating; a recorder that finds another one writing the same
//! slot leaves it to that one (the latest wins either way). A reader copies
//! the slot and keeps the copy only if the sequence number did not move, so
//! a torn exemplar is never written.
//!
//! ```
//! use metricate::encode::Format;
//! use metricate::{ExemplarCounter, Metrics, Registry};
//!
//! #[derive(Metrics)]
//! #[metrics(subsystem = "doc_exemplar")]
//! struct Api {
//!     /// Requests served.
//!     requests_total: ExemplarCounter,
//! }
//!
//! let api = Api::new_unregistered();
//! api.requests_total.inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6")]);
//! let mut registry = Registry::new();
//! registry.register_group(&api).unwrap();
//! let mut out = Vec::new();
//! Format::OpenMetrics.encode(&registry, &mut out);
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.contains("metrics_doc_exemplar_requests_total 1 # {trace_id=\"4bf92f3577b34da6\"} 1.0 "));
//! ```

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering, fence};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use metricate_spec::MetricKind;

#[cfg(feature = "opentelemetry")]
mod otel;
#[cfg(feature = "opentelemetry")]
pub use otel::OpenTelemetryExemplars;

use super::histogram::{self, CELLS_BASE as HISTOGRAM_BASE};
use super::{Collect, Metric, ReadScratch, SeriesCells, SeriesVisitor, Storage, Value};
use crate::self_metrics::{InvalidSample, reject};

/// The most characters of label names and values an exemplar carries
/// (OpenMetrics' limit).
pub const MAX_EXEMPLAR_CHARS: usize = 128;

/// The bytes of rendered label text a slot holds: 128 characters at 4
/// bytes, plus the `=""` and `,` of up to 128 one-character names with
/// empty values, rounded up to whole words.
const TEXT_BYTES: usize = 672;
const TEXT_WORDS: usize = TEXT_BYTES / 8;

/// The atomic words of one exemplar slot: sequence, value, timestamp,
/// length, text.
pub const SLOT_WORDS: usize = 4 + TEXT_WORDS;

const SEQ: usize = 0;
const VALUE: usize = 1;
const TIME: usize = 2;
const LEN: usize = 3;
const TEXT: usize = 4;

/// One exemplar as a reader sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exemplar<'a> {
    /// The labels, rendered and escaped: `trace_id="…",span_id="…"`.
    pub labels: &'a str,
    /// The value: the increment, or the observation.
    pub value: f64,
    /// When it was recorded, in seconds since the Unix epoch.
    pub timestamp: Option<f64>,
}

/// An exemplar's labels, checked and rendered into a fixed buffer: what an
/// [`ExemplarSource`] fills in. Names follow the label name grammar
/// (`[a-zA-Z_][a-zA-Z0-9_]*`), each once; names and values together hold at
/// most [`MAX_EXEMPLAR_CHARS`] characters.
pub struct ExemplarLabels {
    text: [u8; TEXT_BYTES],
    len: usize,
    chars: usize,
    /// The names so far, each followed by a `,` (names are ASCII, at most
    /// 128 characters in all): to refuse a name given twice.
    names: [u8; 2 * MAX_EXEMPLAR_CHARS],
    names_len: usize,
    /// Set when a label was refused: the exemplar is not recorded.
    invalid: bool,
}

impl ExemplarLabels {
    fn new() -> ExemplarLabels {
        ExemplarLabels {
            text: [0; TEXT_BYTES],
            len: 0,
            chars: 0,
            names: [0; 2 * MAX_EXEMPLAR_CHARS],
            names_len: 0,
            invalid: false,
        }
    }

    /// Adds a label. One that breaks the rules (a name outside the grammar
    /// or given twice, more than 128 characters in all) makes the whole
    /// exemplar invalid: it is not recorded, and counted in
    /// `metrics_export_invalid_samples_total{reason="exemplar"}`.
    pub fn push(&mut self, name: &str, value: &str) {
        self.chars += name.len() + value.chars().count();
        let twice = self.names[..self.names_len].split(|b| *b == b',').any(|n| n == name.as_bytes());
        if self.invalid || !valid_name(name) || twice || self.chars > MAX_EXEMPLAR_CHARS {
            self.invalid = true;
            return;
        }
        self.names[self.names_len..self.names_len + name.len()].copy_from_slice(name.as_bytes());
        self.names[self.names_len + name.len()] = b',';
        self.names_len += name.len() + 1;
        let (text, len) = (&mut self.text, &mut self.len);
        render(name, value, *len == 0, &mut |bytes| {
            // Within 128 characters the text always fits (see `TEXT_BYTES`).
            let end = (*len + bytes.len()).min(TEXT_BYTES);
            text[*len..end].copy_from_slice(&bytes[..end - *len]);
            *len = end;
        });
    }
}

/// Whether a label name follows the grammar `[a-zA-Z_][a-zA-Z0-9_]*`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().enumerate().all(|(i, b)| b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit()))
}

/// Whether labels given by the call follow the rules of
/// [`ExemplarLabels::push`].
fn valid(labels: &[(&str, &str)]) -> bool {
    let bytes: usize = labels.iter().map(|(name, value)| name.len() + value.len()).sum();
    // Characters are at most bytes: count them only when the bytes are many.
    let chars = if bytes <= MAX_EXEMPLAR_CHARS {
        bytes
    } else {
        labels.iter().map(|(name, value)| name.len() + value.chars().count()).sum()
    };
    chars <= MAX_EXEMPLAR_CHARS
        && labels
            .iter()
            .enumerate()
            .all(|(i, (name, _))| valid_name(name) && labels[..i].iter().all(|(n, _)| n != name))
}

/// Renders `name="value"` (after a `,` unless `first`), escaping the value,
/// into `out` a run of bytes at a time.
#[inline]
fn render(name: &str, value: &str, first: bool, out: &mut impl FnMut(&[u8])) {
    if !first {
        out(b",");
    }
    out(name.as_bytes());
    out(b"=\"");
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let escaped: &[u8] = match byte {
            b'\\' => b"\\\\",
            b'"' => b"\\\"",
            b'\n' => b"\\n",
            _ => continue,
        };
        out(&bytes[start..i]);
        out(escaped);
        start = i + 1;
    }
    out(&bytes[start..]);
    out(b"\"");
}

/// Supplies the labels of an exemplar at record time, e.g. the trace id of
/// the current span, for [`ExemplarCounter::inc`] and
/// [`ExemplarHistogram::observe`]. Set one per process with
/// [`set_exemplar_source`]; with none, those record no exemplar.
pub trait ExemplarSource: Send + Sync {
    /// Adds the current labels with [`ExemplarLabels::push`]; adding none
    /// records no exemplar (e.g. outside any trace).
    fn labels(&self, labels: &mut ExemplarLabels);
}

static SOURCE: OnceLock<Box<dyn ExemplarSource>> = OnceLock::new();

unit_error! {
    /// The process already has its exemplar source.
    SourceAlreadySet,
    "the exemplar source is set already: one per process"
}

/// Sets the process's exemplar source, once.
pub fn set_exemplar_source(source: impl ExemplarSource + 'static) -> Result<(), SourceAlreadySet> {
    SOURCE.set(Box::new(source)).map_err(|_| SourceAlreadySet)
}

/// Records an exemplar from the source, if any and it gives labels.
#[inline]
fn from_source(slot: &[AtomicU64], value: f64) {
    if let Some(source) = SOURCE.get() {
        let mut labels = ExemplarLabels::new();
        source.labels(&mut labels);
        if labels.invalid {
            return reject(InvalidSample::Exemplar);
        }
        if labels.len > 0 {
            let text = &labels.text[..labels.len];
            write(slot, value, |words| words.put(text));
        }
    }
}

/// Records an exemplar of labels given by the call: rendered on the stack
/// when short (a trace id is), else straight into the slot.
fn from_call(slot: &[AtomicU64], value: f64, labels: &[(&str, &str)]) {
    if !valid(labels) {
        return reject(InvalidSample::Exemplar);
    }
    let mut short = [0u8; 96];
    let mut len = 0;
    let mut fits = true;
    for (i, (name, value)) in labels.iter().enumerate() {
        render(name, value, i == 0, &mut |bytes| match short.get_mut(len..len + bytes.len()) {
            Some(to) => {
                to.copy_from_slice(bytes);
                len += bytes.len();
            }
            None => fits = false,
        });
    }
    if fits {
        let text = &short[..len];
        write(slot, value, |words| words.put(text));
        return;
    }
    write(slot, value, |words| {
        for (i, (name, value)) in labels.iter().enumerate() {
            render(name, value, i == 0, &mut |bytes| words.put(bytes));
        }
    });
}

/// Packs bytes into a slot's text words, eight to a word.
struct Words<'s> {
    words: &'s [AtomicU64],
    word: u64,
    len: usize,
}

impl Words<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        let mut bytes = &bytes[..bytes.len().min(TEXT_BYTES - self.len)];
        // Fill the word begun, then whole words, then begin the next.
        while !self.len.is_multiple_of(8) {
            let Some((&byte, rest)) = bytes.split_first() else { return };
            self.push(byte);
            bytes = rest;
        }
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word =
                u64::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7]]);
            self.words[self.len / 8].store(word, Ordering::Relaxed);
            self.len += 8;
        }
        for &byte in chunks.remainder() {
            self.push(byte);
        }
    }

    #[inline]
    fn push(&mut self, byte: u8) {
        self.word |= u64::from(byte) << (8 * (self.len % 8));
        self.len += 1;
        if self.len.is_multiple_of(8) {
            self.words[self.len / 8 - 1].store(self.word, Ordering::Relaxed);
            self.word = 0;
        }
    }
}

/// Writes an exemplar into a slot, its text from `text`, unless another
/// recorder is writing it.
#[inline]
fn write(slot: &[AtomicU64], value: f64, text: impl FnOnce(&mut Words<'_>)) {
    let seq = slot[SEQ].load(Ordering::Relaxed);
    if seq % 2 == 1 || slot[SEQ].compare_exchange(seq, seq + 1, Ordering::Acquire, Ordering::Relaxed).is_err() {
        // Another recorder is writing this slot: its exemplar is as recent.
        return;
    }
    let time = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let mut words = Words { words: &slot[TEXT..], word: 0, len: 0 };
    text(&mut words);
    if !words.len.is_multiple_of(8) {
        slot[TEXT + words.len / 8].store(words.word, Ordering::Relaxed);
    }
    slot[VALUE].store(value.to_bits(), Ordering::Relaxed);
    slot[TIME].store(time.to_bits(), Ordering::Relaxed);
    slot[LEN].store(words.len as u64, Ordering::Relaxed);
    slot[SEQ].store(seq + 2, Ordering::Release);
}

/// Reads a slot into `buffer`: the exemplar, if one was recorded and the
/// read was not torn by a recorder (it retries a few times, then gives up
/// until the next read).
fn read<'b>(slot: &[AtomicU64], buffer: &'b mut [u8; TEXT_BYTES]) -> Option<Exemplar<'b>> {
    for _ in 0..8 {
        let before = slot[SEQ].load(Ordering::Acquire);
        if before == 0 {
            return None;
        }
        if before % 2 == 1 {
            std::hint::spin_loop();
            continue;
        }
        let value = f64::from_bits(slot[VALUE].load(Ordering::Relaxed));
        let time = f64::from_bits(slot[TIME].load(Ordering::Relaxed));
        let len = usize::try_from(slot[LEN].load(Ordering::Relaxed)).unwrap_or(0).min(TEXT_BYTES);
        for (chunk, word) in buffer[..len.next_multiple_of(8).min(TEXT_BYTES)].chunks_mut(8).zip(&slot[TEXT..]) {
            chunk.copy_from_slice(&word.load(Ordering::Relaxed).to_le_bytes()[..chunk.len()]);
        }
        fence(Ordering::Acquire);
        if slot[SEQ].load(Ordering::Relaxed) == before {
            let labels = std::str::from_utf8(&buffer[..len]).ok()?;
            return Some(Exemplar { labels, value, timestamp: Some(time) });
        }
    }
    None
}

/// Hands the exemplars of one series' slots to the visitor.
fn visit(slots: &[AtomicU64], index: usize, visitor: &mut dyn SeriesVisitor) {
    let mut buffer = [0u8; TEXT_BYTES];
    for (bucket, slot) in slots.chunks_exact(SLOT_WORDS).enumerate() {
        if let Some(exemplar) = read(slot, &mut buffer) {
            visitor.exemplar(index, bucket, exemplar);
        }
    }
}

/// A [`Counter`](super::Counter) whose series carry their latest exemplar
/// (see [the module docs](self)).
pub struct ExemplarCounter {
    cells: Storage<AtomicU64>,
}

/// Cells of an exemplar counter series: the count, then one slot.
const COUNTER_CELLS: usize = 1 + SLOT_WORDS;

impl ExemplarCounter {
    /// Adds one, with an exemplar from the process's source if it gives one.
    #[inline]
    pub fn inc(&self) {
        counter_ref(&self.cells).inc();
    }

    /// Adds `n`, with an exemplar from the source.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        counter_ref(&self.cells).inc_by(n);
    }

    /// Adds one, with an exemplar of these labels.
    pub fn inc_with_exemplar(&self, labels: &[(&str, &str)]) {
        counter_ref(&self.cells).inc_with_exemplar(labels);
    }

    /// Adds `n`, with an exemplar of these labels.
    pub fn inc_by_with_exemplar(&self, n: u64, labels: &[(&str, &str)]) {
        counter_ref(&self.cells).inc_by_with_exemplar(n, labels);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.cells[0].load(Ordering::Relaxed)
    }

    #[doc(hidden)]
    pub const fn __from_static(cells: &'static [AtomicU64], _bounds: &'static [f64]) -> ExemplarCounter {
        ExemplarCounter { cells: Storage::Static(cells) }
    }
}

impl fmt::Debug for ExemplarCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExemplarCounter").field("value", &self.get()).finish_non_exhaustive()
    }
}

fn counter_ref(cells: &[AtomicU64]) -> ExemplarCounterRef<'_> {
    ExemplarCounterRef { cells }
}

/// One series of an exemplar counter [`Family`](super::Family).
#[derive(Clone, Copy)]
pub struct ExemplarCounterRef<'a> {
    cells: &'a [AtomicU64],
}

impl ExemplarCounterRef<'_> {
    /// Adds one, with an exemplar from the process's source.
    #[inline]
    pub fn inc(self) {
        self.inc_by(1);
    }

    /// Adds `n`, with an exemplar from the source.
    #[inline]
    pub fn inc_by(self, n: u64) {
        self.cells[0].fetch_add(n, Ordering::Relaxed);
        from_source(&self.cells[1..], n as f64);
    }

    /// Adds one, with an exemplar of these labels.
    pub fn inc_with_exemplar(self, labels: &[(&str, &str)]) {
        self.inc_by_with_exemplar(1, labels);
    }

    /// Adds `n`, with an exemplar of these labels.
    pub fn inc_by_with_exemplar(self, n: u64, labels: &[(&str, &str)]) {
        self.cells[0].fetch_add(n, Ordering::Relaxed);
        from_call(&self.cells[1..], n as f64, labels);
    }

    /// The current value.
    pub fn get(self) -> u64 {
        self.cells[0].load(Ordering::Relaxed)
    }
}

impl fmt::Debug for ExemplarCounterRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExemplarCounterRef").field("value", &self.get()).finish_non_exhaustive()
    }
}

impl Metric for ExemplarCounter {
    const KIND: MetricKind = MetricKind::Counter;
    const EXEMPLARS: bool = true;
    type Cell = AtomicU64;
    const CELLS: SeriesCells = SeriesCells::fixed(COUNTER_CELLS);
    type Handle<'a> = ExemplarCounterRef<'a>;
    type Reader = ();
    const READER: () = ();

    #[inline]
    fn handle<'a>(cells: &'a [AtomicU64], series: usize, _bounds: &'static [f64]) -> ExemplarCounterRef<'a> {
        ExemplarCounterRef { cells: &cells[series * COUNTER_CELLS..(series + 1) * COUNTER_CELLS] }
    }

    fn read<'s>(cells: &[AtomicU64], _: &'s [f64], _: &'s mut ReadScratch, &(): &(), _: usize) -> Value<'s> {
        Value::Unsigned(cells[0].load(Ordering::Relaxed))
    }

    fn touched(cells: &[AtomicU64]) -> bool {
        cells[0].load(Ordering::Relaxed) != 0
    }

    fn exemplars(cells: &[AtomicU64], _bounds: &[f64], index: usize, visitor: &mut dyn SeriesVisitor) {
        visit(&cells[1..], index, visitor);
    }
}

super::series_field!(ExemplarCounter, |_bounds| ExemplarCounter {
    cells: Storage::heap(COUNTER_CELLS, || AtomicU64::new(0))
});

impl Collect for ExemplarCounter {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        let value = self.get();
        visit(&self.cells[1..], 0, visitor);
        if value != 0 {
            visitor.series(0, Value::Unsigned(value));
        } else {
            visitor.untouched(0, Value::Unsigned(value));
        }
    }

    fn __series_at(&self, address: usize) -> Option<usize> {
        (self.cells.as_ptr().addr() == address).then_some(0)
    }
}

/// A [`Histogram`](super::Histogram) whose buckets carry their latest
/// exemplar (see [the module docs](self)).
pub struct ExemplarHistogram {
    cells: Storage<AtomicU64>,
    bounds: &'static [f64],
}

/// Cells of a histogram series with `bounds` finite bounds: the
/// histogram's, then one slot per bucket.
const fn histogram_cells(bounds: usize) -> usize {
    <ExemplarHistogram as Metric>::CELLS.len(bounds)
}

impl ExemplarHistogram {
    /// Records one observation, with an exemplar from the process's source
    /// in its bucket. NaN is rejected and counted.
    #[inline]
    pub fn observe(&self, v: f64) {
        self.series().observe(v);
    }

    /// Records one observation with an exemplar of these labels.
    pub fn observe_with_exemplar(&self, v: f64, labels: &[(&str, &str)]) {
        self.series().observe_with_exemplar(v, labels);
    }

    /// Records a duration, in seconds.
    pub fn observe_duration(&self, d: Duration) {
        self.observe(d.as_secs_f64());
    }

    /// Starts a timer that observes the elapsed seconds when dropped.
    pub fn start_timer(&self) -> ExemplarTimer<'_> {
        self.series().start_timer()
    }

    /// The finite bucket bounds.
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    fn series(&self) -> ExemplarHistogramRef<'_> {
        ExemplarHistogramRef { cells: &self.cells, bounds: self.bounds }
    }

    /// Reads the histogram as a scrape does.
    pub fn snapshot(&self) -> histogram::HistogramSnapshot {
        histogram::HistogramSnapshot::read(&self.cells[..HISTOGRAM_BASE + 2 * self.bounds.len()], self.bounds)
    }

    #[doc(hidden)]
    pub const fn __from_static(cells: &'static [AtomicU64], bounds: &'static [f64]) -> ExemplarHistogram {
        ExemplarHistogram { cells: Storage::Static(cells), bounds }
    }
}

impl fmt::Debug for ExemplarHistogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExemplarHistogram").field("bounds", &self.bounds).finish_non_exhaustive()
    }
}

/// One series of an exemplar histogram [`Family`](super::Family).
#[derive(Clone, Copy)]
pub struct ExemplarHistogramRef<'a> {
    cells: &'a [AtomicU64],
    bounds: &'static [f64],
}

impl<'a> ExemplarHistogramRef<'a> {
    /// Records one observation, with an exemplar from the process's source.
    #[inline]
    pub fn observe(self, v: f64) {
        if let Some(slot) = self.record(v) {
            from_source(slot, v);
        }
    }

    /// Records one observation with an exemplar of these labels.
    pub fn observe_with_exemplar(self, v: f64, labels: &[(&str, &str)]) {
        if let Some(slot) = self.record(v) {
            from_call(slot, v, labels);
        }
    }

    /// Records `v` into its bucket and returns that bucket's exemplar slot;
    /// rejects (and counts) NaN.
    #[inline]
    fn record(self, v: f64) -> Option<&'a [AtomicU64]> {
        if v.is_nan() {
            reject(InvalidSample::Nan);
            return None;
        }
        let bucket = histogram::bucket_index(self.bounds, v);
        let (values, slots) = self.cells.split_at(HISTOGRAM_BASE + 2 * self.bounds.len());
        histogram::observe_in(values, self.bounds.len(), bucket, v);
        Some(&slots[bucket * SLOT_WORDS..(bucket + 1) * SLOT_WORDS])
    }

    /// Records a duration, in seconds.
    pub fn observe_duration(self, d: Duration) {
        self.observe(d.as_secs_f64());
    }

    /// Starts a timer that observes the elapsed seconds when dropped.
    pub fn start_timer(self) -> ExemplarTimer<'a> {
        ExemplarTimer { histogram: self, start: Instant::now() }
    }
}

impl fmt::Debug for ExemplarHistogramRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExemplarHistogramRef").field("bounds", &self.bounds).finish_non_exhaustive()
    }
}

/// Records the time since it was started when dropped, with an exemplar
/// from the source.
#[must_use = "the timer records when dropped; dropping it at once records ~0s"]
pub struct ExemplarTimer<'a> {
    histogram: ExemplarHistogramRef<'a>,
    start: Instant,
}

impl Drop for ExemplarTimer<'_> {
    fn drop(&mut self) {
        self.histogram.observe_duration(self.start.elapsed());
    }
}

impl Metric for ExemplarHistogram {
    const KIND: MetricKind = MetricKind::Histogram;
    const EXEMPLARS: bool = true;
    type Cell = AtomicU64;
    const CELLS: SeriesCells = SeriesCells::per_bound(HISTOGRAM_BASE + SLOT_WORDS, 2 + SLOT_WORDS);
    type Handle<'a> = ExemplarHistogramRef<'a>;
    type Reader = ();
    const READER: () = ();

    #[inline]
    fn handle<'a>(cells: &'a [AtomicU64], series: usize, bounds: &'static [f64]) -> ExemplarHistogramRef<'a> {
        let stride = histogram_cells(bounds.len());
        ExemplarHistogramRef { cells: &cells[series * stride..(series + 1) * stride], bounds }
    }

    fn read<'s>(cells: &[AtomicU64], bounds: &'s [f64], scratch: &'s mut ReadScratch, &(): &(), _: usize) -> Value<'s> {
        histogram::read(&cells[..HISTOGRAM_BASE + 2 * bounds.len()], bounds, scratch)
    }

    fn touched(cells: &[AtomicU64]) -> bool {
        histogram::touched(cells)
    }

    fn exemplars(cells: &[AtomicU64], bounds: &[f64], index: usize, visitor: &mut dyn SeriesVisitor) {
        visit(&cells[HISTOGRAM_BASE + 2 * bounds.len()..], index, visitor);
    }
}

super::series_field!(ExemplarHistogram, |bounds| ExemplarHistogram {
    cells: Storage::heap(histogram_cells(bounds.len()), || AtomicU64::new(0)),
    bounds
});

impl Collect for ExemplarHistogram {
    fn collect(&self, visitor: &mut dyn SeriesVisitor) {
        <ExemplarHistogram as Metric>::exemplars(&self.cells, self.bounds, 0, visitor);
        let mut scratch = ReadScratch::new();
        let value = <ExemplarHistogram as Metric>::read(&self.cells, self.bounds, &mut scratch, &(), 0);
        if histogram::touched(&self.cells) { visitor.series(0, value) } else { visitor.untouched(0, value) }
    }

    fn __series_at(&self, address: usize) -> Option<usize> {
        (self.cells.as_ptr().addr() == address).then_some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ExemplarLabels {
        fn of(labels: &[(&str, &str)]) -> ExemplarLabels {
            let mut out = ExemplarLabels::new();
            for (name, value) in labels {
                out.push(name, value);
            }
            assert_eq!(out.invalid, !valid(labels), "the two checks agree on {labels:?}");
            out
        }
    }

    #[test]
    fn labels_are_checked_and_escaped() {
        let labels = ExemplarLabels::of(&[("trace_id", "a\"b\\c\nd")]);
        assert!(!labels.invalid);
        assert_eq!(std::str::from_utf8(&labels.text[..labels.len]).unwrap(), "trace_id=\"a\\\"b\\\\c\\nd\"");
        assert!(ExemplarLabels::of(&[("9x", "1")]).invalid);
        assert!(ExemplarLabels::of(&[("", "1")]).invalid);
        assert!(!ExemplarLabels::of(&[("t", &"é".repeat(127))]).invalid);
        assert!(ExemplarLabels::of(&[("tt", &"é".repeat(127))]).invalid);
        assert!(ExemplarLabels::of(&[("a", "1"), ("a", "2")]).invalid, "a name twice");
        // 128 characters: 42 two-letter names with a quote each...
        let names: Vec<String> =
            (0..64).map(|i| format!("{}{}", (b'a' + i / 26) as char, (b'a' + i % 26) as char)).collect();
        let pairs: Vec<(&str, &str)> = names[..42].iter().map(|n| (n.as_str(), "\"")).collect();
        let labels = ExemplarLabels::of(&pairs);
        assert!(!labels.invalid);
        assert_eq!(labels.len, 42 * 8 - 1);
        assert!(ExemplarLabels::of(&[pairs.as_slice(), &[("zz", "12")]].concat()).invalid, "129 characters");
        // ...and 64 two-letter names with empty values.
        let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "")).collect();
        let labels = ExemplarLabels::of(&pairs);
        assert!(!labels.invalid);
        assert_eq!(labels.len, 64 * 6 - 1);
    }

    #[test]
    fn a_slot_reads_back_what_was_written_and_the_latest_wins() {
        let slot: Vec<AtomicU64> = (0..SLOT_WORDS).map(|_| AtomicU64::new(0)).collect();
        let mut buffer = [0u8; TEXT_BYTES];
        assert_eq!(read(&slot, &mut buffer), None);
        from_call(&slot, 0.5, &[("trace_id", "one")]);
        from_call(&slot, 0.25, &[("trace_id", "two"), ("span_id", "x\"y")]);
        let exemplar = read(&slot, &mut buffer).unwrap();
        assert_eq!(exemplar.labels, "trace_id=\"two\",span_id=\"x\\\"y\"");
        assert_eq!(exemplar.value, 0.25);
        assert!(exemplar.timestamp.is_some_and(|t| t > 1.0e9));
        // A writer in the middle of its write: the reader gives up, never
        // returning a torn exemplar.
        slot[SEQ].fetch_add(1, Ordering::Relaxed);
        assert_eq!(read(&slot, &mut buffer), None);
    }
}
