//! Export latency of `/stream`: from `inc()` on a counter to the event with
//! its new value arriving at a subscriber over a loopback socket, at the
//! default 10 Hz cadence, with 1 and with 100 subscribers, while the
//! registry holds 10,000 more series that all change all the time (so every
//! tick reads and diffs them, and every frame is large).
//!
//! Run with `cargo bench -p metricate --features server --bench stream`;
//! `BENCH_SAMPLES` sets the increments timed per case (200 by default).
//! The increments land at random points of the tick, as real ones do.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use metricate::server::ServerBuilder;
use metricate::{Counter, Family, LabelSet, Metrics};

metricate::capped_label! {
    /// A key: 9,999 of them and `other` make 10,000 series.
    pub struct Key: 9999;
}

#[derive(Clone, Copy, LabelSet)]
struct ByKey {
    key: Key,
}

/// The probe and the load.
#[derive(Metrics)]
#[metrics(subsystem = "bench_stream")]
struct Bench {
    /// The counter whose increments are timed.
    probe_total: Counter,
    /// 10,000 series that change all the time.
    #[metric(max_series = 10000)]
    rows_total: Family<ByKey, Counter>,
}

/// The values a subscriber saw, and when.
type Arrivals = Arc<Mutex<Vec<(u64, Instant)>>>;

/// A subscriber to the probe: reports when each value arrives.
fn subscribe(addr: SocketAddr, arrivals: &Arrivals, stop: &AtomicBool) {
    let mut stream = TcpStream::connect(addr).expect("the server accepts");
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("a timeout");
    write!(stream, "GET /stream?metric=metrics_bench_stream_probe_total HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .expect("sent");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while !stop.load(Ordering::Relaxed) {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return,
            Ok(_) => {}
            // Quiet for a while (no change of the probe): read on.
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
            Err(e) => panic!("the stream failed: {e}"),
        }
        // `data: {..."value":N}]}`: the probe has one series.
        if let Some(at) = line.find("\"value\":") {
            let digits: String = line[at + 8..].chars().take_while(char::is_ascii_digit).collect();
            if let Ok(value) = digits.parse() {
                arrivals.lock().expect("not poisoned").push((value, Instant::now()));
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Times `samples` increments with `subscribers` subscribers.
fn case(samples: u64, subscribers: usize) -> Vec<Duration> {
    let server = ServerBuilder::new().listen("127.0.0.1:0".parse().expect("an address")).spawn().expect("it starts");
    let addr = server.local_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let arrivals: Vec<Arrivals> = (0..subscribers).map(|_| Arc::new(Mutex::new(Vec::new()))).collect();
    let readers: Vec<_> = arrivals
        .iter()
        .map(|a| {
            let (a, stop) = (Arc::clone(a), Arc::clone(&stop));
            std::thread::spawn(move || subscribe(addr, &a, &stop))
        })
        .collect();
    // Every subscriber has its snapshot before the timing starts.
    let probe = &Bench::global().probe_total;
    let start = probe.get();
    while arrivals.iter().any(|a| a.lock().expect("not poisoned").is_empty()) {
        assert!(readers.iter().all(|r| !r.is_finished()), "a subscriber ended before its snapshot");
        std::thread::sleep(Duration::from_millis(10));
    }
    let load = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            let rows = &Bench::global().rows_total;
            while !stop.load(Ordering::Relaxed) {
                for i in 0..10_000usize {
                    rows.with(ByKey { key: Key::new(&format!("k{i}")) }).inc();
                }
            }
        }
    });
    let mut sent = Vec::new();
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..samples {
        // A pause of 50 to 250 ms: increments at random points of the tick.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_millis(50 + rng % 200));
        sent.push(Instant::now());
        probe.inc();
    }
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let _ = load.join();
    // An event carries the latest value: every increment up to it has
    // arrived with it (two increments in one tick arrive together).
    let mut latencies = Vec::new();
    for a in &arrivals {
        let a = a.lock().expect("not poisoned");
        let mut next = 0usize;
        for (value, at) in a.iter() {
            while next < sent.len() && start + 1 + next as u64 <= *value {
                latencies.push(at.saturating_duration_since(sent[next]));
                next += 1;
            }
        }
    }
    server.shutdown().expect("it stops");
    for reader in readers {
        let _ = reader.join();
    }
    latencies.sort();
    latencies
}

fn main() {
    let samples: u64 = std::env::var("BENCH_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    for i in 0..10_000usize {
        Bench::global().rows_total.with(ByKey { key: Key::new(&format!("k{i}")) }).inc();
    }
    println!("Export latency of /stream: inc() to the event at the subscriber, 10 Hz, 10,000 changing series\n");
    println!("| subscribers | events timed | p50 | p95 | p99 | max |\n|---:|---:|---:|---:|---:|---:|");
    for subscribers in [1, 100] {
        let latencies = case(samples, subscribers);
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        println!(
            "| {subscribers} | {} | {} | {} | {} | {} |",
            latencies.len(),
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.95)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().expect("events arrived"))
        );
    }
}
