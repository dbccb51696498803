//! Hostile clients against the demo's server, run as a process of its own so
//! that its resident memory is its alone: thousands of half-open connections
//! must not lock scrapers out, and a flood of bad connections must not grow
//! memory.
//!
//! Every wait has a generous bound (a liveness check, not a timing): the
//! attack runs, and scrapes must get through it.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{Demo, get};

/// `n` attackers, each holding a connection with half a request line and
/// opening a new one whenever the server closes it or a few seconds pass.
struct Attack {
    stop: Arc<AtomicBool>,
    /// Attackers that have had a connection open at least once.
    started: Arc<AtomicUsize>,
    /// Connections opened in all.
    opened: Arc<AtomicUsize>,
    runtime: tokio::runtime::Runtime,
}

impl Attack {
    fn start(addr: SocketAddr, n: usize) -> Attack {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicUsize::new(0));
        let opened = Arc::new(AtomicUsize::new(0));
        for i in 0..n {
            let (stop, started, opened) = (Arc::clone(&stop), Arc::clone(&started), Arc::clone(&opened));
            runtime.spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut first = true;
                while !stop.load(Ordering::Relaxed) {
                    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    if stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: attacker").await.is_err() {
                        continue;
                    }
                    opened.fetch_add(1, Ordering::Relaxed);
                    if std::mem::take(&mut first) {
                        started.fetch_add(1, Ordering::Relaxed);
                    }
                    // Renewed every 2 to 4 s, before the server's 5 s header
                    // timeout, or at once when the server closes it.
                    let hold = Duration::from_millis(2000 + (i as u64 * 7919) % 2000);
                    let mut buf = [0u8; 256];
                    let _ = tokio::time::timeout(hold, stream.read(&mut buf)).await;
                }
            });
        }
        Attack { stop, started, opened, runtime }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.runtime.shutdown_timeout(Duration::from_secs(10));
    }
}

#[test]
fn scrapes_get_through_2000_half_open_connections() {
    const ATTACKERS: usize = 2000;
    // The attackers' sockets here, the demo's (up to its 1,024 connections)
    // there: both processes inherit this limit.
    let needed = ATTACKERS as u64 + 300;
    let limit = common::raise_open_files_limit(8192);
    assert!(limit >= needed, "open files limited to {limit}: the test needs {needed}");
    let demo = Demo::start(&[]);
    let addr = demo.addr;
    let attack = Attack::start(addr, ATTACKERS);
    let deadline = Instant::now() + Duration::from_secs(60);
    while attack.started.load(Ordering::Relaxed) < ATTACKERS {
        assert!(Instant::now() < deadline, "only {} attackers connected", attack.started.load(Ordering::Relaxed));
        thread::sleep(Duration::from_millis(50));
    }
    // Every attacker has held a connection; they go on renewing them while
    // scrapes and probes are made, one after the other.
    for _ in 0..10 {
        let (status, body) = get(addr, "/metrics").expect("a scrape gets an answer");
        assert_eq!(status, 200, "{}", body.lines().next().unwrap_or(""));
        assert!(body.contains("# TYPE trc_http_requests_total counter"));
        let (status, body) = get(addr, "/health").expect("a probe gets an answer");
        assert_eq!((status, body.ends_with("\r\n\r\nok")), (200, true));
    }
    let (_, last) = get(addr, "/metrics").expect("a scrape gets an answer");
    let opened = attack.opened.load(Ordering::Relaxed);
    let (rss, peak) = demo.memory();
    attack.stop();
    let evicted = last
        .lines()
        // Every series carries the demo's constant label first.
        .find_map(|l| l.strip_prefix(r#"metrics_export_rejected_connections_total{service="demo",reason="evicted"} "#))
        .map_or(0.0, |v| v.parse::<f64>().unwrap());
    eprintln!(
        "{ATTACKERS} attackers opened {opened} connections; the server evicted {evicted}; its resident memory: {} KiB \
         now, {} KiB at the peak",
        rss >> 10,
        peak >> 10
    );
    assert!(evicted > 0.0, "the limit was never reached");
    assert!(peak < 64 << 20, "the server's resident memory peaked at {} MiB", peak >> 20);
    demo.stop();
}

/// Sends raw bytes and reads until the server closes or `patience` passes.
fn raw(addr: SocketAddr, bytes: &[u8], patience: Duration) {
    let Ok(mut stream) = TcpStream::connect(addr) else { return };
    let _ = stream.set_read_timeout(Some(patience));
    // The server may close before reading everything: a write error is fine.
    let _ = stream.write_all(bytes);
    let _ = stream.read_to_end(&mut Vec::new());
}

#[test]
fn hostile_connections_do_not_grow_memory() {
    let demo = Demo::start(&[]);
    let addr = demo.addr;
    // Warm up: the first scrapes size the buffers.
    for _ in 0..5 {
        assert_eq!(get(addr, "/metrics").unwrap().0, 200);
    }
    let (before, _) = demo.memory();
    let big = format!("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(64 * 1024));
    thread::scope(|s| {
        for worker in 0..8 {
            let big = big.as_bytes();
            s.spawn(move || {
                for i in 0..125 {
                    let answered = Duration::from_secs(30);
                    match (worker + i) % 4 {
                        0 => raw(addr, big, answered),
                        1 => raw(addr, b"\x00\xff garbage \r\n\r\n", answered),
                        // Half a head, then silence, and gone before the
                        // server's 5 s header timeout: up to 250 of these
                        // are open on the server side at once.
                        2 => raw(addr, b"GET /metrics HTTP/1.1\r\nHost:", Duration::from_millis(200)),
                        // Connect and leave at once.
                        _ => drop(TcpStream::connect(addr)),
                    }
                }
            });
        }
    });
    assert_eq!(get(addr, "/metrics").unwrap().0, 200);
    let (after, peak) = demo.memory();
    let grown = after.saturating_sub(before);
    eprintln!(
        "the server's resident memory grew by {} KiB over 1,000 hostile connections (peak {} KiB)",
        grown >> 10,
        peak >> 10
    );
    assert!(grown < 50 << 20, "resident memory grew by {} MiB over 1,000 hostile connections", grown >> 20);
    demo.stop();
}
