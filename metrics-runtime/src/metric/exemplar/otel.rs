//! The trace context of OpenTelemetry as the exemplar source (feature
//! `opentelemetry`).

use std::fmt::Write as _;

use opentelemetry::trace::TraceContextExt;

use super::{ExemplarLabels, ExemplarSource};

/// Exemplars carry `trace_id` and `span_id` of the current OpenTelemetry
/// span ([`opentelemetry::Context::current`]), as 32 and 16 lowercase hex
/// digits; outside a sampled span, no exemplar. Formatted on the stack,
/// without allocating. With `tracing`, install `tracing-opentelemetry`'s
/// layer so that spans enter an OpenTelemetry context.
///
/// ```
/// use metricate::exemplar::OpenTelemetryExemplars;
///
/// metricate::set_exemplar_source(OpenTelemetryExemplars).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenTelemetryExemplars;

impl ExemplarSource for OpenTelemetryExemplars {
    fn labels(&self, labels: &mut ExemplarLabels) {
        let context = opentelemetry::Context::current();
        let span = context.span();
        let span = span.span_context();
        if !span.is_valid() || !span.is_sampled() {
            return;
        }
        let mut trace = Hex::<32>::new();
        let mut id = Hex::<16>::new();
        if write!(trace, "{:032x}", span.trace_id()).is_ok() && write!(id, "{:016x}", span.span_id()).is_ok() {
            labels.push("trace_id", trace.as_str());
            labels.push("span_id", id.as_str());
        }
    }
}

/// A fixed buffer of `N` ASCII bytes written through `fmt::Write`.
struct Hex<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Hex<N> {
    fn new() -> Hex<N> {
        Hex { bytes: [0; N], len: 0 }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl<const N: usize> std::fmt::Write for Hex<N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > N {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

    use super::*;

    fn rendered() -> String {
        let mut labels = ExemplarLabels::new();
        OpenTelemetryExemplars.labels(&mut labels);
        String::from_utf8(labels.text[..labels.len].to_vec()).unwrap()
    }

    #[test]
    fn the_current_sampled_span_gives_its_ids() {
        assert_eq!(rendered(), "", "no span, no exemplar");
        let trace = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        let span = SpanId::from_hex("00f067aa0ba902b7").unwrap();
        let sampled = SpanContext::new(trace, span, TraceFlags::SAMPLED, true, TraceState::default());
        {
            let _guard = opentelemetry::Context::current().with_remote_span_context(sampled).attach();
            assert_eq!(rendered(), "trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\",span_id=\"00f067aa0ba902b7\"");
        }
        let unsampled = SpanContext::new(trace, span, TraceFlags::default(), true, TraceState::default());
        let _guard = opentelemetry::Context::current().with_remote_span_context(unsampled).attach();
        assert_eq!(rendered(), "", "not sampled");
    }
}
