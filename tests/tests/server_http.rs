//! The exposition server over real sockets: endpoints, negotiation, gzip,
//! auth, concurrency, and clients that misbehave (slow, oversized, garbage,
//! too many) — which must not hurt the scrapes of well-behaved ones.
//!
//! Each test runs a server of its own on a free loopback port. No assertion
//! depends on timing: a client that the server must cut off is given far
//! longer than the server's limit to finish, and the test checks that the
//! server closed the connection before it could.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use metricate::server::{BackgroundServer, ServerBuilder, ServerError};
use tests::{http_get, request};

fn server(builder: ServerBuilder) -> BackgroundServer {
    // The demo's metrics are registered only if its code is linked in.
    let _ = demo::metrics::api::Http::global();
    builder.listen("127.0.0.1:0".parse().unwrap()).spawn().expect("the server starts")
}

/// The value of `metrics_export_*` series with these labels, read from the
/// server's own exposition.
fn self_metric(addr: SocketAddr, sample: &str) -> f64 {
    tests::sample_value(&http_get(addr, "/metrics", &[]).unwrap().text(), sample)
}

/// Sends raw bytes and reads until the server closes (or 30 s pass).
fn raw(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // The server may close before reading everything: a write error is fine.
    let _ = stream.write_all(bytes);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    out
}

fn status_of(raw: &[u8]) -> Option<u16> {
    std::str::from_utf8(raw.get(..12)?).ok()?.strip_prefix("HTTP/1.1 ")?.parse().ok()
}

#[test]
fn get_head_404_405_and_health() {
    let server = server(ServerBuilder::new());
    let addr = server.local_addr();
    let get = http_get(addr, "/metrics", &[]).unwrap();
    assert_eq!(get.status, 200);
    assert_eq!(get.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    assert!(get.text().contains("# TYPE trc_http_requests_total counter\n"));
    let head = request(addr, "HEAD", "/metrics", &[]).unwrap();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let length: usize = head.header("content-length").unwrap().parse().unwrap();
    assert!(length > 10_000, "HEAD announces the body's length: {length}");

    let health = http_get(addr, "/health", &[]).unwrap();
    assert_eq!((health.status, health.text().as_str()), (200, "ok"));
    for path in ["/index.html", "/metricsx", "/metrics/", "/health/x", "/catalog/", "/live/x", "/stream/"] {
        assert_eq!(http_get(addr, path, &[]).unwrap().status, 404, "{path}");
    }
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        for path in ["/", "/metrics", "/health", "/catalog", "/catalog.json", "/live", "/stream"] {
            let response = request(addr, method, path, &[("Content-Length", "0")]).unwrap();
            assert_eq!(response.status, 405, "{method} {path}");
            assert_eq!(response.header("allow"), Some("GET, HEAD"));
        }
    }
    server.shutdown().unwrap();
}

#[test]
fn negotiation_with_q_values() {
    let server = server(ServerBuilder::new());
    let addr = server.local_addr();
    let content_type = |accept: &str| http_get(addr, "/metrics", &[("Accept", accept)]).unwrap();
    let openmetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    let text = "text/plain; version=0.0.4; charset=utf-8";
    for (accept, expected) in [
        ("application/openmetrics-text; version=1.0.0", openmetrics),
        ("application/openmetrics-text;version=1.0.0;q=0.9,text/plain;q=0.5", openmetrics),
        ("application/openmetrics-text;version=1.0.0;q=0.2,text/plain;q=0.5", text),
        ("text/plain", text),
        ("*/*", text),
        ("application/openmetrics-text; version=1.0.0; q=0", text),
    ] {
        let response = content_type(accept);
        assert_eq!(response.header("content-type"), Some(expected), "Accept: {accept}");
        if expected == openmetrics {
            assert!(response.text().ends_with("# EOF\n"));
        }
    }
    server.shutdown().unwrap();
}

#[test]
fn gzip_round_trip() {
    let server = server(ServerBuilder::new());
    let addr = server.local_addr();
    let plain = http_get(addr, "/metrics", &[]).unwrap();
    assert_eq!(plain.header("content-encoding"), None);
    let zipped = http_get(addr, "/metrics", &[("Accept-Encoding", "deflate, gzip;q=0.8")]).unwrap();
    assert_eq!(zipped.status, 200);
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    assert!(zipped.header("vary").unwrap().contains("Accept-Encoding"));
    assert!(zipped.body.len() * 4 < plain.body.len(), "{} vs {}", zipped.body.len(), plain.body.len());
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(zipped.body.as_slice()).read_to_string(&mut decoded).unwrap();
    // The same families, in the same order (values move between scrapes).
    let families =
        |text: &str| text.lines().filter(|l| l.starts_with("# TYPE ")).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(families(&decoded), families(&plain.text()));
    let refused = http_get(addr, "/metrics", &[("Accept-Encoding", "gzip;q=0, identity")]).unwrap();
    assert_eq!(refused.header("content-encoding"), None);
    server.shutdown().unwrap();
}

