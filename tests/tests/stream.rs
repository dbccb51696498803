//! `/stream` over real sockets: a snapshot then changes whose last values
//! are the registry's; ids that strictly increase; a reconnect with
//! `Last-Event-ID` replays exactly the missed frames, a too-old id gets a
//! reset, a new server a new epoch; 100 subscribers at 10 Hz while scrapes
//! go on; a subscriber that stops reading is dropped and the memory stays
//! flat.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use metricate::server::{BackgroundServer, ServerBuilder};
use metricate::{Counter, Family, Gauge, Histogram, LabelSet, LabelValue, Metrics, OwnedValue};
use serde_json::Value;
use tests::{http_get, registry_value, wait_until};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Kind {
    Read,
    Write,
}

#[derive(Clone, Copy, Debug, LabelSet)]
struct ByKind {
    kind: Kind,
}

/// What the first tests change while they subscribe.
#[derive(Metrics)]
#[metrics(subsystem = "streamed")]
struct Streamed {
    /// Operations.
    ops_total: Family<ByKind, Counter>,
    /// A level.
    level: Gauge,
    /// Time per operation.
    #[metric(buckets = [0.01, 0.1, 1.0])]
    op_duration_seconds: Histogram,
}

metricate::capped_label! {
    /// A key of the wide family.
    pub struct Key: 2999;
}

#[derive(Clone, Copy, LabelSet)]
struct ByKey {
    key: Key,
}

/// What the replay test changes.
#[derive(Metrics)]
#[metrics(subsystem = "replayed")]
struct Replayed {
    /// Operations.
    ops_total: Family<ByKind, Counter>,
}

/// What the load test changes.
#[derive(Metrics)]
#[metrics(subsystem = "busy")]
struct Busy {
    /// Operations.
    ops_total: Counter,
}

/// A family wide enough to fill socket buffers and the ring quickly.
#[derive(Metrics)]
#[metrics(subsystem = "streamed_wide")]
struct Wide {
    /// Touches, by key.
    #[metric(max_series = 3000)]
    touches_total: Family<ByKey, Counter>,
}

fn server(builder: ServerBuilder) -> BackgroundServer {
    builder.listen("127.0.0.1:0".parse().unwrap()).spawn().unwrap()
}

/// One event as read from the socket.
#[derive(Clone, Debug, PartialEq)]
struct SseEvent {
    id: String,
    kind: String,
    data: Value,
}

impl SseEvent {
    fn epoch(&self) -> &str {
        self.id.split_once('-').unwrap().0
    }

    fn seq(&self) -> u64 {
        self.id.split_once('-').unwrap().1.parse().unwrap()
    }
}

/// A subscriber on a plain socket: HTTP/1.0, so the body is the events
/// as they are, until the server closes.
struct Subscriber {
    reader: BufReader<TcpStream>,
}

impl Subscriber {
    fn connect(addr: SocketAddr, query: &str, last_event_id: Option<&str>) -> Subscriber {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let resume = last_event_id.map(|id| format!("Last-Event-ID: {id}\r\n")).unwrap_or_default();
        write!(stream, "GET /stream?{query} HTTP/1.0\r\nHost: localhost\r\n{resume}\r\n").unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.0 200"), "{status}");
        let mut line = String::new();
        let mut content_type = None;
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-type")
            {
                content_type = Some(value.trim().to_owned());
            }
        }
        assert_eq!(content_type.as_deref(), Some("text/event-stream"));
        Subscriber { reader }
    }

    /// The next event (skipping `retry:` and comments).
    fn next(&mut self) -> SseEvent {
        let (mut id, mut kind, mut data) = (None, None, None);
        let mut line = String::new();
        loop {
            line.clear();
            let read = self.reader.read_line(&mut line).expect("an event within 30 s");
            assert!(read > 0, "the stream ended");
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if let (Some(id), Some(kind), Some(data)) = (id.take(), kind.take(), data.take()) {
                    return SseEvent { id, kind, data };
                }
                continue;
            }
            if let Some(value) = line.strip_prefix("id: ") {
                id = Some(value.to_owned());
            } else if let Some(value) = line.strip_prefix("event: ") {
                kind = Some(value.to_owned());
            } else if let Some(value) = line.strip_prefix("data: ") {
                data = Some(serde_json::from_str(value).expect("data is JSON"));
            }
        }
    }
}

