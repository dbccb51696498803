//! F): one edge node (thread `demo-edge`).

use metricate::{LabelValue, instrument_metric};

use crate::metrics::ByResult;
use crate::metrics::edge::{
    ByProtocol, Connection, ConnectionResult, Edge, Listener, ListenerPort, ProtocolHint, SniResult, SniSniff,
    UpstreamFailure, UpstreamFailureReason,
};

use super::{Rng, Sim, weights};

weights! {
    LISTENERS: ListenerPort = [Https: 80, Http: 15, AltTls: 5];
    SNI: SniResult = [Ok: 970, NoSni: 12, NotTls: 10, Timeout: 8];
    UPSTREAM_FAILURES: UpstreamFailureReason = [
        Refused: 40, Timeout: 25, Reset: 10, Unreachable: 5, NoHealthyBackend: 20,
    ];
}

/// How long the edge waits for a TLS client hello.
const SNIFF_TIMEOUT: f64 = 3.0;

/// One edge node.
/// A route configuration the proxy refused to load.
#[derive(Debug)]
struct ConfigRejected;

pub(super) struct EdgeSim {
    open: [i64; ListenerPort::ALL.len()],
    routes: i64,
    backends: [i64; ProtocolHint::ALL.len()],
    /// Sequence numbers of connections, SNI sniffs, PROXY v2 injections and
    /// config applies.
    connections: u64,
    sniffs: u64,
    injections: u64,
    applies: u64,
}

impl EdgeSim {
    pub(super) fn new() -> EdgeSim {
        EdgeSim {
            open: [0; ListenerPort::ALL.len()],
            routes: 420,
            backends: [310, 60, 25, 18, 40, 22],
            connections: 0,
            sniffs: 0,
            injections: 0,
            applies: 0,
        }
    }

    /// Accepts one connection; whether it stays open.
    fn connect(&mut self, rng: &mut Rng, listener_port: ListenerPort) -> bool {
        let edge = Edge::global();
        let n = self.connections;
        self.connections += 1;
        let mut result = ConnectionResult::Ok;
        if listener_port != ListenerPort::Http {
            let sni = rng.nth_or_weighted(self.sniffs, SNI);
            self.sniffs += 1;
            let seconds = match sni {
                SniResult::Timeout => SNIFF_TIMEOUT + rng.unit() * 0.01,
                SniResult::NotTls => rng.log_normal(0.000_4, 0.6),
                SniResult::Ok | SniResult::NoSni => rng.log_normal(0.000_7, 0.8),
            };
            edge.sni_sniffs_total.with(SniSniff { result: sni }).inc();
            edge.sni_sniff_seconds.with(SniSniff { result: sni }).observe(seconds);
            result = match sni {
                SniResult::Ok => result,
                SniResult::NoSni => ConnectionResult::NoRoute,
                SniResult::NotTls | SniResult::Timeout => ConnectionResult::Error,
            };
        }
        if result == ConnectionResult::Ok {
            if rng.rare(0.003, n, 500, 1) {
                result = ConnectionResult::Rejected;
            } else if rng.rare(0.007, n, 500, 2) {
                result = ConnectionResult::NoRoute;
            } else if rng.rare(0.006, n, 200, 3) {
                let reason = rng.weighted(UPSTREAM_FAILURES);
                edge.upstream_connect_failures_total.with(UpstreamFailure { reason }).inc();
                result = ConnectionResult::Error;
            } else if rng.rare(0.08, n, 50, 4) {
                // The route has PROXY protocol v2 on.
                let ok = !rng.rare(0.002, self.injections, 500, 1);
                self.injections += 1;
                edge.proxy_v2_injections_total.with(ByResult::from_ok(ok)).inc();
                if !ok {
                    result = ConnectionResult::Error;
                }
            }
        }
        edge.connections_total.with(Connection { listener_port, result }).inc();
        result == ConnectionResult::Ok
    }

    /// Loads a new route configuration; a rejected one keeps the old. Timed
    /// into `trc_edge_config_apply_seconds{result}` and counted in
    /// `trc_edge_config_apply_total{result}`.
    #[instrument_metric(
        duration = Edge::global().config_apply_seconds,
        count = Edge::global().config_apply_total,
        labels = ByResult { result },
    )]
    fn apply_config(&mut self, rng: &mut Rng) -> Result<(), ConfigRejected> {
        let edge = Edge::global();
        let ok = !rng.rare(0.03, self.applies, 30, 1);
        self.applies += 1;
        let routes = (self.routes + rng.between(-2, 4)).max(50);
        if ok {
            self.routes = routes;
        }
        edge.routes_loaded.set(self.routes);
        edge.proxy_v2_enabled_routes.set(self.routes * 7 / 100);
        if ok { Ok(()) } else { Err(ConfigRejected) }
    }
}

impl Sim for EdgeSim {
    fn step(&mut self, rng: &mut Rng, tick: u64) {
        let edge = Edge::global();
        for _ in 0..rng.between(1, 6) {
            let listener_port = rng.weighted(LISTENERS);
            if self.connect(rng, listener_port) {
                self.open[listener_port.index()] += 1;
            }
        }
        for (open, listener_port) in self.open.iter_mut().zip(ListenerPort::ALL) {
            // Each open connection closes with probability 1% a tick.
            let expected = *open as f64 * 0.01;
            let closes = expected as i64 + i64::from(rng.chance(expected.fract()));
            *open = (*open - closes).max(0);
            edge.concurrent_connections.with(Listener { listener_port }).set(*open);
        }
        if rng.rare(0.01, tick, 100, 0) {
            // A rejected configuration is counted by the attribute.
            let _ = self.apply_config(rng);
        }
        if tick.is_multiple_of(20) {
            for (backends, protocol_hint) in self.backends.iter_mut().zip(ProtocolHint::ALL) {
                *backends = (*backends + rng.between(-1, 1)).max(0);
                edge.backends_active_by_protocol.with(ByProtocol { protocol_hint }).set(*backends);
            }
            edge.backends_active.set(self.backends.iter().sum());
        }
    }
}
