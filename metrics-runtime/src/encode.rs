//! Exposition: one [`Encoder`] trait, one file per format.
//!
//! [`encode`] walks an [`Exposition`] (the registry, or a snapshot) family by
//! family and has the encoder append text to a caller-owned buffer. Reusing
//! the buffer (and the encoder) across scrapes means a warmed-up scrape does
//! not allocate. Reading never blocks recorders: counters and gauges are
//! single atomic loads, and histograms use a lock that only readers take.
//!
//! Adding a format is one new file implementing [`Encoder`]. [`Format`]
//! names the built-in two, for negotiation and for [`Format::encode`]; each
//! is an [`Encoder`] like any other.
//!
//! # A straight write
//!
//! The two built-in formats write a family's series in one pass. Per family,
//! the metric is asked once (one dynamic call, `Collect::write_series`) to
//! hand all its series to a writer the two formats share; a metric's loop over
//! its cells is compiled per metric type and calls that writer directly, so
//! no series costs a call through a pointer. The writer keeps, per family,
//! the line start of the current *row* of series (all labels but the last,
//! `name{a="x",b="`), rebuilt only when the row changes, and each value of
//! the last label with the rest of the line start (`y"} `), built once per
//! family from the label text the declaration escaped at compile time. A
//! counter or gauge line is those two copies, then the number and a newline:
//! the bytes a hand-written writer of precomputed strings copies. (A short
//! tail is copied as a block of fixed size, and an integer's digits are
//! written in place in the output, which spares two calls to `memcpy` per
//! line; floats go through `ryu`.) What is not a scalar (a histogram's or a
//! summary's many lines) goes to its format's own code: each built-in format
//! gives the writer it shares one implementation of what it writes its own
//! way (the lines of such values, exemplars), in its file. OpenMetrics'
//! exemplars and `_created` samples are written after the line they belong
//! to.
//!
//! # A new metric type
//!
//! A metric type is its kind ([`MetricKind`](metricate_spec::MetricKind)
//! in `metricate-spec`: its `# TYPE` word, the suffixes of its samples, its
//! name rules), its module under `metric/` (storage, record path, its read
//! into a [`Value`]) and, when its values have a shape [`Value`] does not
//! have yet (a number, a histogram, a summary), that shape in [`Value`] and
//! in a snapshot's owned form. Then each format writes the shape in one
//! place: the two text formats in their own code (`prometheus.rs`,
//! `openmetrics.rs`), remote-write, OTLP, StatsD and the live stream in
//! their conversion of a value, the catalogue's dashboards and semantic
//! conventions in their output of the kind. Generic code (the series writer,
//! the exporters' sample counts, the catalogue's words and checks) asks the
//! kind or the value and needs no edit. `tests/tests/value_model.rs` holds
//! the code to it: the summary and the state set are named nowhere else.
//!
//! Families, single metrics, state sets and snapshots have such a loop;
//! the others (callbacks, process metrics, info metrics and exemplar metrics
//! without labels, one series each; [`Collect`] implementations outside this
//! crate) give their series through [`Collect::collect`] and a
//! [`SeriesVisitor`] into the same writer. Encoders other than the built-in
//! two get every series through [`Encoder::series`].
//!
//! # Quiet families
//!
//! A family exposes every combination of its label values from the first
//! scrape, zero until recorded to, which is what Prometheus recommends: a
//! query sees the series before its first event. A family declared
//! `#[metric(quiet)]` ([`Descriptor::quiet`]), a family over a label set
//! that is quiet by default ([`LabelSet::QUIET`](crate::LabelSet::QUIET): the
//! HTTP layer's, and derived sets marked `#[label(quiet)]`) unless its field
//! says `#[metric(quiet = false)]`, or every family of an encoder
//! made quiet ([`PrometheusText::quiet`], [`OpenMetrics::quiet`],
//! [`Format::encode_quiet`]), exposes only the series something has recorded
//! to: a counter or histogram above zero, a gauge ever set or added to (even
//! back at zero). A metric without labels always exposes its one series. A
//! family with no such series keeps its metadata lines and has no samples,
//! which both formats allow.

