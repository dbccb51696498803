//! A real Prometheus server for the tests: its own config and data directory,
//! a free loopback port, its HTTP API.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Process, TempDir};

/// A Prometheus process, killed (by pid) and reaped when stopped or
/// dropped; its scratch directory is removed with it. It can be stopped and
/// started again on the same port and data.
pub struct Prometheus {
    command: Vec<String>,
    process: Option<Process>,
    addr: SocketAddr,
    dir: TempDir,
}

impl Prometheus {
    /// Starts `binary` on a free loopback port, scraping every second with
    /// these jobs: the YAML items of `scrape_configs`, each starting with
    /// `- job_name:` and indented by two spaces.
    pub fn start(binary: &Path, scrape_configs: &str) -> Prometheus {
        Prometheus::start_with(binary, scrape_configs, &[])
    }

    /// [`Prometheus::start`] with more command-line flags (e.g.
    /// `--web.enable-remote-write-receiver`).
    pub fn start_with(binary: &Path, scrape_configs: &str, flags: &[&str]) -> Prometheus {
        Prometheus::start_full(binary, scrape_configs, flags, None)
    }

    /// [`Prometheus::start`] loading the rule file `rules` (its YAML text),
    /// evaluated every second.
    pub fn start_with_rules(binary: &Path, scrape_configs: &str, rules: &str) -> Prometheus {
        Prometheus::start_full(binary, scrape_configs, &[], Some(rules))
    }

    fn start_full(binary: &Path, scrape_configs: &str, flags: &[&str], rules: Option<&str>) -> Prometheus {
        let dir = TempDir::new("prometheus");
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let mut config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n{scrape_configs}"
        );
        if let Some(rules) = rules {
            std::fs::write(dir.join("rules.yml"), rules).unwrap();
            config = format!("{config}rule_files:\n  - {}\n", dir.join("rules.yml").display());
        }
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let addr = crate::free_loopback_addr();
        let mut command = vec![
            binary.display().to_string(),
            format!("--config.file={}", dir.join("prometheus.yml").display()),
            format!("--storage.tsdb.path={}", dir.join("data").display()),
            format!("--web.listen-address={addr}"),
        ];
        command.extend(flags.iter().map(|f| (*f).to_owned()));
        let mut prometheus = Prometheus { command, process: None, addr, dir };
        prometheus.spawn();
        prometheus
    }

    fn spawn(&mut self) {
        let mut command = Command::new(&self.command[0]);
        command.args(&self.command[1..]);
        self.process = Some(Process::spawn("prometheus", command, self.dir.join("prometheus.log")));
    }

    /// Stops it (by pid), as an outage would; its data stays.
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts it again on the same port and data, and waits until it is
    /// ready.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
        self.wait_ready();
    }

    /// Its address.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// What Prometheus logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    /// Waits until `/-/ready` answers 200.
    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(process) = self.process.as_mut() {
                process.assert_running();
            }
            if crate::http_get(self.addr, "/-/ready", &[]).is_ok_and(|r| r.status == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "prometheus not ready after a minute:\n{}", self.log());
            thread::sleep(Duration::from_millis(200));
        }
    }

    /// The result vector of an instant query.
    pub fn query(&self, promql: &str) -> Vec<Value> {
        let path = format!("/api/v1/query?query={}", percent_encode(promql));
        let response = crate::http_get(self.addr, &path, &[]).expect("the query API answers");
        assert_eq!(response.status, 200, "{promql}: {}", response.text());
        let body: Value = serde_json::from_slice(&response.body).expect("the API answers JSON");
        assert_eq!(body["status"], "success", "{promql}: {body}");
        body["data"]["result"].as_array().cloned().unwrap_or_default()
    }

    /// The single value of an instant query, if it has one.
    pub fn value(&self, promql: &str) -> Option<f64> {
        let result = self.query(promql);
        let value = result.first()?["value"][1].as_str()?;
        value.parse().ok()
    }

    /// Polls `promql` until `accept` takes its value, for at most `limit`.
    pub fn wait_for(&self, promql: &str, limit: Duration, accept: impl Fn(f64) -> bool) -> f64 {
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

impl Prometheus {
    /// The alerts of the loaded rules, from `/api/v1/alerts`: `(alertname,
    /// state)` of each pending or firing one.
    pub fn alerts(&self) -> Vec<(String, String)> {
        let response = crate::http_get(self.addr, "/api/v1/alerts", &[]).expect("the alerts API answers");
        let body: Value = serde_json::from_slice(&response.body).expect("the API answers JSON");
        body["data"]["alerts"]
            .as_array()
            .map(|alerts| {
                alerts
                    .iter()
                    .map(|a| {
                        let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
                        (text(&a["labels"]["alertname"]), text(&a["state"]))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The scrape targets' states, from `/api/v1/targets`: `(job, health,
    /// lastError)` of each active target.
    pub fn targets(&self) -> Vec<(String, String, String)> {
        let response =
            crate::http_get(self.addr, "/api/v1/targets?state=active", &[]).expect("the targets API answers");
        let body: Value = serde_json::from_slice(&response.body).expect("the API answers JSON");
        let field = |target: &Value, key: &str| target.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
        body["data"]["activeTargets"]
            .as_array()
            .map(|targets| {
                targets
                    .iter()
                    .map(|t| {
                        (
                            t["labels"]["job"].as_str().unwrap_or("").to_owned(),
                            field(t, "health"),
                            field(t, "lastError"),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
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
