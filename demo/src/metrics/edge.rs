//! F) Edge ingress: listeners, routing config, backend health gating, SNI
//! sniffing and PROXY protocol v2.
//!
//! `trc_edge_backends_active{route_id}` is not declared: the spec forbids it
//! (route ids are unbounded). The active-backend total is the gauge
//! `trc_edge_backends_active` (the spec's `..._active_total`, renamed because
//! only counters end in `_total`).

use metricate::{Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics};

use super::ByResult;

/// A port the edge listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum ListenerPort {
    /// Plain HTTP (redirects and ACME challenges).
    #[label(rename = "80")]
    Http,
    /// TLS: terminated HTTPS or SNI-routed passthrough.
    #[label(rename = "443")]
    Https,
    /// Alternate TLS port for TCP services.
    #[label(rename = "8443")]
    AltTls,
}

impl ListenerPort {
    /// Every listener.
    pub const ALL: [ListenerPort; 3] = [ListenerPort::Http, ListenerPort::Https, ListenerPort::AltTls];
}

/// How an accepted client connection ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum ConnectionResult {
    /// Routed to a backend.
    Ok,
    /// Refused by a connection limit or access list.
    Rejected,
    /// No route matched its SNI or Host.
    NoRoute,
    /// The handshake or the first read failed.
    Error,
}

/// Labels `{listener_port, result}` of a client connection.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Connection {
    /// The listener that accepted it.
    pub listener_port: ListenerPort,
    /// How it ended up.
    pub result: ConnectionResult,
}

/// Labels `{listener_port}`.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct Listener {
    /// The listener.
    pub listener_port: ListenerPort,
}

/// Why the edge could not connect to an upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum UpstreamFailureReason {
    /// The backend refused the connection.
    Refused,
    /// The connection attempt timed out.
    Timeout,
    /// The connection was reset during setup.
    Reset,
    /// The overlay had no route to the backend.
    Unreachable,
    /// The route had no healthy backend to try.
    NoHealthyBackend,
}

/// Labels `{reason}` of an upstream connect failure.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct UpstreamFailure {
    /// Why the connection failed.
    pub reason: UpstreamFailureReason,
}

/// The protocol a route declares for its backends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum ProtocolHint {
    /// HTTP/1.1.
    Http1,
    /// HTTP/2 (h2c to the backend).
    Http2,
    /// gRPC.
    Grpc,
    /// WebSocket upgrades.
    Websocket,
    /// Raw TCP.
    Tcp,
    /// TLS passed through unterminated.
    TlsPassthrough,
}

impl ProtocolHint {
    /// Every protocol hint.
    pub const ALL: [ProtocolHint; 6] = [
        ProtocolHint::Http1,
        ProtocolHint::Http2,
        ProtocolHint::Grpc,
        ProtocolHint::Websocket,
        ProtocolHint::Tcp,
        ProtocolHint::TlsPassthrough,
    ];
}

/// Labels `{protocol_hint}`.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct ByProtocol {
    /// The routes' protocol hint.
    pub protocol_hint: ProtocolHint,
}

/// The outcome of peeking at a TLS client hello for its SNI (the spec's set).
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum SniResult {
    /// A server name was found.
    Ok,
    /// The client sent too little before the sniff timeout.
    Timeout,
    /// The first bytes are not a TLS handshake.
    NotTls,
    /// A client hello without a server name extension.
    NoSni,
}

/// Labels `{result}` of an SNI sniff.
#[derive(Clone, Copy, Debug, LabelSet)]
pub struct SniSniff {
    /// What the sniff found.
    pub result: SniResult,
}

/// The edge ingress.
#[derive(Metrics)]
#[metrics(subsystem = "edge")]
pub struct Edge {
    /// Client connections accepted, by listener and result.
    pub connections_total: Family<Connection, Counter>,
    /// Client connections currently open, by listener.
    pub concurrent_connections: Family<Listener, IntGauge>,
    /// Failed connection attempts to upstream backends, by reason.
    pub upstream_connect_failures_total: Family<UpstreamFailure, Counter>,

    /// Routes in the applied routing config.
    pub routes_loaded: IntGauge,
    /// Routing config applications, by result.
    pub config_apply_total: Family<ByResult, Counter>,
    /// Time to validate and swap in a routing config, by result.
    #[metric(buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0])]
    pub config_apply_seconds: Family<ByResult, Histogram>,

    /// Backends passing health gating, across all routes.
    pub backends_active: IntGauge,
    /// Backends passing health gating, by their routes' protocol hint.
    pub backends_active_by_protocol: Family<ByProtocol, IntGauge>,

    /// SNI sniffs of TLS connections, by result.
    pub sni_sniffs_total: Family<SniSniff, Counter>,
    /// Time to read enough of a TLS client hello to find its SNI, by result.
    #[metric(buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0])]
    pub sni_sniff_seconds: Family<SniSniff, Histogram>,

    /// Routes with PROXY protocol v2 enabled.
    pub proxy_v2_enabled_routes: IntGauge,
    /// PROXY protocol v2 headers written to upstreams, by result.
    pub proxy_v2_injections_total: Family<ByResult, Counter>,
}