#[test]
fn catalog_json_lists_every_descriptor() {
    let server = server(ServerBuilder::new());
    let response = http_get(server.local_addr(), "/catalog.json", &[]).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let catalog = metricate_catalog::json::Catalog::from_json(&response.text()).unwrap();
    let registry = metricate::global().unwrap();
    assert_eq!(catalog.metrics.len(), registry.len());
    let requests = catalog.metric("trc_http_requests_total").unwrap();
    assert_eq!(requests.kind, metricate_catalog::MetricKind::Counter);
    let method = requests.labels.iter().find(|l| l.name == "method").unwrap();
    assert_eq!(method.values, ["GET", "POST", "PATCH", "DELETE"]);
    assert!(requests.source.file.ends_with("api.rs"), "{:?}", requests.source);
    let boot = catalog.metric("trc_agent_instance_boot_seconds").unwrap();
    assert_eq!((boot.kind.as_str(), boot.unit.as_deref()), ("histogram", Some("seconds")));
    assert!(!boot.buckets.is_empty());
    server.shutdown().unwrap();
}

#[test]
fn bearer_token_on_and_off() {
    let open = server(ServerBuilder::new());
    assert_eq!(http_get(open.local_addr(), "/metrics", &[]).unwrap().status, 200);
    open.shutdown().unwrap();

    let secured = server(ServerBuilder::new().bearer_token("s3cret-token"));
    let addr = secured.local_addr();
    let scrape = |auth: Option<&str>| {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        http_get(addr, "/metrics", &headers).unwrap()
    };
    let refused = scrape(None);
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("www-authenticate"), Some("Bearer realm=\"metrics\""));
    assert!(!refused.text().contains("trc_"));
    assert_eq!(scrape(Some("Bearer wrong")).status, 401);
    assert_eq!(scrape(Some("Bearer s3cret-toke")).status, 401);
    assert_eq!(scrape(Some("Basic s3cret-token")).status, 401);
    assert_eq!(scrape(Some("Bearer s3cret-token")).status, 200);
    assert_eq!(http_get(addr, "/catalog.json", &[]).unwrap().status, 401);
    assert_eq!(http_get(addr, "/catalog.json", &[("Authorization", "Bearer s3cret-token")]).unwrap().status, 200);
    assert_eq!(http_get(addr, "/health", &[]).unwrap().status, 200, "liveness stays open");
    secured.shutdown().unwrap();
}

#[test]
fn many_concurrent_scrapes() {
    let server = server(ServerBuilder::new().max_connections(64));
    let addr = server.local_addr();
    thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(move || {
                for _ in 0..10 {
                    let response = http_get(addr, "/metrics", &[("Accept-Encoding", "gzip")]).unwrap();
                    assert_eq!(response.status, 200);
                }
            });
        }
    });
    let scrapes = self_metric(addr, r#"metrics_export_scrapes_total{format="prometheus",status="200"}"#);
    assert!(scrapes >= 160.0, "{scrapes}");
    server.shutdown().unwrap();
}

