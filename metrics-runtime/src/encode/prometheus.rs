//! Prometheus text format 0.0.4.
//!
//! ```text
//! # HELP trc_http_requests_total HTTP requests handled.
//! # TYPE trc_http_requests_total counter
//! trc_http_requests_total{method="get"} 3
//! ```

use metricate_catalog::Descriptor;
use metricate_catalog::escape;

use super::Encoder;
use super::text::{SeriesLabels, write_buckets, write_count_sum, write_quantiles, write_scalar};
use crate::metric::Value;

pub(super) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The Prometheus text format 0.0.4 encoder. Reuse one across scrapes to
/// reuse its scratch space.
#[derive(Default)]
pub struct PrometheusText {
    labels: SeriesLabels,
    quiet: bool,
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
    fn format(&self) -> Option<super::Format> {
        Some(super::Format::Prometheus)
    }

    fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    /// `_created` samples are OpenMetrics': the text format has none.
    fn begin(&mut self, constant_labels: &str, _created: bool) {
        self.labels.constants(constant_labels);
    }

    fn family(&mut self, out: &mut Vec<u8>, d: &Descriptor) {
        self.labels.family(d.labels, d.name, "");
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
        let (labels, sum, count) = match *value {
            Value::Histogram { bounds, buckets, sum, count } => {
                let labels = self.labels.render(d.labels, index);
                write_buckets(out, d.name, labels, bounds, buckets, &mut |_, _| {});
                (labels, sum, count)
            }
            Value::Summary { quantiles, values, sum, count } => {
                let labels = self.labels.render(d.labels, index);
                write_quantiles(out, d.name, labels, quantiles, values, |_| true);
                (labels, sum, count)
            }
            _ => {
                self.labels.write_line(out, d.labels, index);
                write_scalar(out, value);
                out.push(b'\n');
                return;
            }
        };
        write_count_sum(out, d.name, labels, count, sum, true);
    }

    fn finish(&mut self, _out: &mut Vec<u8>) {}

    fn all_quiet(&self) -> bool {
        self.quiet
    }
}
