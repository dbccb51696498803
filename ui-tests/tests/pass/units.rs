//! Units: read from the name's suffix (before `_total` for a counter), or
//! declared with `unit = ".."` on a name that ends in it; and a name without
//! a unit.

use metricate::{Counter, FloatCounter, Gauge, Histogram, IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(subsystem = "units")]
struct Units {
    /// Time to serve a request.
    request_duration_seconds: Histogram,
    /// Time to apply a config, with its unit declared.
    #[metric(unit = "seconds")]
    config_apply_seconds: Histogram,
    /// Bytes sent.
    sent_bytes_total: Counter,
    /// Bytes received, with its unit declared on a counter.
    #[metric(unit = "bytes")]
    received_bytes_total: FloatCounter,
    /// Share of the disk in use.
    disk_used_ratio: Gauge,
    /// Unix time of the last reload.
    last_reload_timestamp_seconds: Gauge,
    /// Routes loaded: no unit.
    routes_loaded: IntGauge,
}

fn main() {
    let units = Units::global();
    units.request_duration_seconds.observe(0.1);
    units.config_apply_seconds.observe(1.0);
    units.sent_bytes_total.inc_by(10);
    units.received_bytes_total.inc_by(2.5);
    units.disk_used_ratio.set(0.5);
    units.last_reload_timestamp_seconds.set(1.7e9);
    units.routes_loaded.set(3);
}
