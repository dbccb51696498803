//! Prometheus text format 0.0.4.
//!
//! ```text
//! # HELP trc_http_requests_total HTTP requests handled.
//! # TYPE trc_http_requests_total counter
//! trc_http_requests_total{method="get"} 3
//! ```

use metricate_spec::Descriptor;
use metricate_spec::escape;

use super::text::{Exemplars, TextFormat, TextWriter, write_buckets, write_count_sum, write_quantiles};
use super::{Encoder, Format};
use crate::metric::Value;

pub(super) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The Prometheus text format 0.0.4 encoder. Reuse one across scrapes to
/// reuse its scratch space.
pub struct PrometheusText {
    text: TextWriter,
    quiet: bool,
}

impl Default for PrometheusText {
    fn default() -> PrometheusText {
        PrometheusText { text: TextWriter::new(&Lines), quiet: false }
    }
}

impl PrometheusText {
    /// A new encoder.
    pub fn new() -> PrometheusText {
        PrometheusText::default()
    }

    /// Makes every family with labels quiet (or not, with `false`, the
    /// default): only its series that have been recorded to are written, as
    /// for a metric declared `#[metric(quiet)]`. See [the module
    /// docs](super#quiet-families).
    #[must_use]
    pub fn quiet(mut self, quiet: bool) -> PrometheusText {
        self.quiet = quiet;
        self
    }
}

impl Encoder for PrometheusText {
    fn format(&self) -> Option<Format> {
        Some(Format::Prometheus)
    }

    fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    /// `_created` samples are OpenMetrics': the text format has none.
    fn begin(&mut self, constant_labels: &str, _created: bool) {
        self.text.begin(constant_labels);
    }

    fn family(&mut self, out: &mut Vec<u8>, d: &Descriptor) {
        self.text.family(d, d.name, "", false);
        if !d.help.is_empty() {
            out.extend_from_slice(b"# HELP ");
            out.extend_from_slice(d.name.as_bytes());
            out.push(b' ');
            out.extend_from_slice(escape::help(d.help, false).as_bytes());
            out.push(b'\n');
        }
        out.extend_from_slice(b"# TYPE ");
        out.extend_from_slice(d.name.as_bytes());
        out.push(b' ');
        out.extend_from_slice(d.kind.prometheus_type().as_bytes());
        out.push(b'\n');
    }

    fn series(&mut self, out: &mut Vec<u8>, d: &Descriptor, index: usize, value: &Value<'_>) {
        self.text.series(out, d, index, value);
    }

    fn finish(&mut self, _out: &mut Vec<u8>) {}

    fn all_quiet(&self) -> bool {
        self.quiet
    }

    fn text_writer(&mut self) -> Option<&mut TextWriter> {
        Some(&mut self.text)
    }
}

/// How the text format writes what is not a scalar: no exemplars.
struct Lines;

impl TextFormat for Lines {
    /// A histogram's buckets or a summary's quantiles, then `_sum` and
    /// `_count`.
    fn samples(&self, out: &mut Vec<u8>, name: &str, labels: &[u8], value: &Value<'_>, _: &Exemplars, _: usize) {
        let (sum, count) = match *value {
            Value::Histogram { bounds, buckets, sum, count } => {
                write_buckets(out, name, labels, bounds, buckets, &mut |_, _| {});
                (sum, count)
            }
            Value::Summary { quantiles, values, sum, count } => {
                write_quantiles(out, name, labels, quantiles, values, |_| true);
                (sum, count)
            }
            Value::Unsigned(_) | Value::Signed(_) | Value::Float(_) => return,
        };
        write_count_sum(out, name, labels, count, sum, true);
    }
}