mod openmetrics;
mod prometheus;
mod text;

use metricate_spec::Descriptor;

pub use openmetrics::OpenMetrics;
pub use prometheus::PrometheusText;
#[doc(hidden)]
pub use text::{SeriesWriter, TextWriter};

/// A float in the spelling the encoders write (`1.0`, `0.005`, `+Inf`): a
/// bucket bound's one canonical `le` value, for the sinks that send labels
/// rather than text.
#[cfg(feature = "remote-write")]
pub(crate) fn canonical_f64(v: f64) -> String {
    let mut out = Vec::new();
    text::write_f64(&mut out, v);
    String::from_utf8(out).unwrap_or_default()
}

use crate::constant::ConstantLabels;
use crate::metric::{Collect, Exemplar, SeriesVisitor, Value};
use crate::registry::Registry;

/// Something encodable: a set of metric families in a fixed order.
pub trait Exposition {
    /// Calls `f` with each family's descriptor and state, in order.
    fn for_each_family<'s>(&'s self, f: &mut dyn FnMut(&'static Descriptor, &'s dyn Collect));

    /// The labels every series carries (see [`ConstantLabels`]); none unless
    /// the exposition says.
    fn constant_labels(&self) -> &ConstantLabels {
        crate::constant::none()
    }

    /// Whether OpenMetrics writes the `_created` sample of every counter,
    /// histogram and summary series, not only of those declared
    /// `#[metric(created)]`. `false` unless the exposition says.
    fn created_samples(&self) -> bool {
        false
    }

    /// Appends, after this exposition's families, those the program's other
    /// versions of this crate hold (see [the crate docs](crate#two-versions-in-one-program)):
    /// what the global registry's scrapes add. Nothing unless the exposition
    /// says.
    fn other_versions(&self, format: Format, out: &mut Vec<u8>) {
        let _ = (format, out);
    }
}

impl Exposition for Registry<'_> {
    fn for_each_family<'s>(&'s self, f: &mut dyn FnMut(&'static Descriptor, &'s dyn Collect)) {
        for entry in self.iter() {
            f(entry.descriptor, entry.metric);
        }
    }

    fn constant_labels(&self) -> &ConstantLabels {
        Registry::constant_labels(self)
    }

    fn other_versions(&self, format: Format, out: &mut Vec<u8>) {
        if self.is_global() {
            crate::versions::write_others(format, out);
        }
    }

    fn created_samples(&self) -> bool {
        Registry::created_samples(self)
    }
}

