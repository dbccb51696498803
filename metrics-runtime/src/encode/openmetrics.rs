//! OpenMetrics 1.0.0 text.
//!
//! ```text
//! # TYPE trc_http_requests counter
//! # HELP trc_http_requests HTTP requests handled.
//! trc_http_requests_total{method="get"} 3
//! # EOF
//! ```
//!
//! A counter family is named without `_total`, its samples with it. `# UNIT`
//! is written only where the family name ends with `_<unit>`, as the
//! specification requires.

use metricate_spec::{Descriptor, Flavor, MetricKind, escape};

use super::text::{Exemplars, TextFormat, TextWriter, write_buckets, write_count_sum, write_f64, write_quantiles};
use super::{Encoder, Format};
use crate::metric::{Exemplar, Value};

pub(super) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The OpenMetrics 1.0.0 text encoder. Reuse one across scrapes to reuse its
/// scratch space.
pub struct OpenMetrics {
    text: TextWriter,
    quiet: bool,
    /// Every counter, histogram and summary series has its `_created`.
    created_all: bool,
}

impl Default for OpenMetrics {
    fn default() -> OpenMetrics {
        OpenMetrics { text: TextWriter::new(&Lines), quiet: false, created_all: false }
    }
}

impl OpenMetrics {
    /// A new encoder.
    pub fn new() -> OpenMetrics {
        OpenMetrics::default()
    }

    /// Makes every family with labels quiet (or not, with `false`, the
    /// default): only its series that have been recorded to are written, as
    /// for a metric declared `#[metric(quiet)]`. See [the module
    /// docs](super#quiet-families).
    #[must_use]
    pub fn quiet(mut self, quiet: bool) -> OpenMetrics {
        self.quiet = quiet;
        self
    }
}

fn metadata(out: &mut Vec<u8>, keyword: &[u8], family: &str, text: &str) {
    out.extend_from_slice(keyword);
    out.extend_from_slice(family.as_bytes());
    out.push(b' ');
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
}

impl Encoder for OpenMetrics {
    fn format(&self) -> Option<Format> {
        Some(Format::OpenMetrics)
    }

    fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    fn begin(&mut self, constant_labels: &str, created: bool) {
        self.text.begin(constant_labels);
        self.created_all = created;
    }

    fn family(&mut self, out: &mut Vec<u8>, d: &Descriptor) {
        let family = d.family_name(Flavor::OpenMetrics);
        let suffix = match d.kind {
            MetricKind::Counter => "_total",
            MetricKind::Info => "_info",
            _ => "",
        };
        let created = (d.created || self.created_all) && d.kind.has_created();
        self.text.family(d, family, suffix, created);
        metadata(out, b"# TYPE ", family, d.kind.as_str());
        if let Some(unit) = d.unit
            && family.len() > unit.len()
            && family.ends_with(unit)
            && family.as_bytes()[family.len() - unit.len() - 1] == b'_'
        {
            metadata(out, b"# UNIT ", family, unit);
        }
        if !d.help.is_empty() {
            metadata(out, b"# HELP ", family, &escape::help(d.help, true));
        }
    }

    fn exemplar(&mut self, index: usize, bucket: usize, exemplar: Exemplar<'_>) {
        self.text.exemplar(index, bucket, exemplar);
    }

    fn series(&mut self, out: &mut Vec<u8>, d: &Descriptor, index: usize, value: &Value<'_>) {
        self.text.series(out, d, index, value);
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"# EOF\n");
    }

    fn all_quiet(&self) -> bool {
        self.quiet
    }

    fn text_writer(&mut self) -> Option<&mut TextWriter> {
        Some(&mut self.text)
    }
}

/// Appends ` # {labels} value timestamp` for bucket `bucket` of series
/// `index`, if it has an exemplar.
fn write_exemplar(out: &mut Vec<u8>, exemplars: &Exemplars, index: usize, bucket: usize) {
    let Some((labels, value, timestamp)) = exemplars.get(index, bucket) else {
        return;
    };
    out.extend_from_slice(b" # {");
    out.extend_from_slice(labels);
    out.extend_from_slice(b"} ");
    write_f64(out, value);
    if let Some(timestamp) = timestamp {
        out.push(b' ');
        write_f64(out, timestamp);
    }
}

/// How OpenMetrics writes what is not a scalar, and exemplars.
struct Lines;

impl TextFormat for Lines {
    fn exemplars(&self) -> bool {
        true
    }

    fn counter_exemplar(&self, out: &mut Vec<u8>, exemplars: &Exemplars, index: usize) {
        write_exemplar(out, exemplars, index, 0);
    }

    /// A histogram's buckets, each with its exemplar, or a summary's
    /// quantiles; then `_count` and `_sum`, where OpenMetrics has a spelling
    /// for them.
    fn samples(
        &self,
        out: &mut Vec<u8>,
        family: &str,
        labels: &[u8],
        value: &Value<'_>,
        exemplars: &Exemplars,
        index: usize,
    ) {
        match *value {
            Value::Histogram { bounds, buckets, sum, count } => {
                write_buckets(out, family, labels, bounds, buckets, &mut |out, bucket| {
                    write_exemplar(out, exemplars, index, bucket);
                });
                // OpenMetrics: a histogram with negative bucket bounds
                // exposes no sum, and its count goes with the sum (the
                // reference parser refuses one without the other); the
                // `+Inf` bucket still counts every observation. A sum that
                // is NaN (infinite observations of both signs, or sums
                // overflowing both ways) has no OpenMetrics spelling either,
                // nor has a negative one (negative observations under
                // non-negative bounds: a sum, like the buckets, is a
                // counter): the point is written without both, rather than
                // refused by every strict parser.
                if bounds.first().is_none_or(|b| *b >= 0.0) && !sum.is_nan() && sum >= 0.0 {
                    write_count_sum(out, family, labels, count, sum, false);
                }
            }
            Value::Summary { quantiles, values, sum, count } => {
                // OpenMetrics: quantile values and the sum are never
                // negative (a summary is over sizes and durations); those of
                // negative observations are left out rather than refused by
                // every strict parser, as for histograms.
                write_quantiles(out, family, labels, quantiles, values, |v| v.is_nan() || v >= 0.0);
                if !sum.is_nan() && sum >= 0.0 {
                    write_count_sum(out, family, labels, count, sum, false);
                }
            }
            Value::Unsigned(_) | Value::Signed(_) | Value::Float(_) => {}
        }
    }
}
