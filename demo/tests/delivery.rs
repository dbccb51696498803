//! The demo's `--remote-write` and `--otlp` flags: the demo process delivers
//! to a real Prometheus receiving remote writes and to the OTLP test
//! receiver (which decodes with the official OpenTelemetry definitions), at
//! the cadence `--push-interval` sets.

mod common;

use std::time::Duration;

use common::Demo;
use tests::otlp::OtlpReceiver;
use tests::prometheus::Prometheus;

#[test]
fn the_demo_feeds_a_remote_write_receiver_and_an_otlp_collector() {
    let Some(binary) = tests::prometheus() else { return };
    let Some(python) = tests::otlp_python(env!("CARGO_TARGET_TMPDIR")) else { return };
    let mut prometheus = Prometheus::start_with(&binary, "", &["--web.enable-remote-write-receiver"]);
    prometheus.wait_ready();
    let receiver = OtlpReceiver::start(&python);
    let remote_write = format!("http://{}/api/v1/write", prometheus.addr());
    let demo =
        Demo::start(&["--remote-write", &remote_write, "--otlp", &receiver.base_url(), "--push-interval", "500ms"]);

    // Remote-write: the demo's request counter, with job="demo".
    let requests =
        prometheus.wait_for(r#"sum(trc_http_requests_total{job="demo"})"#, Duration::from_secs(60), |v| v > 0.0);
    assert!(requests > 0.0);
    assert!(prometheus.value(r#"count(trc_http_request_duration_seconds_bucket{job="demo"})"#).unwrap_or(0.0) > 0.0);

    // OTLP: the service, and the same counter as a cumulative sum.
    tests::wait_until("an OTLP request with the demo's counters", Duration::from_secs(60), || {
        receiver.requests().iter().any(|r| r["request"].to_string().contains("\"trc_http_requests\""))
    });
    let requests = receiver.requests();
    let request = &requests.last().unwrap()["request"]["resource_metrics"][0];
    let attributes = request["resource"]["attributes"].to_string();
    assert!(attributes.contains(r#""key":"service.name","value":{"string_value":"demo"}"#), "{attributes}");
    let metrics = request["scope_metrics"][0]["metrics"].as_array().unwrap();
    let counter = metrics.iter().find(|m| m["name"] == "trc_http_requests").unwrap();
    assert_eq!(counter["sum"]["is_monotonic"], true);
    drop(demo);
}
