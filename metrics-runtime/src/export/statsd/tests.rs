use std::net::UdpSocket as StdUdpSocket;
use std::time::Duration;

use super::*;
use crate::{Counter, Family, FloatCounter, Histogram, IntGauge, LabelSet, LabelValue, Metrics, Registry};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Kind {
    Full,
    #[label(rename = "in cr.")]
    Incremental,
}

#[derive(Clone, Copy, Debug, LabelSet)]
struct ByKind {
    kind: Kind,
}

#[derive(Metrics)]
#[metrics(subsystem = "statsd_unit")]
struct Unit {
    /// Jobs done.
    jobs_total: Family<ByKind, Counter>,
    /// Bytes written.
    written_bytes_total: FloatCounter,
    /// Jobs waiting.
    depth: IntGauge,
    /// Jobs waiting, by kind.
    waiting: Family<ByKind, IntGauge>,
    /// Time a job took.
    #[metric(buckets = [0.1, 1.0])]
    latency_seconds: Histogram,
}

fn snapshot(unit: &Unit) -> Snapshot {
    let mut registry = Registry::new();
    registry.register_group(unit).unwrap();
    registry.snapshot(|_| true)
}

/// The datagrams laid out for `snapshot`.
fn datagrams(sink: &mut Statsd, snapshot: &Snapshot) -> Vec<String> {
    sink.lay_out(snapshot);
    let mut from = 0;
    sink.batch
        .packets
        .iter()
        .map(|&(end, _)| {
            let datagram = String::from_utf8(sink.batch.bytes[from..end].to_vec()).unwrap();
            from = end;
            datagram
        })
        .collect()
}

/// What a successful send of every datagram does.
fn all_sent(sink: &mut Statsd) {
    for &(key, total) in &sink.batch.totals {
        sink.carry.sent(key, total);
    }
}

#[test]
fn counters_send_deltas_gauges_values_and_histograms_count_and_sum() {
    let unit = Unit::new_unregistered();
    unit.jobs_total.with(ByKind { kind: Kind::Full }).inc_by(3);
    unit.jobs_total.with(ByKind { kind: Kind::Incremental }).inc();
    unit.written_bytes_total.inc_by(1.5);
    unit.depth.set(-5);
    unit.waiting.with(ByKind { kind: Kind::Full }).set(2);
    unit.latency_seconds.observe(0.25);
    unit.latency_seconds.observe(2.0);
    let mut sink = Statsd::new("127.0.0.1:8125").unwrap();
    assert_eq!(
        datagrams(&mut sink, &snapshot(&unit)),
        ["metrics_statsd_unit_depth:0|g\n\
          metrics_statsd_unit_depth:-5|g\n\
          metrics_statsd_unit_jobs_total.kind.full:3|c\n\
          metrics_statsd_unit_jobs_total.kind.in_cr_:1|c\n\
          metrics_statsd_unit_latency_seconds.count:2|c\n\
          metrics_statsd_unit_latency_seconds.sum:2.25|c\n\
          metrics_statsd_unit_waiting.kind.full:2|g\n\
          metrics_statsd_unit_written_bytes_total:1.5|c"]
    );

    // Sent: the next delivery holds what is new, and the gauges again.
    all_sent(&mut sink);
    unit.jobs_total.with(ByKind { kind: Kind::Full }).inc_by(2);
    unit.depth.set(7);
    assert_eq!(
        datagrams(&mut sink, &snapshot(&unit)),
        ["metrics_statsd_unit_depth:7|g\n\
          metrics_statsd_unit_jobs_total.kind.full:2|c\n\
          metrics_statsd_unit_waiting.kind.full:2|g"]
    );
    // Not sent: the delta carries into the next delivery.
    unit.jobs_total.with(ByKind { kind: Kind::Full }).inc_by(4);
    unit.latency_seconds.observe(-1.0);
    let next = datagrams(&mut sink, &snapshot(&unit));
    assert!(next[0].contains("metrics_statsd_unit_jobs_total.kind.full:6|c\n"), "{next:?}");
    assert!(next[0].contains(".count:1|c\nmetrics_statsd_unit_latency_seconds.sum:-1|c\n"), "{next:?}");
}

