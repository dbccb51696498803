//! A real Prometheus server scrapes the demo every second; the test asks
//! Prometheus's HTTP API what it stored: `up` is 1, every declared family is
//! there, a counter the workload drives increases, and `histogram_quantile`
//! over a histogram gives a finite value. Over HTTPS, with a CA made at test
//! time, Prometheus scrapes the demo when it trusts the CA and fails when it
//! does not, and a bearer token rotated on disk takes effect without a
//! restart.
//!
//! Prometheus gets its own config and data directory under a temp dir and a
//! free loopback port, and is killed by pid when the test ends, failed or not.
//! Under `CI=true` a missing `prometheus` binary fails the test.
//!
//! The test waits for conditions (Prometheus ready, a value present, a value
//! grown), each for at most a generous deadline; none of its assertions is
//! about how long something took.

use std::collections::BTreeSet;
use std::time::Duration;

use metricate::MetricKind;
use metricate::server::ServerBuilder;
use tests::TempDir;
use tests::prometheus::Prometheus;
use tests::tls::Authority;

#[test]
fn a_real_prometheus_scrapes_the_demo() {
    let Some(binary) = tests::prometheus() else { return };
    let demo = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap())).expect("the demo starts");
    let job = format!("  - job_name: demo\n    static_configs:\n      - targets: ['{}']\n", demo.local_addr());
    let mut prometheus = Prometheus::start(&binary, &job);
    prometheus.wait_ready();

    // The target is up.
    let up = prometheus.wait_for(r#"up{job="demo"}"#, Duration::from_secs(30), |v| v == 1.0);
    assert_eq!(up, 1.0);

    // Every declared family is stored, under the names its samples carry.
    let registry = metricate::global().unwrap();
    let expected: BTreeSet<String> = registry
        .iter()
        .map(|r| r.descriptor)
        .filter(|d| d.name.starts_with("trc_"))
        .map(|d| match d.kind {
            MetricKind::Histogram => format!("{}_bucket", d.name),
            _ => d.name.to_owned(),
        })
        .collect();
    assert!(expected.len() >= 68, "{} trc_ families", expected.len());
    let stored: BTreeSet<String> = prometheus
        .query(r#"count by (__name__) ({__name__=~"trc_.+", job="demo"})"#)
        .iter()
        .filter_map(|series| series["metric"]["__name__"].as_str().map(str::to_owned))
        .collect();
    let missing: Vec<&String> = expected.difference(&stored).collect();
    assert!(missing.is_empty(), "families Prometheus did not store: {missing:?}");

    // A counter the workload drives increases between two queries.
    let counter = r#"sum(trc_http_requests_total{job="demo"})"#;
    let first = prometheus.wait_for(counter, Duration::from_secs(10), |v| v > 0.0);
    let second = prometheus.wait_for(counter, Duration::from_secs(30), |v| v > first);
    assert!(second > first);

    // A histogram gives a finite quantile.
    let quantile =
        r#"histogram_quantile(0.9, sum by (le) (rate(trc_http_request_duration_seconds_bucket{job="demo"}[10s])))"#;
    let p90 = prometheus.wait_for(quantile, Duration::from_secs(30), f64::is_finite);
    assert!(p90 > 0.0, "p90 {p90}");

    drop(prometheus);
    demo.shutdown().unwrap();
}

#[test]
fn a_real_prometheus_scrapes_the_demo_over_https_with_a_rotated_token() {
    let Some(binary) = tests::prometheus() else { return };
    let dir = TempDir::new("prometheus-tls");
    let ca = Authority::new("metrics test CA");
    let ca_file = ca.write_cert(&dir.join("ca.crt"));
    let issued = ca.server(dir.path(), "demo");
    // The demo's token file, and the one Prometheus sends from.
    let token_file = dir.replace("served-token", "first-token\n");
    let sent = dir.replace("sent-token", "first-token\n");
    let server = ServerBuilder::new()
        .listen("127.0.0.1:0".parse().unwrap())
        .tls(&issued.cert, &issued.key)
        .bearer_token_file(&token_file);
    let demo = demo::start(demo::Options { server, workload: true }).expect("the demo starts");
    let target = demo.local_addr();
    let job = |name: &str, tls: &str| {
        format!(
            "  - job_name: {name}\n    scheme: https\n{tls}    authorization:\n      credentials_file: {}\n    \
             static_configs:\n      - targets: ['{target}']\n",
            sent.display()
        )
    };
    let jobs =
        job("trusting", &format!("    tls_config:\n      ca_file: {}\n", ca_file.display())) + &job("untrusting", "");
    let mut prometheus = Prometheus::start(&binary, &jobs);
    prometheus.wait_ready();

    // Trusting the CA: scraped, and the samples are stored.
    prometheus.wait_for(r#"up{job="trusting"}"#, Duration::from_secs(30), |v| v == 1.0);
    prometheus.wait_for(r#"sum(trc_http_requests_total{job="trusting"})"#, Duration::from_secs(30), |v| v > 0.0);
    // Without the CA: the scrape fails on the certificate.
    prometheus.wait_for(r#"up{job="untrusting"}"#, Duration::from_secs(30), |v| v == 0.0);
    let untrusting = prometheus.targets().into_iter().find(|(job, ..)| job == "untrusting").expect("the target");
    assert!(untrusting.2.contains("certificate"), "{untrusting:?}");

    // The demo's token rotates: Prometheus's old one is refused...
    dir.replace("served-token", "second-token\n");
    prometheus.wait_for(r#"up{job="trusting"}"#, Duration::from_secs(30), |v| v == 0.0);
    let refused = prometheus.targets().into_iter().find(|(job, ..)| job == "trusting").expect("the target");
    assert!(refused.2.contains("401"), "{refused:?}");
    // ...until it sends the new one; the demo never restarted.
    dir.replace("sent-token", "second-token\n");
    prometheus.wait_for(r#"up{job="trusting"}"#, Duration::from_secs(30), |v| v == 1.0);

    drop(prometheus);
    demo.shutdown().unwrap();
}
