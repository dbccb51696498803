//! An OTLP/HTTP metrics receiver for the tests: `tests/otlp/receiver.py`,
//! which decodes what it receives with the official OpenTelemetry protobuf
//! definitions (pinned by `tests/otlp/requirements.txt`), not with the code
//! under test. It listens on a free loopback port, over HTTP or HTTPS, and
//! is killed (by pid) on drop.
//!
//! Every request it decoded is read back as JSON (the receiver's docstring
//! describes it): `path`, `headers` (names lowercased), `answered` (the
//! status it answered with) and `request`, the `ExportMetricsServiceRequest`
//! in the proto3 JSON mapping with the `.proto` field names, so 64-bit
//! integers (`time_unix_nano`, `as_int`, `count`, `bucket_counts`) are
//! strings, enum values are their names, and fields at their default value
//! are left out (oneof members such as `as_double` are kept).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::{Process, TempDir};

/// A receiver process, killed (by pid) and reaped on drop.
pub struct OtlpReceiver {
    // Before `dir`: the process is killed before its directory is removed.
    process: Process,
    addr: SocketAddr,
    tls: bool,
    dir: TempDir,
}

impl OtlpReceiver {
    /// Starts the receiver over plain HTTP with `python` (the environment
    /// [`crate::otlp_python`] finds) and waits until it answers.
    pub fn start(python: &Path) -> OtlpReceiver {
        let receiver = OtlpReceiver::spawn(python, &[], false);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !crate::http_get(receiver.addr, "/health", &[]).is_ok_and(|r| r.status == 200) {
            assert!(Instant::now() < deadline, "the OTLP receiver does not answer:\n{}", receiver.log());
            thread::sleep(Duration::from_millis(20));
        }
        receiver
    }

    /// Starts the receiver over HTTPS with the certificate chain `cert` and
    /// its key `key` (for `localhost`, as [`base_url`](Self::base_url)
    /// names it) and, with `client_ca`, requiring a client certificate that
    /// CA issued. Ready when it listens: its port is written once it does.
    pub fn start_tls(python: &Path, cert: &Path, key: &Path, client_ca: Option<&Path>) -> OtlpReceiver {
        let mut args = vec![("--tls-cert", cert), ("--tls-key", key)];
        if let Some(ca) = client_ca {
            args.push(("--client-ca", ca));
        }
        OtlpReceiver::spawn(python, &args, true)
    }

    fn spawn(python: &Path, args: &[(&str, &Path)], tls: bool) -> OtlpReceiver {
        let dir = TempDir::new("otlp");
        let port_file = dir.join("port");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("otlp/receiver.py");
        let mut command = Command::new(python);
        command.arg(script).arg("--port-file").arg(&port_file).arg("--record-dir").arg(dir.path());
        for (flag, path) in args {
            command.arg(flag).arg(path);
        }
        let mut process = Process::spawn("the OTLP receiver", command, dir.join("receiver.log"));
        // The receiver renames the file into place: it is whole when there.
        let deadline = Instant::now() + Duration::from_secs(30);
        let port = loop {
            process.assert_running();
            if let Some(port) = std::fs::read_to_string(&port_file).ok().and_then(|p| p.trim().parse::<u16>().ok()) {
                break port;
            }
            assert!(Instant::now() < deadline, "the OTLP receiver does not listen:\n{}", process.log());
            thread::sleep(Duration::from_millis(20));
        };
        OtlpReceiver { process, addr: SocketAddr::from(([127, 0, 0, 1], port)), tls, dir }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` over TLS; the
    /// metrics endpoint is `/v1/metrics` under it.
    pub fn base_url(&self) -> String {
        if self.tls { format!("https://localhost:{}", self.addr.port()) } else { format!("http://{}", self.addr) }
    }

    /// The requests it decoded so far, in arrival order (over HTTP and
    /// HTTPS alike: read from the file it appends each one to before it
    /// answers, so every request already answered is there).
    pub fn requests(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.dir.join("requests.jsonl")).unwrap_or_default();
        // A line still being written (no newline yet) is left for later.
        let whole = text.rfind('\n').map_or("", |end| &text[..end]);
        whole
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("a recorded request is JSON: {e}: {line}"))
            })
            .collect()
    }

    /// Queues scripted answers to the next requests, as a JSON object:
    /// `{"status": 503, "retry_after": "1", "times": 2}`, or a 200 with a
    /// partial success, `{"rejected_data_points": 3, "error_message":
    /// "..."}` (every field optional; `times` defaults to 1, `status` to
    /// 200). Over plain HTTP only.
    pub fn script(&self, json: &str) {
        assert!(!self.tls, "OtlpReceiver::script speaks plain HTTP only");
        let response = crate::request_with_body(
            self.addr,
            "POST",
            "/control",
            &[("Content-Type", "application/json")],
            json.as_bytes(),
        )
        .expect("the OTLP receiver answers");
        assert_eq!(response.status, 204, "the script {json} is refused: {}", response.text());
    }

    /// What it logged.
    pub fn log(&self) -> String {
        self.process.log()
    }
}
