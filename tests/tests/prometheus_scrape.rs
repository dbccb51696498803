//! A real Prometheus server scrapes the demo every second; the test asks
//! Prometheus's HTTP API what it stored: `up` is 1, every declared family is
//! there, a counter the workload drives increases, and `histogram_quantile`
//! over a histogram gives a finite value.
//!
//! Prometheus gets its own config and data directory under a temp dir and a
//! free loopback port, and is killed by pid when the test ends, failed or not.
//! Under `CI=true` a missing `prometheus` binary fails the test.
//!
//! The test waits for conditions (Prometheus ready, a value present, a value
//! grown), each for at most a generous deadline; none of its assertions is
//! about how long something took.

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use metrics_runtime::MetricKind;
use serde_json::Value;

/// A Prometheus process, killed (by pid) and reaped on drop; its temp dir is
/// removed with it.
struct Prometheus {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
}

impl Prometheus {
    fn start(binary: &std::path::Path, target: SocketAddr) -> Prometheus {
        let dir = std::env::temp_dir().join(format!("metrics-prometheus-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: demo\n    static_configs:\n      - targets: ['{target}']\n"
        );
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        // A free loopback port: bind, read it, release it.
        let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = Command::new(binary)
            .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address={addr}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("prometheus starts");
        Prometheus { child, addr, dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    /// Waits until `/-/ready` answers 200.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_mins(1);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("prometheus exited with {status}:\n{}", self.log());
            }
            if tests::http_get(self.addr, "/-/ready", &[]).is_ok_and(|r| r.status == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "prometheus not ready after a minute:\n{}", self.log());
            thread::sleep(Duration::from_millis(200));
        }
    }

    /// The result vector of an instant query.
    fn query(&self, promql: &str) -> Vec<Value> {
        let path = format!("/api/v1/query?query={}", percent_encode(promql));
        let response = tests::http_get(self.addr, &path, &[]).expect("the query API answers");
        assert_eq!(response.status, 200, "{promql}: {}", response.text());
        let body: Value = serde_json::from_slice(&response.body).expect("the API answers JSON");
        assert_eq!(body["status"], "success", "{promql}: {body}");
        body["data"]["result"].as_array().cloned().unwrap_or_default()
    }

    /// The single value of an instant query, if it has one.
    fn value(&self, promql: &str) -> Option<f64> {
        let result = self.query(promql);
        let value = result.first()?["value"][1].as_str()?;
        value.parse().ok()
    }

    /// Polls `promql` until `accept` takes its value, for at most `limit`.
    fn wait_for(&self, promql: &str, limit: Duration, accept: impl Fn(f64) -> bool) -> f64 {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(value) = self.value(promql).filter(|v| accept(*v)) {
                return value;
            }
            assert!(Instant::now() < deadline, "{promql}: no acceptable value within {limit:?}:\n{}", self.log());
            thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn a_real_prometheus_scrapes_the_demo() {
    let Some(binary) = tests::prometheus() else { return };
    let demo = demo::start(demo::Options::new("127.0.0.1:0".parse().unwrap())).expect("the demo starts");
    let mut prometheus = Prometheus::start(&binary, demo.local_addr());
    prometheus.wait_ready();

    // The target is up.
    let up = prometheus.wait_for(r#"up{job="demo"}"#, Duration::from_secs(30), |v| v == 1.0);
    assert_eq!(up, 1.0);

    // Every declared family is stored, under the names its samples carry.
    let registry = metrics_runtime::global().unwrap();
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
