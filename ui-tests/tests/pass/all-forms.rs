//! Renamed variants, `rename_all`, `Option` labels, several label sets,
//! custom buckets, every metric type, a quiet family, and declarations in
//! nested modules.

use metricate::{Counter, Family, FloatCounter, Gauge, Histogram, IntGauge, LabelSet, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "kebab-case")]
enum Protocol {
    Http2,
    TlsPassthrough,
    #[label(rename = "tcp")]
    RawTcp,
}

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Ok,
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct ByProtocol {
    protocol_hint: Protocol,
}

#[derive(Clone, Copy, LabelSet)]
struct ByOutcome {
    result: Option<Outcome>,
}

mod edge {
    pub mod inner {
        use super::super::*;

        /// Edge ingress.
        #[derive(Metrics)]
        #[metrics(subsystem = "edge")]
        pub struct Edge {
            /// Connections accepted.
            pub connections_total: Family<ByProtocol, Counter>,
            /// Connections open, only for the protocols seen.
            #[metric(quiet)]
            pub connections_open: Family<ByProtocol, IntGauge>,
            /// Seconds spent applying config.
            #[metric(buckets = [0.01, 0.1, 1.0, 10.0])]
            pub config_apply_seconds: Family<ByOutcome, Histogram>,
            /// Bytes proxied.
            pub proxied_bytes_total: FloatCounter,
            /// Routes loaded.
            pub routes_loaded: IntGauge,
            /// Load ratio.
            pub load_ratio: Gauge,
            /// Boot time.
            pub boot_seconds: Histogram,
        }
    }
}

fn main() {
    let edge = edge::inner::Edge::global();
    edge.connections_total.with(ByProtocol { protocol_hint: Protocol::Http2 }).inc();
    edge.connections_total.with(ByProtocol { protocol_hint: Protocol::TlsPassthrough }).inc();
    edge.connections_open.with(ByProtocol { protocol_hint: Protocol::RawTcp }).set(0);
    edge.config_apply_seconds.with(ByOutcome { result: None }).observe(0.2);
    edge.config_apply_seconds.with(ByOutcome { result: Some(Outcome::Error) }).observe(0.1);
    edge.proxied_bytes_total.inc_by(10.0);
    edge.routes_loaded.inc();
    edge.load_ratio.set(0.5);
    edge.boot_seconds.observe(1.0);
    let unregistered = edge::inner::Edge::new_unregistered();
    unregistered.routes_loaded.set(3);
}