/// A text exposition format.
pub trait Encoder {
    /// The HTTP `Content-Type` of the output.
    fn content_type(&self) -> &'static str;
    /// Starts an exposition whose every series carries these labels
    /// (`name="value",...`, escaped; empty for none), and whose every
    /// counter, histogram and summary series has its `_created` sample
    /// (`created`; formats that have one). Encoders that ignore it leave
    /// them out.
    fn begin(&mut self, constant_labels: &str, created: bool) {
        let _ = (constant_labels, created);
    }
    /// Starts a family: its metadata lines.
    fn family(&mut self, out: &mut Vec<u8>, descriptor: &Descriptor);
    /// One series of the current family.
    fn series(&mut self, out: &mut Vec<u8>, descriptor: &Descriptor, index: usize, value: &Value<'_>);
    /// The latest exemplar of bucket `bucket` (`0` for a counter) of series
    /// `index`, given before that series (which may then be left out).
    /// Formats without exemplars ignore it, as by default.
    fn exemplar(&mut self, index: usize, bucket: usize, exemplar: Exemplar<'_>) {
        let _ = (index, bucket, exemplar);
    }
    /// Ends the exposition.
    fn finish(&mut self, out: &mut Vec<u8>);
    /// The format this encoder writes, when it is one of [`Format`]: the
    /// program's other runtime versions are asked for their families in it.
    /// `None` (the default) leaves them out.
    fn format(&self) -> Option<Format> {
        None
    }
    /// Whether every family with labels is quiet in this exposition: only
    /// its series that have been recorded to are written (see [the module
    /// docs](self#quiet-families)). `false` unless the encoder says so.
    fn all_quiet(&self) -> bool {
        false
    }
    /// The writer of the built-in formats, which metrics write their series
    /// to directly (see [the module docs](self#a-straight-write)); `None`
    /// (the default) gives the encoder every series through
    /// [`series`](Encoder::series). Not public API.
    #[doc(hidden)]
    fn text_writer(&mut self) -> Option<&mut TextWriter> {
        None
    }
}

/// Appends the whole exposition to `out`.
pub fn encode<X, E>(exposition: &X, encoder: &mut E, out: &mut Vec<u8>)
where
    X: Exposition + ?Sized,
    E: Encoder + ?Sized,
{
    struct Series<'e, E: ?Sized> {
        encoder: &'e mut E,
        out: &'e mut Vec<u8>,
        descriptor: &'static Descriptor,
        /// Whether a capped label may leave series that do not exist yet.
        capped: bool,
        /// Whether the series nothing has recorded to are left out.
        quiet: bool,
    }
    impl<E: Encoder + ?Sized> SeriesVisitor for Series<'_, E> {
        fn series(&mut self, index: usize, value: Value<'_>) {
            if self.capped && !self.descriptor.series_exists(index) {
                return;
            }
            self.encoder.series(self.out, self.descriptor, index, &value);
        }

        fn untouched(&mut self, index: usize, value: Value<'_>) {
            if !self.quiet {
                self.series(index, value);
            }
        }

        fn exemplar(&mut self, index: usize, bucket: usize, exemplar: Exemplar<'_>) {
            self.encoder.exemplar(index, bucket, exemplar);
        }
    }
    let all_quiet = encoder.all_quiet();
    encoder.begin(exposition.constant_labels().text(), exposition.created_samples());
    exposition.for_each_family(&mut |descriptor, metric| {
        encoder.family(out, descriptor);
        let capped = descriptor.has_capped_labels();
        let quiet = descriptor.hides_untouched(all_quiet);
        match encoder.text_writer() {
            Some(text) => metric.write_series(&mut SeriesWriter { text, out: &mut *out, descriptor, capped, quiet }),
            None => metric.collect(&mut Series { encoder: &mut *encoder, out: &mut *out, descriptor, capped, quiet }),
        }
    });
    if let Some(format) = encoder.format() {
        exposition.other_versions(format, out);
    }
    encoder.finish(out);
}

/// The text formats this crate encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0.0 text.
    OpenMetrics,
}