#[test]
fn tags_and_distributions() {
    let unit = Unit::new_unregistered();
    unit.jobs_total.with(ByKind { kind: Kind::Incremental }).inc_by(4);
    unit.latency_seconds.observe(0.05);
    for _ in 0..3 {
        unit.latency_seconds.observe(5.0);
    }
    let mut sink = Statsd::new("127.0.0.1:8125").unwrap().prefix("app.web-1").unwrap().tags(TagStyle::DogStatsd);
    let plain = datagrams(&mut sink, &snapshot(&unit));
    assert_eq!(
        plain,
        ["app.web-1.metrics_statsd_unit_jobs_total:4|c|#kind:in_cr.\n\
          app.web-1.metrics_statsd_unit_latency_seconds.count:4|c\n\
          app.web-1.metrics_statsd_unit_latency_seconds.sum:15.05|c"]
    );
    let mut sink = sink.distributions(true);
    let distributions = datagrams(&mut sink, &snapshot(&unit));
    // One value per bucket with observations, at its upper bound (`+Inf` at
    // the largest finite one), weighted 1/n.
    assert_eq!(
        distributions,
        ["app.web-1.metrics_statsd_unit_jobs_total:4|c|#kind:in_cr.\n\
          app.web-1.metrics_statsd_unit_latency_seconds:0.1|d\n\
          app.web-1.metrics_statsd_unit_latency_seconds:1|d|@0.3333333333333333"]
    );
    all_sent(&mut sink);
    unit.latency_seconds.observe(0.5);
    assert_eq!(datagrams(&mut sink, &snapshot(&unit)), ["app.web-1.metrics_statsd_unit_latency_seconds:1|d"]);
}

#[test]
fn a_sample_rate_weighs_exactly_n() {
    for n in 2..5000u64 {
        let rate = weight(n).unwrap();
        // Servers count `1/rate`, truncated.
        assert_eq!((1.0 / rate) as u64, n, "{n}: {rate}");
        let mut text = Vec::new();
        Number::Float(rate).write(&mut text);
        assert_eq!(std::str::from_utf8(&text).unwrap().parse::<f64>().unwrap(), rate);
    }
    assert_eq!(weight(1), None);
}

#[test]
fn datagrams_hold_whole_lines_up_to_the_size() {
    let unit = Unit::new_unregistered();
    unit.jobs_total.with(ByKind { kind: Kind::Full }).inc_by(3);
    unit.jobs_total.with(ByKind { kind: Kind::Incremental }).inc_by(5);
    unit.depth.set(-12);
    unit.latency_seconds.observe(0.5);
    let snapshot = snapshot(&unit);
    let mut sink = Statsd::new("127.0.0.1:8125").unwrap();
    let whole = datagrams(&mut sink, &snapshot);
    assert_eq!(whole.len(), 1);
    for max in [100, 130, 160, 200] {
        sink.max_packet = max;
        let packed = datagrams(&mut sink, &snapshot);
        assert!(packed.len() > 1, "{max}: {packed:?}");
        assert!(packed.iter().all(|d| d.len() <= max && !d.is_empty()), "{max}: {packed:?}");
        // The same lines, in the same order, none split.
        assert_eq!(packed.join("\n"), whole[0], "{max}");
        // The negative gauge's two lines share a datagram.
        assert!(packed.iter().any(|d| d.contains("depth:0|g\nmetrics_statsd_unit_depth:-12|g")), "{packed:?}");
        // Every total is committed with its own datagram.
        let ends: Vec<usize> = sink.batch.packets.iter().map(|&(_, totals)| totals).collect();
        assert_eq!(ends.last(), Some(&sink.batch.totals.len()));
    }
    // Lines that fit no datagram are left out, and their delta kept.
    sink.max_packet = 45;
    let packed = datagrams(&mut sink, &snapshot);
    assert_eq!(packed, ["metrics_statsd_unit_jobs_total.kind.full:3|c"]);
    let left: Vec<&str> = sink.batch.oversize.iter().map(|&(name, _)| name).collect();
    assert_eq!(
        left,
        ["metrics_statsd_unit_depth", "metrics_statsd_unit_jobs_total", "metrics_statsd_unit_latency_seconds"]
    );
}

#[test]
fn the_size_bound_holds_every_unit() {
    let unit = Unit::new_unregistered();
    unit.jobs_total.with(ByKind { kind: Kind::Incremental }).inc_by(u64::MAX);
    unit.written_bytes_total.inc_by(1.234_567_890_123_456_7e300);
    unit.depth.set(i64::MIN);
    unit.waiting.with(ByKind { kind: Kind::Incremental }).set(i64::MIN);
    unit.latency_seconds.observe(-2.225_073_858_507_201_4e-300);
    unit.latency_seconds.observe(1e-300);
    let snapshot = snapshot(&unit);
    let mut registry = Registry::new();
    registry.register_group(&unit).unwrap();
    for (tags, distributions) in [(TagStyle::Folded, false), (TagStyle::DogStatsd, true), (TagStyle::DogStatsd, false)]
    {
        let mut sink =
            Statsd::new("127.0.0.1:8125").unwrap().prefix("a.b").unwrap().tags(tags).distributions(distributions);
        let (_, bound) =
            sink.format.longest(&crate::ConstantLabels::new(), registry.iter().map(|r| r.descriptor)).unwrap();
        sink.max_packet = MAX_UDP_PAYLOAD;
        sink.lay_out(&snapshot);
        let mut from = 0;
        for &(end, _) in &sink.batch.packets {
            for line in sink.batch.bytes[from..end].split(|&b| b == b'\n') {
                assert!(2 * line.len() < bound, "{bound}: {}", String::from_utf8_lossy(line));
            }
            from = end;
        }
    }
}