#[test]
fn a_slow_client_is_cut_off_while_others_are_served() {
    let server = server(ServerBuilder::new().header_read_timeout(Duration::from_secs(2)));
    let addr = server.local_addr();
    let head = b"GET /metrics HTTP/1.1\r\nHost: slow\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let cut_off = AtomicBool::new(false);
    let sent = std::sync::atomic::AtomicUsize::new(0);
    thread::scope(|s| {
        s.spawn(|| {
            // One byte per second: the whole head would take over two
            // minutes, far beyond the server's 2 s.
            let mut stream = TcpStream::connect(addr).unwrap();
            for byte in head {
                if stream.write_all(&[*byte]).is_err() {
                    cut_off.store(true, Ordering::SeqCst);
                    return;
                }
                sent.fetch_add(1, Ordering::SeqCst);
                stream.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
                let mut buf = [0u8; 256];
                match stream.read(&mut buf) {
                    // Nothing yet: keep sending.
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    // Closed (with or without a 408), or reset.
                    Ok(_) | Err(_) => {
                        cut_off.store(true, Ordering::SeqCst);
                        return;
                    }
                }
            }
        });
        // Meanwhile, scrapes are served.
        for _ in 0..10 {
            assert_eq!(http_get(addr, "/metrics", &[]).unwrap().status, 200);
            thread::sleep(Duration::from_millis(100));
        }
    });
    assert!(cut_off.load(Ordering::SeqCst), "the slow client sent its whole head");
    assert!(sent.load(Ordering::SeqCst) < head.len());
    assert!(self_metric(addr, r#"metrics_export_rejected_connections_total{reason="header_timeout"}"#) >= 1.0);
    server.shutdown().unwrap();
}

#[test]
fn oversized_headers_get_431_and_garbage_gets_400() {
    let server = server(ServerBuilder::new().max_header_bytes(8192));
    let addr = server.local_addr();
    let big = format!("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(20_000));
    assert_eq!(status_of(&raw(addr, big.as_bytes())), Some(431));
    let many: String = (0..200).fold(String::new(), |mut head, i| {
        // Writing to a String cannot fail.
        let _ = std::fmt::Write::write_fmt(&mut head, format_args!("X-H{i}: v\r\n"));
        head
    });
    let many = format!("GET /metrics HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    assert_eq!(status_of(&raw(addr, many.as_bytes())), Some(431));
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage-tls-hello\r\n\r\n"[..],
        b"GARBAGE\r\n\r\n",
        b"GET /metrics HTTP/9.9\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost x\r\n\r\n",
        b"\0\0\0\0\r\n\r\n",
    ] {
        assert_eq!(status_of(&raw(addr, garbage)), Some(400), "{garbage:?}");
    }
    // The server is still fine.
    assert_eq!(http_get(addr, "/metrics", &[]).unwrap().status, 200);
    assert!(self_metric(addr, r#"metrics_export_rejected_connections_total{reason="bad_request"}"#) >= 5.0);
    assert!(self_metric(addr, r#"metrics_export_rejected_connections_total{reason="header_too_large"}"#) >= 2.0);
    server.shutdown().unwrap();
}

#[test]
fn at_the_limit_the_longest_idle_connection_makes_room() {
    let server = server(ServerBuilder::new().max_connections(3));
    let addr = server.local_addr();
    let evicted = || self_metric(addr, r#"metrics_export_rejected_connections_total{reason="evicted"}"#);
    let before = evicted();
    // Three connections hold every slot, each with half a request head; the
    // first one has waited longest.
    let mut held: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream.write_all(b"GET /metrics HTTP/1.1\r\n").unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            thread::sleep(Duration::from_millis(20));
            stream
        })
        .collect();
    // A scraper is served all the same...
    let scrape = http_get(addr, "/metrics", &[]).unwrap();
    assert_eq!(scrape.status, 200);
    // ...because the oldest held connection was closed for it: it reads the
    // end of the stream (or a reset) long before its 30 s read timeout.
    let mut buf = [0u8; 64];
    let oldest = held.remove(0).read(&mut buf);
    assert!(matches!(oldest, Ok(0) | Err(_)), "the oldest connection is still open: {oldest:?}");
    // The other two are still open: they can finish their request.
    for mut stream in held {
        stream.write_all(b"Host: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        assert_eq!(status_of(&response), Some(200));
    }
    assert!(evicted() > before, "evictions are counted");
    server.shutdown().unwrap();
}

#[test]
fn http_1_1_needs_exactly_one_host() {
    let server = server(ServerBuilder::new());
    let addr = server.local_addr();
    for (head, status) in [
        (&b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"[..], 400),
        (b"GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", 400),
        (b"GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200),
    ] {
        assert_eq!(status_of(&raw(addr, head)), Some(status), "{}", String::from_utf8_lossy(head));
    }
    // HTTP/1.0 had no Host header.
    assert!(raw(addr, b"GET /health HTTP/1.0\r\n\r\n").starts_with(b"HTTP/1.0 200 OK\r\n"));
    server.shutdown().unwrap();
}

#[test]
fn a_client_that_stops_reading_is_cut_off() {
    let server = server(ServerBuilder::new().send_timeout(Duration::from_millis(500)));
    let addr = server.local_addr();
    let timeouts = || self_metric(addr, r#"metrics_export_rejected_connections_total{reason="send_timeout"}"#);
    let before = timeouts();
    // Many pipelined scrapes, whose responses (tens of MB) cannot fit in the
    // socket buffers, and nobody reading them.
    let mut stream = TcpStream::connect(addr).unwrap();
    let pipelined = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100);
    stream.write_all(&pipelined).unwrap();
    // Wait (far longer than the timeout) until the server gives up.
    let cut_off = (0..600).any(|_| {
        thread::sleep(Duration::from_millis(50));
        timeouts() > before
    });
    assert!(cut_off, "the stalled connection was not closed");
    // Reading now finds the connection closed after a part of the responses.
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    assert!(received.len() < 100 * 100_000, "{} bytes arrived", received.len());
    server.shutdown().unwrap();
}

#[test]
fn bind_failures_and_bad_settings_are_errors() {
    let server = server(ServerBuilder::new());
    let taken = server.local_addr();
    let error = ServerBuilder::new().listen(taken).spawn().unwrap_err();
    assert!(
        matches!(&error, ServerError::Bind { addr, source } if *addr == taken && source.kind() == ErrorKind::AddrInUse)
    );
    assert!(error.to_string().starts_with(&format!("cannot listen on {taken}: ")), "{error}");
    let not_local = ServerBuilder::new().listen("192.0.2.1:9464".parse().unwrap()).spawn().unwrap_err();
    assert!(matches!(not_local, ServerError::Bind { .. }), "{not_local}");
    for (builder, message) in [
        (ServerBuilder::new().max_connections(0), "`max_connections` must be at least 1"),
        (ServerBuilder::new().max_header_bytes(100), "`max_header_bytes` must be from 8192 to 1048576, got 100"),
        (ServerBuilder::new().bearer_token("has space"), "the bearer token must be non-empty printable ASCII"),
        (ServerBuilder::new().header_read_timeout(Duration::ZERO), "`header_read_timeout` must be more than zero"),
        (ServerBuilder::new().send_timeout(Duration::ZERO), "`send_timeout` must be more than zero"),
        (ServerBuilder::new().tls_client_ca("ca.pem"), "`tls_client_ca` needs `tls`"),
        (
            ServerBuilder::new().bearer_token("a").bearer_token_file("t"),
            "set `bearer_token` or `bearer_token_file`, not both",
        ),
        (ServerBuilder::new().bearer_token_file("/nonexistent/token"), "cannot read the bearer token file"),
    ] {
        let error = builder.listen("127.0.0.1:0".parse().unwrap()).spawn().unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
    }
    server.shutdown().unwrap();
}

#[test]
fn shutdown_closes_the_port() {
    let server = server(ServerBuilder::new());
    let addr = server.local_addr();
    // A keep-alive connection, idle after its scrape.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 512];
    assert!(idle.read(&mut buf).unwrap() > 0);
    server.shutdown().unwrap();
    assert!(TcpStream::connect(addr).is_err(), "still accepting after shutdown");
    idle.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    assert_eq!(idle.read(&mut buf).unwrap_or(0), 0, "the idle connection was closed");
}

#[test]
fn a_request_in_flight_at_shutdown_is_answered() {
    let server = server(ServerBuilder::new().shutdown_timeout(Duration::from_secs(30)));
    let addr = server.local_addr();
    let mut stream = TcpStream::connect(addr).unwrap();
    // The request has started: its head is half sent.
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n").unwrap();
    thread::sleep(Duration::from_millis(200));
    let stopping = thread::spawn(move || server.shutdown());
    // Shutdown has begun: new connections are refused...
    let refused = (0..500).any(|_| {
        thread::sleep(Duration::from_millis(10));
        TcpStream::connect(addr).is_err()
    });
    assert!(refused, "the port stayed open");
    // ...but the request in flight completes.
    stream.write_all(b"Connection: close\r\n\r\n").unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    assert_eq!(status_of(&response), Some(200));
    assert!(String::from_utf8_lossy(&response).contains("# TYPE trc_http_requests_total counter"));
    stopping.join().unwrap().unwrap();
}

#[test]
fn serves_on_the_callers_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let server = ServerBuilder::new().listen("127.0.0.1:0".parse().unwrap()).bind().await.unwrap();
        let addr = server.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve_until(async {
            let _ = stopped.await;
        }));
        let response = tokio::task::spawn_blocking(move || http_get(addr, "/metrics", &[]).unwrap()).await.unwrap();
        assert_eq!(response.status, 200);
        stop.send(()).unwrap();
        serving.await.unwrap();
        assert!(TcpStream::connect(addr).is_err());
    });
}

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0";

#[cfg(target_os = "linux")]
#[test]
fn process_metrics_are_served_and_can_be_left_out() {
    let with = server(ServerBuilder::new());
    let without = server(ServerBuilder::new().process_metrics(false));
    let text = http_get(with.local_addr(), "/metrics", &[]).unwrap().text();
    for name in metricate_catalog::PROCESS_METRICS {
        let sample = text.lines().find(|l| l.starts_with(name) && !l.starts_with('#'));
        let value: f64 =
            sample.unwrap_or_else(|| panic!("{name} is served")).rsplit(' ').next().unwrap().parse().unwrap();
        assert!(value >= 0.0, "{name} {value}");
    }
    let text = http_get(without.local_addr(), "/metrics", &[]).unwrap().text();
    assert!(!text.contains("process_"), "left out");
    assert!(text.contains("metrics_export_scrapes_total"), "the runtime's own stay");
    with.shutdown().unwrap();
    without.shutdown().unwrap();
}

#[test]
fn self_metrics_can_be_left_out() {
    let with = server(ServerBuilder::new());
    let without = server(ServerBuilder::new().self_metrics(false));
    let ours = |name: &str| name.starts_with("metrics_export_");
    for accept in ["text/plain", OPENMETRICS] {
        let scrape = |server: &BackgroundServer| http_get(server.local_addr(), "/metrics", &[("Accept", accept)]);
        let all = tests::declared_types(&scrape(&with).unwrap().text());
        let text = scrape(&without).unwrap().text();
        assert!(!text.contains("metrics_export_"), "{accept}: none of the runtime's own metrics:\n{text}");
        // Three of the record path, eleven of the server, eight of the exporter.
        assert_eq!(all.iter().filter(|(name, _)| ours(name)).count(), 22, "{accept}: {all:?}");
        let others: Vec<_> = all.into_iter().filter(|(name, _)| !ours(name)).collect();
        assert_eq!(tests::declared_types(&text), others, "{accept}: every other family is served");
    }
    let catalog = |server: &BackgroundServer| {
        let text = http_get(server.local_addr(), "/catalog.json", &[]).unwrap().text();
        metricate_catalog::json::Catalog::from_json(&text).unwrap().metrics.into_iter().map(|m| m.name)
    };
    let (all, some): (Vec<String>, Vec<String>) = (catalog(&with).collect(), catalog(&without).collect());
    assert_eq!(all.iter().filter(|name| ours(name)).count(), 22);
    assert_eq!(some, all.into_iter().filter(|name| !ours(name)).collect::<Vec<_>>());
    with.shutdown().unwrap();
    without.shutdown().unwrap();
}

#[test]
fn quiet_serves_only_the_series_recorded_to() {
    let quiet = server(ServerBuilder::new().quiet(true));
    let dense = server(ServerBuilder::new());
    // The first scrape is counted; the next one shows it.
    http_get(quiet.local_addr(), "/metrics", &[]).unwrap();
    for (accept, format, served) in [
        ("text/plain", metricate_catalog::exposition::Format::Prometheus, "prometheus"),
        (OPENMETRICS, metricate_catalog::exposition::Format::OpenMetrics, "openmetrics"),
    ] {
        http_get(quiet.local_addr(), "/metrics", &[("Accept", accept)]).unwrap();
        let text = http_get(quiet.local_addr(), "/metrics", &[("Accept", accept)]).unwrap().text();
        let exposition = metricate_catalog::exposition::parse(&text, format).unwrap_or_else(|e| panic!("{e}:\n{text}"));
        // Every family keeps its metadata lines.
        let all =
            tests::declared_types(&http_get(dense.local_addr(), "/metrics", &[("Accept", accept)]).unwrap().text());
        assert_eq!(tests::declared_types(&text), all);
        let served_ok = format!("metrics_export_scrapes_total{{format=\"{served}\",status=\"200\"}} ");
        assert!(text.contains(&served_ok), "{accept}: a series recorded to is served:\n{text}");
        assert!(!text.contains("status=\"500\""), "{accept}: a series never recorded to is not:\n{text}");
        assert!(text.contains("metrics_export_scrapes_in_flight "), "{accept}: a metric without labels always is");
        // Of the labeled counters and histograms, only series above zero.
        for family in &exposition.families {
            for sample in family.samples.iter().filter(|s| !s.labels.is_empty()) {
                let counted = match family.kind.as_deref() {
                    Some("counter") => sample.name.ends_with("_total"),
                    Some("histogram") => sample.name.ends_with("_count"),
                    _ => false,
                };
                assert!(!counted || sample.value > 0.0, "{accept}: {} {:?} is zero", sample.name, sample.labels);
            }
        }
    }
    quiet.shutdown().unwrap();
    dense.shutdown().unwrap();
}
