//! The demo end to end: the spec's bounded label sets, the workload moving
//! every metric, and the HTTP server exposing them. (The catalogue itself is
//! checked family by family in `tests/tests/seed_catalogue.rs`.)

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use metricate::{MetricKind, OwnedValue};

const FORBIDDEN_LABELS: &[&str] = &["route_id", "node_id", "org_id", "env_id", "instance_id"];

fn registry() -> &'static metricate::Registry<'static> {
    // Link the crate so that its declarations are registered.
    let _ = demo::metrics::api::Http::global();
    metricate::global().expect("the global registry checks")
}

#[test]
fn no_forbidden_label_and_the_spec_enums() {
    let registry = registry();
    for metric in registry.iter() {
        for label in metric.descriptor.labels {
            assert!(!FORBIDDEN_LABELS.contains(&label.name), "{} has `{}`", metric.descriptor.name, label.name);
        }
    }
    let values = |name: &str, label: &str| -> Vec<&str> {
        let d = registry.get(name).unwrap().descriptor;
        d.labels.iter().find(|l| l.name == label).unwrap().values.to_vec()
    };
    assert_eq!(
        values("trc_scheduler_unschedulable_total", "reason"),
        [
            "no_capacity_memory",
            "no_nodes_active",
            "volume_locality_no_node",
            "ipam_exhausted",
            "secrets_missing",
            "org_quota_exceeded"
        ]
    );
    assert_eq!(
        values("trc_agent_instance_failures_total", "reason"),
        [
            "image_pull_failed",
            "rootfs_build_failed",
            "firecracker_start_failed",
            "network_setup_failed",
            "volume_attach_failed",
            "secrets_missing",
            "secrets_injection_failed",
            "healthcheck_failed",
            "oom_killed",
            "crash_loop_backoff"
        ]
    );
    assert_eq!(values("trc_agent_cache_bytes", "kind"), ["oci", "rootdisks", "tmp"]);
    assert_eq!(values("trc_edge_sni_sniffs_total", "result"), ["ok", "timeout", "not_tls", "no_sni"]);
}

/// Every `trc_` counter and histogram whose total is still zero.
fn unmoved() -> Vec<&'static str> {
    let snapshot = registry().snapshot(|d| d.name.starts_with("trc_"));
    snapshot
        .families()
        .iter()
        .filter(|family| {
            let total: f64 = family
                .series()
                .iter()
                .map(|s| match s.value() {
                    OwnedValue::Histogram { count, .. } => *count as f64,
                    v if family.descriptor().kind == MetricKind::Counter => v.as_f64(),
                    _ => 1.0,
                })
                .sum();
            total == 0.0
        })
        .map(|family| family.descriptor().name)
        .collect()
}

#[test]
fn the_workload_moves_every_counter_and_histogram() {
    let running = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap())).unwrap();
    let started = Instant::now();
    let mut left = unmoved();
    while !left.is_empty() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
        left = unmoved();
    }
    let elapsed = started.elapsed();
    running.shutdown().unwrap();
    assert!(left.is_empty(), "not moved after {elapsed:?}: {left:?}");
    assert!(elapsed < Duration::from_secs(3), "every counter moved, but only after {elapsed:?}");
}

/// One HTTP/1.1 request: status line, lower-cased headers, body.
fn http(addr: SocketAddr, method: &str, path: &str, accept: Option<&str>) -> (String, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let accept = accept.map(|a| format!("Accept: {a}\r\n")).unwrap_or_default();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: demo\r\n{accept}Connection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().to_owned();
    let headers =
        lines.map(|l| l.split_once(": ").unwrap()).map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned())).collect();
    (status, headers, body.to_owned())
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> &'h str {
    headers.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v)
}

#[test]
fn serves_metrics_health_and_404() {
    let running =
        demo::start(demo::Options { workload: false, ..demo::Options::new("127.0.0.1:0".parse().unwrap()) }).unwrap();
    let addr = running.local_addr();
    assert_ne!(addr.port(), 0);

    let (status, headers, body) = http(addr, "GET", "/metrics", None);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(header(&headers, "content-type"), "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(header(&headers, "content-length"), body.len().to_string());
    assert!(body.contains("# TYPE trc_http_requests_total counter\n"));
    assert!(body.contains("# TYPE trc_agent_instance_boot_seconds histogram\n"));
    assert!(!body.contains("# EOF"));

    let accept = Some("application/openmetrics-text; version=1.0.0");
    let (status, headers, body) = http(addr, "GET", "/metrics", accept);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(header(&headers, "content-type"), "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assert!(body.contains("# TYPE trc_http_requests counter\n"));
    assert!(body.contains("# UNIT trc_agent_overlay_handshake_max_age_seconds seconds\n"));
    assert!(body.ends_with("# EOF\n"));

    let (status, headers, body) = http(addr, "HEAD", "/metrics", None);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(header(&headers, "content-type"), "text/plain; version=0.0.4; charset=utf-8");
    assert!(body.is_empty());

    let (status, _, body) = http(addr, "GET", "/health", None);
    assert_eq!((status.as_str(), body.as_str()), ("HTTP/1.1 200 OK", "ok"));
    let (status, _, _) = http(addr, "GET", "/nope", None);
    assert_eq!(status, "HTTP/1.1 404 Not Found");

    running.shutdown().unwrap();
    assert!(TcpStream::connect(addr).is_err(), "still accepting after shutdown");
}

#[test]
fn a_bind_failure_is_an_error() {
    let running =
        demo::start(demo::Options { workload: false, ..demo::Options::new("127.0.0.1:0".parse().unwrap()) }).unwrap();
    let error = demo::start(demo::Options { workload: false, ..demo::Options::new(running.local_addr()) }).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
    assert!(error.to_string().contains(&running.local_addr().to_string()), "{error}");
    running.shutdown().unwrap();
}