impl Format {
    /// The HTTP `Content-Type` of this format.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => prometheus::CONTENT_TYPE,
            Format::OpenMetrics => openmetrics::CONTENT_TYPE,
        }
    }

    /// Appends the exposition of `exposition` in this format to `out`.
    ///
    /// It builds a fresh encoder, whose working buffers are a fixed few small
    /// allocations per call (10 today), besides any growth of `out`. To scrape
    /// without allocating at all, keep a [`PrometheusText`] or an
    /// [`OpenMetrics`] encoder and a buffer, and call [`encode`] with them:
    /// once warm, a scrape allocates nothing.
    pub fn encode<X: Exposition + ?Sized>(self, exposition: &X, out: &mut Vec<u8>) {
        match self {
            Format::Prometheus => encode(exposition, &mut PrometheusText::new(), out),
            Format::OpenMetrics => encode(exposition, &mut OpenMetrics::new(), out),
        }
    }

    /// Like [`Format::encode`], with every family quiet: of each family with
    /// labels, only the series that have been recorded to (see [the module
    /// docs](self#quiet-families)).
    ///
    /// ```
    /// use metricate::encode::Format;
    /// use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, Registry};
    ///
    /// #[derive(Clone, Copy, LabelValue)]
    /// enum Method { Get, Post }
    ///
    /// #[derive(Clone, Copy, LabelSet)]
    /// struct ByMethod { method: Method }
    ///
    /// /// Requests.
    /// #[derive(Metrics)]
    /// #[metrics(subsystem = "doc")]
    /// struct Http {
    ///     /// Requests handled.
    ///     requests_total: Family<ByMethod, Counter>,
    /// }
    ///
    /// let http = Http::new_unregistered();
    /// http.requests_total.with(ByMethod { method: Method::Post }).inc();
    /// let mut registry = Registry::new();
    /// registry.register_group(&http).unwrap();
    /// let mut body = Vec::new();
    /// Format::Prometheus.encode_quiet(&registry, &mut body);
    /// let text = String::from_utf8(body).unwrap();
    /// assert!(text.contains("requests_total{method=\"post\"} 1\n"));
    /// assert!(!text.contains("method=\"get\""));
    /// ```
    pub fn encode_quiet<X: Exposition + ?Sized>(self, exposition: &X, out: &mut Vec<u8>) {
        match self {
            Format::Prometheus => encode(exposition, &mut PrometheusText::new().quiet(true), out),
            Format::OpenMetrics => encode(exposition, &mut OpenMetrics::new().quiet(true), out),
        }
    }

    /// Picks the format for an HTTP `Accept` header: OpenMetrics 1.0 when the
    /// client ranks it at least as high as plain text, Prometheus text
    /// otherwise (including when the header is missing or matches neither).
    ///
    /// ```
    /// use metricate::encode::Format;
    /// let prometheus = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
    /// assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0.2, text/plain")), Format::Prometheus);
    /// assert_eq!(Format::negotiate(None), Format::Prometheus);
    /// ```
    pub fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else { return Format::Prometheus };
        let mut openmetrics: f32 = 0.0;
        let mut text: f32 = 0.0;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let mut q: f32 = 1.0;
            let mut version = None;
            for param in parts {
                let (key, value) = param.split_once('=').unwrap_or((param, ""));
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "q" => q = value.parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)).unwrap_or(0.0),
                    "version" => version = Some(value.to_owned()),
                    _ => {}
                }
            }
            match media.as_str() {
                "application/openmetrics-text" if version.as_deref().is_none_or(|v| v == "1.0.0") => {
                    openmetrics = openmetrics.max(q);
                }
                "text/plain" if version.as_deref().is_none_or(|v| v == "0.0.4") => text = text.max(q),
                "text/*" | "*/*" => text = text.max(q),
                _ => {}
            }
        }
        if openmetrics > 0.0 && openmetrics >= text { Format::OpenMetrics } else { Format::Prometheus }
    }
}

/// Whether an HTTP `Accept-Encoding` header allows a gzip-compressed body:
/// `gzip` (or `x-gzip`) or `*` with a q-value above zero; an explicit
/// `gzip;q=0` refuses it even where `*` allows. A missing header allows
/// nothing but the identity coding.
///
/// ```
/// use metricate::encode::accepts_gzip;
/// assert!(accepts_gzip(Some("deflate, gzip;q=0.5")));
/// assert!(accepts_gzip(Some("*")));
/// assert!(!accepts_gzip(Some("gzip;q=0, *")));
/// assert!(!accepts_gzip(None));
/// ```
pub fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let mut gzip = None;
    let mut any = None;
    for item in accept_encoding.unwrap_or("").split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(q > 0.0);
        } else if coding == "*" {
            any = Some(q > 0.0);
        }
    }
    gzip.or(any).unwrap_or(false)
}
