//! The StatsD sink and the direct client against Etsy's StatsD daemon on
//! loopback: with the daemon up, its totals equal the increments however
//! they were split over deliveries; gauges (negative ones too) and
//! histograms arrive as the daemon should read them; DogStatsD tags arrive
//! as tags; datagrams never exceed the configured size and never split a
//! line; across a restart of the daemon at most one delivery is lost and
//! what a refused send did not deliver arrives later; the direct client's
//! calls arrive as the right lines.

use std::thread;
use std::time::Duration;

use metricate::export::{Exporter, Outcome, SampleRate, Statsd, StatsdClient, TagStyle};
use metricate::{Counter, Family, Histogram, IntGauge, LabelSet, LabelValue, Metrics};
use tests::labels::{ByKind, Kind};
use tests::statsd::Daemon;
use tests::wait_until;

/// What the totals test records.
#[derive(Metrics)]
#[metrics(subsystem = "statsd_totals")]
struct Totals {
    /// Events recorded while the sink delivers.
    events_total: Family<ByKind, Counter>,
    /// A level that goes below zero.
    level: IntGauge,
    /// Sizes of the events.
    #[metric(buckets = [1.0, 10.0])]
    event_size_bytes: Histogram,
}

/// What the tags test records.
#[derive(Metrics)]
#[metrics(subsystem = "statsd_tags")]
struct Tagged {
    /// Events, by kind.
    events_total: Family<ByKind, Counter>,
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Shard {
    Alpha,
    Bravo,
    Charlie,
    Delta,
    Echo,
    Foxtrot,
    Golf,
    Hotel,
    India,
    Juliett,
}

#[derive(Clone, Copy, Debug, LabelSet)]
struct ByShards {
    source_shard: Shard,
    target_shard: Shard,
}

/// What the packet test records: a hundred series.
#[derive(Metrics)]
#[metrics(subsystem = "statsd_packets")]
struct Packets {
    /// Records copied between shards.
    copied_records_total: Family<ByShards, Counter>,
}

/// What the restart test counts.
#[derive(Metrics)]
#[metrics(subsystem = "statsd_restart")]
struct Restart {
    /// Events recorded while the daemon comes and goes.
    events_total: Counter,
}

const SHARDS: [Shard; 10] = [
    Shard::Alpha,
    Shard::Bravo,
    Shard::Charlie,
    Shard::Delta,
    Shard::Echo,
    Shard::Foxtrot,
    Shard::Golf,
    Shard::Hotel,
    Shard::India,
    Shard::Juliett,
];

fn daemon() -> Option<Daemon> {
    tests::statsd_daemon(env!("CARGO_TARGET_TMPDIR")).map(|install| Daemon::start(&install))
}

/// Waits until the daemon's counter `key` is `expected`, then checks that
/// it stays there (nothing arrives twice).
fn counter_reaches(daemon: &Daemon, key: &str, expected: f64) {
    counters_reach(daemon, &[(key.to_owned(), expected)]);
}

/// Waits until each of the daemon's counters has its expected value, then
/// checks that they stay there (nothing arrives twice).
fn counters_reach(daemon: &Daemon, expected: &[(String, f64)]) {
    let reached = || {
        let counters = daemon.counters();
        expected.iter().all(|(key, value)| counters.get(key).copied().unwrap_or(0.0) >= *value)
    };
    wait_until("the daemon's counters reach their values", Duration::from_secs(30), reached);
    thread::sleep(Duration::from_millis(200));
    let counters = daemon.counters();
    for (key, value) in expected {
        assert_eq!(counters.get(key), Some(value), "{key}");
    }
}

/// The lines of the datagrams.
fn lines(datagrams: &[Vec<u8>]) -> Vec<String> {
    datagrams
        .iter()
        .flat_map(|d| String::from_utf8(d.clone()).unwrap().lines().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

#[test]
fn with_the_daemon_up_its_totals_equal_the_increments_split_over_deliveries() {
    let Some(daemon) = daemon() else { return };
    let totals = Totals::global();
    let sink = Statsd::new(&daemon.addr().to_string()).unwrap().prefix("up").unwrap();
    let exporter = Exporter::builder()
        .named_sink("statsd_totals", sink, Some(Duration::from_millis(50)))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    exporter.start().unwrap();

    // The level starts above zero: a lone `-7|g` would then read as 3 - 7.
    totals.level.set(3);
    // Increments in four rounds, each flushed, while the sink also
    // delivers every 50 ms on its own.
    for round in 0..4u32 {
        for i in round * 500..(round + 1) * 500 {
            let kind = if i % 4 == 0 { Kind::Incremental } else { Kind::Full };
            totals.events_total.with(ByKind { kind }).inc();
            if i % 10 == 0 {
                totals.event_size_bytes.observe(f64::from(i % 20));
            }
            if i % 100 == 0 {
                thread::sleep(Duration::from_millis(5));
            }
        }
        assert!(exporter.flush_blocking().unwrap()[0].outcome.is_delivered());
    }
    totals.level.set(-7);
    let reports = exporter.flush_blocking().unwrap();
    assert!(reports[0].outcome.is_delivered(), "{reports:?}");

    counter_reaches(&daemon, "up.trc_statsd_totals_events_total.kind.full", 1_500.0);
    counter_reaches(&daemon, "up.trc_statsd_totals_events_total.kind.incremental", 500.0);
    // 200 observations, of 0 and 10 in turn: 100 × 10.
    counter_reaches(&daemon, "up.trc_statsd_totals_event_size_bytes.count", 200.0);
    counter_reaches(&daemon, "up.trc_statsd_totals_event_size_bytes.sum", 1_000.0);
    assert_eq!(daemon.gauges().get("up.trc_statsd_totals_level"), Some(&-7.0));
    // Split over deliveries: the counter arrived in several datagrams.
    let datagrams = daemon.datagrams();
    let full = |d: &&Vec<u8>| String::from_utf8_lossy(d).contains("up.trc_statsd_totals_events_total.kind.full:");
    assert!(datagrams.iter().filter(full).count() >= 4, "the rounds were not delivered apart");
    // A negative gauge goes as 0 and then the value, in one datagram.
    let pair = "up.trc_statsd_totals_level:0|g\nup.trc_statsd_totals_level:-7|g";
    assert!(datagrams.iter().any(|d| String::from_utf8_lossy(d).contains(pair)), "{:?}", lines(&datagrams));

    // A positive value replaces it; the counters stay exact.
    totals.level.set(42);
    totals.events_total.with(ByKind { kind: Kind::Full }).inc_by(5);
    assert!(exporter.flush_blocking().unwrap()[0].outcome.is_delivered());
    wait_until("the gauge is 42", Duration::from_secs(30), || {
        daemon.gauges().get("up.trc_statsd_totals_level") == Some(&42.0)
    });
    counter_reaches(&daemon, "up.trc_statsd_totals_events_total.kind.full", 1_505.0);
    exporter.shutdown().unwrap();
    counter_reaches(&daemon, "up.trc_statsd_totals_events_total.kind.incremental", 500.0);
    assert_eq!(daemon.counters().get("statsd.bad_lines_seen"), Some(&0.0), "{}", daemon.log());
}

#[test]
fn dogstatsd_tags_arrive_as_tags() {
    let Some(daemon) = daemon() else { return };
    let tagged = Tagged::global();
    tagged.events_total.with(ByKind { kind: Kind::Full }).inc_by(3);
    tagged.events_total.with(ByKind { kind: Kind::Incremental }).inc_by(4);
    let sink = Statsd::new(&daemon.addr().to_string()).unwrap().tags(TagStyle::DogStatsd);
    let exporter =
        Exporter::builder().named_sink("statsd_tags", sink, Some(Duration::from_secs(3600))).build().unwrap();
    exporter.start().unwrap();
    assert!(exporter.flush_blocking().unwrap()[0].outcome.is_delivered());
    // Etsy's daemon keys a tagged line as `name;tag=value`.
    counter_reaches(&daemon, "trc_statsd_tags_events_total;kind=full", 3.0);
    counter_reaches(&daemon, "trc_statsd_tags_events_total;kind=incremental", 4.0);
    let lines = lines(&daemon.datagrams());
    assert!(lines.iter().any(|l| l == "trc_statsd_tags_events_total:3|c|#kind:full"), "{lines:?}");
    exporter.shutdown().unwrap();
}

#[test]
fn datagrams_never_exceed_the_configured_size_and_never_split_a_line() {
    const MAX: usize = 600;
    let Some(daemon) = daemon() else { return };
    let packets = Packets::global();
    let mut expected = Vec::new();
    for (i, &source_shard) in SHARDS.iter().enumerate() {
        for (j, &target_shard) in SHARDS.iter().enumerate() {
            let n = (i * 10 + j + 1) as u64;
            packets.copied_records_total.with(ByShards { source_shard, target_shard }).inc_by(n);
            expected.push((format!("{source_shard:?}").to_lowercase(), format!("{target_shard:?}").to_lowercase(), n));
        }
    }
    // A size that cannot hold a line is refused when the sink is built.
    let refused = Statsd::new(&daemon.addr().to_string()).unwrap().max_packet_bytes(100).unwrap_err();
    assert!(refused.to_string().contains("cannot hold the lines of"), "{refused}");
    let sink = Statsd::new(&daemon.addr().to_string()).unwrap().max_packet_bytes(MAX).unwrap();
    let exporter =
        Exporter::builder().named_sink("statsd_packets", sink, Some(Duration::from_secs(3600))).build().unwrap();
    exporter.start().unwrap();
    assert!(exporter.flush_blocking().unwrap()[0].outcome.is_delivered());

    // Every series arrives whole, with its value.
    let expected: Vec<(String, f64)> = expected
        .iter()
        .map(|(source, target, n)| {
            (format!("trc_statsd_packets_copied_records_total.source_shard.{source}.target_shard.{target}"), *n as f64)
        })
        .collect();
    counters_reach(&daemon, &expected);
    let datagrams = daemon.datagrams();
    let ours = datagrams.iter().filter(|d| String::from_utf8_lossy(d).contains("trc_statsd_packets_")).count();
    assert!(ours >= 5, "100 series of some 90 bytes in {ours} datagrams of at most {MAX} bytes");
    for datagram in &datagrams {
        assert!(datagram.len() <= MAX, "a datagram of {} bytes", datagram.len());
        // Every line whole: `name:number|type`, with nothing after the type
        // but a rate or tags.
        for line in String::from_utf8(datagram.clone()).unwrap().lines() {
            let (name, rest) = line.split_once(':').unwrap_or_else(|| panic!("no `:` in `{line}`"));
            let (number, kind) = rest.split_once('|').unwrap_or_else(|| panic!("no `|` in `{line}`"));
            assert!(!name.is_empty() && number.parse::<f64>().is_ok(), "`{line}`");
            assert!(["c", "g"].contains(&kind), "`{line}`");
        }
    }
    assert_eq!(daemon.counters().get("statsd.bad_lines_seen"), Some(&0.0), "{}", daemon.log());
    exporter.shutdown().unwrap();
}

#[test]
fn across_a_daemon_restart_at_most_one_delivery_is_lost_and_refused_sends_carry_forward() {
    let Some(mut daemon) = daemon() else { return };
    let events = &Restart::global().events_total;
    let key = "trc_statsd_restart_events_total";
    let sink = Statsd::new(&daemon.addr().to_string()).unwrap();
    let exporter = Exporter::builder()
        .named_sink("statsd_restart", sink, Some(Duration::from_secs(3600)))
        .max_retries(0)
        .build()
        .unwrap();
    exporter.start().unwrap();
    let flush = || exporter.flush_blocking().unwrap().remove(0).outcome;

    events.inc();
    assert!(flush().is_delivered());
    counter_reaches(&daemon, key, 1.0);

    daemon.stop();
    // The first delivery after may go out before the refusal comes back.
    events.inc_by(10);
    let first = flush();
    // The next ones see the refusal, and send nothing.
    for n in [100, 1_000] {
        events.inc_by(n);
        match flush() {
            Outcome::Failed(error) => assert!(error.message().contains("does not listen"), "{error}"),
            other => panic!("a delivery to a stopped daemon: {other:?}"),
        }
    }

    daemon.restart();
    events.inc_by(10_000);
    assert!(flush().is_delivered());
    // The refused deliveries' increments arrive; of the first delivery's,
    // none or all. A delivery that went out whole was lost whole.
    let expected = if first.is_delivered() { 11_100.0 } else { 11_110.0 };
    let arrived = || daemon.counters().get(key).copied().unwrap_or(0.0);
    wait_until("the carried increments arrive", Duration::from_secs(30), || arrived() >= 11_100.0);
    thread::sleep(Duration::from_millis(200));
    let arrived = arrived();
    assert!(arrived == 11_100.0 || arrived == 11_110.0, "{arrived} after the restart");
    if first.is_delivered() {
        assert_eq!(arrived, expected, "the first delivery after the outage: {first:?}");
    }
    exporter.shutdown().unwrap();
    thread::sleep(Duration::from_millis(200));
    assert_eq!(daemon.counters().get(key), Some(&arrived), "sent twice");
}

#[test]
fn the_direct_clients_calls_arrive_as_statsd_lines() {
    let Some(daemon) = daemon() else { return };
    let client = StatsdClient::new(&daemon.addr().to_string()).unwrap().prefix("direct").unwrap();
    client.incr("jobs", 3, SampleRate::ALWAYS);
    client.incr("jobs", 2, SampleRate::ALWAYS);
    client.gauge("queue", 12.0, SampleRate::ALWAYS);
    client.gauge("temperature", -4.5, SampleRate::ALWAYS);
    client.timing("render", Duration::from_micros(12_500), SampleRate::ALWAYS);
    {
        let _timer = client.timer("block", SampleRate::ALWAYS);
        thread::sleep(Duration::from_millis(5));
    }
    let half = SampleRate::new(0.5).unwrap();
    for _ in 0..100 {
        client.incr("sampled", 1, half);
    }

    counter_reaches(&daemon, "direct.jobs", 5.0);
    wait_until("every call arrives", Duration::from_secs(30), || daemon.timers().contains_key("direct.block"));
    let datagrams: Vec<String> = daemon.datagrams().into_iter().map(|d| String::from_utf8(d).unwrap()).collect();
    let (sampled, calls): (Vec<&String>, Vec<&String>) =
        datagrams.iter().partition(|d| d.starts_with("direct.sampled"));
    assert_eq!(calls.len(), 6, "{calls:?}");
    assert_eq!(
        calls[..5],
        [
            "direct.jobs:3|c",
            "direct.jobs:2|c",
            "direct.queue:12|g",
            "direct.temperature:0|g\ndirect.temperature:-4.5|g",
            "direct.render:12.5|ms",
        ]
    );
    let block: f64 =
        calls[5].strip_prefix("direct.block:").and_then(|l| l.strip_suffix("|ms")).unwrap().parse().unwrap();
    assert!(block >= 5.0, "{}", calls[5]);

    let gauges = daemon.gauges();
    assert_eq!((gauges["direct.queue"], gauges["direct.temperature"]), (12.0, -4.5));
    let timers = daemon.timers();
    assert_eq!(timers["direct.render"], [12.5]);
    assert_eq!(timers["direct.block"], [block]);
    // Sampled at one half: each line that arrived counts twice.
    assert!(sampled.iter().all(|d| *d == "direct.sampled:1|c|@0.5"), "{sampled:?}");
    assert!(!sampled.is_empty() && sampled.len() < 100, "{} of 100", sampled.len());
    assert_eq!(daemon.counters().get("direct.sampled"), Some(&(2.0 * sampled.len() as f64)));
    assert_eq!(client.dropped(), 0);
}