/// The series of an event, keyed by name and labels.
fn series(event: &SseEvent) -> BTreeMap<String, Value> {
    event.data["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (format!("{}{}", s["name"].as_str().unwrap(), s["labels"]), s.clone()))
        .collect()
}

#[test]
fn a_subscriber_sees_a_snapshot_then_changes_that_end_at_the_registrys_values() {
    let server = server(ServerBuilder::new());
    let streamed = Streamed::global();
    streamed.ops_total.with(ByKind { kind: Kind::Read }).inc_by(3);
    let query = "prefix=trc_streamed_ops&prefix=trc_streamed_op_&metric=trc_streamed_level&metric=none";
    let mut subscriber = Subscriber::connect(server.local_addr(), query, None);
    let first = subscriber.next();
    assert_eq!(first.kind, "snapshot");
    let metrics: Vec<&String> = first.data["metrics"].as_object().unwrap().keys().collect();
    assert_eq!(metrics, ["trc_streamed_level", "trc_streamed_op_duration_seconds", "trc_streamed_ops_total"]);
    assert_eq!(
        first.data["metrics"]["trc_streamed_op_duration_seconds"]["buckets"],
        serde_json::json!([0.01, 0.1, 1.0])
    );
    let mut state = series(&first);
    // Changes over a second: counters, the gauge, the histogram.
    for i in 0..10 {
        streamed.ops_total.with(ByKind { kind: Kind::Write }).inc();
        streamed.level.set(f64::from(i));
        streamed.op_duration_seconds.observe(0.05 * f64::from(i));
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut last = first.clone();
    let expected = registry_value("trc_streamed_ops_total", &[("kind", "write")]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let event = subscriber.next();
        assert_eq!(event.kind, "update");
        assert_eq!(event.epoch(), first.epoch());
        assert!(event.seq() > last.seq(), "ids strictly increase: {} after {}", event.id, last.id);
        assert!(event.data.get("metrics").is_none(), "updates carry no metric list");
        state.extend(series(&event));
        last = event;
        let write = &state[r#"trc_streamed_ops_total{"kind":"write"}"#];
        if write["value"].as_f64() == Some(expected) && state["trc_streamed_level{}"]["value"] == 9.0 {
            break;
        }
        assert!(Instant::now() < deadline, "the updates never reached the registry's values: {:?}", state.keys());
    }
    // Every value the subscriber holds is the registry's.
    let snapshot = metricate::global().unwrap().snapshot(|d| d.subsystem == "streamed");
    for family in snapshot.families() {
        for s in family.series() {
            let labels: BTreeMap<&str, &str> = s.labels().collect();
            let key = format!("{}{}", family.descriptor().name, serde_json::to_string(&labels).unwrap());
            let held = &state[&key];
            match s.value() {
                OwnedValue::Histogram { buckets, sum, count } => {
                    assert_eq!(held["count"].as_u64(), Some(*count), "{key}");
                    assert_eq!(held["sum"].as_f64(), Some(*sum), "{key}");
                    let held: Vec<u64> =
                        held["buckets"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap()).collect();
                    assert_eq!(&held, buckets, "{key}");
                }
                value => assert_eq!(held["value"].as_f64(), Some(value.as_f64()), "{key}"),
            }
        }
    }
    server.shutdown().unwrap();
}

#[test]
fn a_reconnect_replays_exactly_the_missed_frames_and_a_too_old_id_gets_a_reset() {
    let server = server(ServerBuilder::new());
    let addr = server.local_addr();
    let replayed_metrics = Replayed::global();
    replayed_metrics.ops_total.with(ByKind { kind: Kind::Write }).inc();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            while !stop.load(Ordering::Relaxed) {
                replayed_metrics.ops_total.with(ByKind { kind: Kind::Read }).inc();
                std::thread::sleep(Duration::from_millis(7));
            }
        }
    });
    // A witness that stays connected, at the tick's cadence: it sees every
    // frame with a change.
    let query = "metric=trc_replayed_ops_total";
    let mut witness = Subscriber::connect(addr, query, None);
    let mut leaving = Subscriber::connect(addr, query, None);
    let _ = leaving.next();
    let left_at = leaving.next();
    drop(leaving);
    std::thread::sleep(Duration::from_millis(800));
    let mut back = Subscriber::connect(addr, query, Some(&left_at.id));
    // The replay: one event per missed frame, in order, up to where the
    // witness is; compared with the witness' events for the same frames.
    let mut seen: BTreeMap<u64, SseEvent> = BTreeMap::new();
    let replayed: Vec<SseEvent> = (0..6).map(|_| back.next()).collect();
    while seen.keys().next_back().is_none_or(|last| *last < replayed.last().unwrap().seq()) {
        let event = witness.next();
        seen.insert(event.seq(), event);
    }
    for (i, event) in replayed.iter().enumerate() {
        assert_eq!(event.kind, "update", "{event:?}");
        assert_eq!(event.seq(), left_at.seq() + 1 + i as u64, "frames in order, none skipped");
        let witnessed = seen.get(&event.seq()).unwrap_or_else(|| panic!("the witness never saw {}", event.id));
        assert_eq!(event.data, witnessed.data, "the replayed frame is the frame");
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(registry_value("metrics_export_stream_replays_total", &[]) >= 1.0);

    // Another epoch's id, and an id of the future: a reset with everything.
    for id in ["0-5".to_owned(), format!("{}-999999999", left_at.epoch())] {
        let mut stale = Subscriber::connect(addr, query, Some(&id));
        let reset = stale.next();
        assert_eq!(reset.kind, "reset", "{id}");
        assert!(reset.data["metrics"].get("trc_replayed_ops_total").is_some());
        assert_eq!(series(&reset).len(), 2, "both series of the family");
    }
    server.shutdown().unwrap();

    // A frame that fell out of the ring: a small ring and a wide family
    // changing at every tick.
    let small = self::server(ServerBuilder::new().stream_buffer_bytes(64 * 1024));
    let wide = Wide::global();
    let mut subscriber = Subscriber::connect(small.local_addr(), "metric=trc_streamed_wide_touches_total", None);
    let first = subscriber.next();
    drop(subscriber);
    for round in 0..10u64 {
        for key in 0..2000 {
            wide.touches_total.with(ByKey { key: Key::new(&format!("k{key}")) }).inc_by(round + 1);
        }
        std::thread::sleep(Duration::from_millis(120));
    }
    let mut late = Subscriber::connect(small.local_addr(), "metric=trc_streamed_wide_touches_total", Some(&first.id));
    let reset = late.next();
    assert_eq!(reset.kind, "reset");
    assert!(reset.seq() > first.seq());
    small.shutdown().unwrap();
}

#[test]
fn a_new_server_has_a_new_epoch() {
    let first = server(ServerBuilder::new());
    let event = Subscriber::connect(first.local_addr(), "metric=trc_streamed_level", None).next();
    first.shutdown().unwrap();
    let second = server(ServerBuilder::new());
    let again = Subscriber::connect(second.local_addr(), "metric=trc_streamed_level", None).next();
    assert_ne!(event.epoch(), again.epoch());
    // The old id means nothing to the new server: a reset.
    let resumed = Subscriber::connect(second.local_addr(), "metric=trc_streamed_level", Some(&event.id)).next();
    assert_eq!(resumed.kind, "reset");
    second.shutdown().unwrap();
}

#[test]
fn a_hundred_subscribers_at_10_hz_while_scrapes_go_on() {
    let server = server(ServerBuilder::new().max_connections(8));
    let addr = server.local_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            while !stop.load(Ordering::Relaxed) {
                Busy::global().ops_total.inc();
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    });
    // More subscribers than connection slots: once subscribed they leave
    // the connections' table (connected one after the other: a burst of
    // connections beyond the limit would make room among themselves before
    // they said what they want).
    let subscribers: Vec<_> = (0..100)
        .map(|_| {
            let mut subscriber = Subscriber::connect(addr, "metric=trc_busy_ops_total&interval=100ms", None);
            let mut last = subscriber.next().seq();
            std::thread::spawn(move || {
                let mut updates = 0;
                let start = Instant::now();
                while start.elapsed() < Duration::from_secs(3) {
                    let event = subscriber.next();
                    assert!(event.seq() > last);
                    last = event.seq();
                    updates += 1;
                }
                updates
            })
        })
        .collect();
    wait_until("100 subscribers connected", Duration::from_secs(60), || {
        registry_value("metrics_export_stream_subscribers", &[]) >= 100.0
    });
    for _ in 0..20 {
        let scrape = http_get(addr, "/metrics", &[]).unwrap();
        assert_eq!(scrape.status, 200);
        std::thread::sleep(Duration::from_millis(100));
    }
    for subscriber in subscribers {
        let updates = subscriber.join().unwrap();
        // 10 Hz for 3 s: about 30; the bound only says they kept coming.
        assert!(updates >= 10, "{updates} updates in 3 s");
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    server.shutdown().unwrap();
}

#[test]
fn the_subscriber_limit_answers_503() {
    let server = server(ServerBuilder::new().max_subscribers(1));
    let _one = Subscriber::connect(server.local_addr(), "metric=trc_streamed_level", None);
    let refused = http_get(server.local_addr(), "/stream?metric=trc_streamed_level", &[]).unwrap();
    assert_eq!(refused.status, 503);
    server.shutdown().unwrap();
}

/// Resident memory of this process, in bytes.
fn resident() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

#[test]
fn a_subscriber_that_stops_reading_is_dropped_and_memory_stays_flat() {
    let server = server(ServerBuilder::new().send_timeout(Duration::from_secs(1)));
    let wide = Wide::global();
    let dropped = || registry_value("metrics_export_stream_slow_clients_dropped_total", &[]);
    let before = dropped();
    // Subscribes and never reads: the wide family changes at every tick,
    // so the socket's buffers fill within a few ticks.
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    write!(stream, "GET /stream?metric=trc_streamed_wide_touches_total HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let start_memory = resident();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            let mut round = 0u64;
            while !stop.load(Ordering::Relaxed) {
                round += 1;
                for key in 0..2000 {
                    wide.touches_total.with(ByKey { key: Key::new(&format!("k{key}")) }).inc_by(round);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    });
    wait_until("the reader that stopped reading is dropped", Duration::from_secs(60), || dropped() > before);
    let grown = resident().saturating_sub(start_memory);
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(grown < 64 * 1024 * 1024, "memory grew by {grown} bytes while a subscriber did not read");
    assert!(registry_value("metrics_export_stream_subscribers", &[]) < 100.0);
    drop(stream);
    server.shutdown().unwrap();
}