#[test]
fn bad_settings_are_refused_with_the_reason() {
    let error = |result: Result<Statsd, ExportError>| result.unwrap_err().to_string();
    assert!(error(Statsd::new("statsd")).contains("expected `host:port`"));
    assert!(error(Statsd::new(":8125")).contains("the host is empty"));
    assert!(error(Statsd::new("statsd:0")).contains("the port is not a number"));
    assert!(error(Statsd::new("statsd:http")).contains("the port is not a number"));
    assert!(error(Statsd::new("::1:8125")).contains("brackets"));
    assert!(error(Statsd::new("[statsd]:8125")).contains("not an IPv6 address"));
    assert_eq!(Statsd::new("[::1]:8125").unwrap().destination(), "udp://[::1]:8125");
    assert_eq!(Statsd::new("statsd.local:8125").unwrap().destination(), "udp://statsd.local:8125");
    let sink = || Statsd::new("127.0.0.1:8125").unwrap();
    for prefix in ["", ".app", "app.", "a..b", "a b", "a:b"] {
        assert!(error(sink().prefix(prefix)).contains("is not a StatsD prefix"), "{prefix:?}");
    }
    assert!(error(sink().max_packet_bytes(65_508)).contains("larger than a UDP datagram"));
    let small = error(sink().max_packet_bytes(40));
    assert!(small.contains("cannot hold the lines of `") && small.contains("use at least"), "{small}");
    assert_eq!(sink().max_packet_bytes(8932).unwrap().max_packet, 8932);
    // The prefix counts too, whichever comes first.
    let prefix = "p".repeat(1000);
    assert!(error(sink().max_packet_bytes(1500).unwrap().prefix(&prefix)).contains("cannot hold"));
    assert!(error(sink().prefix(&prefix).and_then(|s| s.max_packet_bytes(1500))).contains("cannot hold"));
}

/// A loopback "server" socket, read with a timeout.
fn server(addr: &str) -> StdUdpSocket {
    let server = StdUdpSocket::bind(addr).unwrap();
    server.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    server
}

/// The datagrams the server has, the empty probes left out.
fn received(server: &StdUdpSocket) -> Vec<String> {
    let mut out = Vec::new();
    let mut buffer = vec![0u8; 65_536];
    server.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    while let Ok(n) = server.recv(&mut buffer) {
        if n > 0 {
            out.push(String::from_utf8(buffer[..n].to_vec()).unwrap());
        }
    }
    out
}

/// The counter `full` as the datagrams say it.
fn full(datagrams: &[String]) -> Vec<u64> {
    datagrams
        .iter()
        .flat_map(|d| d.lines())
        .filter_map(|line| line.strip_prefix("metrics_statsd_unit_jobs_total.kind.full:"))
        .map(|rest| rest.strip_suffix("|c").unwrap().parse().unwrap())
        .collect()
}

#[test]
fn a_refused_send_carries_its_delta_and_an_outage_loses_one_delivery_at_most() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let unit = Unit::new_unregistered();
    let full_jobs = unit.jobs_total.with(ByKind { kind: Kind::Full });
    let listening = server("127.0.0.1:0");
    let addr = listening.local_addr().unwrap();
    let mut sink = Statsd::new(&addr.to_string()).unwrap();
    let deliver = |sink: &mut Statsd| runtime.block_on(sink.deliver(&snapshot(&unit)));

    full_jobs.inc();
    assert!(deliver(&mut sink).unwrap().bytes > 0);
    assert_eq!(full(&received(&listening)), [1]);

    // The server goes away. The first delivery after may go out before the
    // refusal comes back: lost, as UDP may lose it.
    drop(listening);
    full_jobs.inc_by(10);
    let first = deliver(&mut sink);
    // The next ones see the refusal, send nothing and keep their deltas.
    for n in [100, 1000] {
        full_jobs.inc_by(n);
        let error = deliver(&mut sink).unwrap_err();
        assert!(error.is_retryable() && error.message().contains("does not listen"), "{error}");
    }

    // Back on the same port: everything not lost arrives, once.
    let listening = server(&addr.to_string());
    full_jobs.inc_by(10_000);
    assert!(deliver(&mut sink).is_ok());
    let expected = if first.is_ok() { 11_100 } else { 11_110 };
    assert_eq!(full(&received(&listening)), [expected], "the first delivery after the outage: {first:?}");
    assert!(deliver(&mut sink).is_ok());
    assert_eq!(full(&received(&listening)), Vec::<u64>::new());
}
