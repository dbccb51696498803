//! Helpers for the integration tests: a minimal HTTP client, and finding the
//! external tools the tests drive (the Prometheus server, promtool, Python's
//! `prometheus_client`).
//!
//! ```no_run
//! let addr = "127.0.0.1:9464".parse().unwrap();
//! let response = tests::http_get(addr, "/metrics", &[("Accept", "text/plain")]).unwrap();
//! assert_eq!(response.status, 200);
//! ```
//!
//! Under `CI=true` a missing tool fails the test that needs it; elsewhere the
//! test says it skipped and why.

pub mod alloc;
pub mod browser;
pub mod fuzz;
pub mod labels;
pub mod otlp;
pub mod prometheus;
pub mod pushgateway;
pub mod statsd;
pub mod tls;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("body is UTF-8")
    }
}

/// Sends `GET path` with the given headers over HTTP/1.1 (`Connection:
/// close`) and reads the whole response.
pub fn http_get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> io::Result<Response> {
    request(addr, "GET", path, headers)
}

/// Sends a request and reads the whole response.
pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> io::Result<Response> {
    request_with_body(addr, method, path, headers, &[])
}

/// Sends a request with `body` (and its `Content-Length`, when it is not
/// empty) and reads the whole response.
pub fn request_with_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let length = body.len().to_string();
    let mut all_headers = headers.to_vec();
    if !body.is_empty() {
        all_headers.push(("Content-Length", &length));
    }
    stream.write_all(request_head(method, path, &addr.to_string(), &all_headers).as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "malformed HTTP response"))
}

/// A request head with `Connection: close` and these headers.
pub(crate) fn request_head(method: &str, path: &str, host: &str, headers: &[(&str, &str)]) -> String {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        // Writing to a String cannot fail.
        let _ = std::fmt::Write::write_fmt(&mut head, format_args!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

pub(crate) fn parse_response(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Some(Response { status, headers, body })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// Whether this run is CI's, where a missing tool is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports a missing tool: fails under CI, otherwise prints why the test
/// skips and returns `None`.
pub fn missing<T>(what: &str) -> Option<T> {
    assert!(!in_ci(), "{what} is missing; the test command (scripts/test.sh) installs it");
    eprintln!("SKIPPED: {what} is missing; run scripts/install-test-deps.sh");
    None
}

/// The `promtool` binary, if installed.
pub fn promtool() -> Option<PathBuf> {
    find_in_path("promtool").or_else(|| missing("promtool (Debian package `prometheus`)"))
}

/// The Prometheus server binary, if installed.
pub fn prometheus() -> Option<PathBuf> {
    find_in_path("prometheus").or_else(|| missing("the Prometheus server (Debian package `prometheus`)"))
}

/// A loopback address whose port is free for TCP and UDP now, for a daemon
/// a test starts and tells where to listen. The port is below the kernel's
/// ephemeral range (`net.ipv4.ip_local_port_range`): a port the kernel
/// hands out (to a `bind` on port 0, or to an outgoing connection, of
/// which the tests make many) could be taken between this check and the
/// daemon's `bind`, or while the daemon is stopped for an outage, where one
/// outside that range is only taken by whoever names it. Each call in a
/// process names a different port.
pub fn free_loopback_addr() -> SocketAddr {
    use std::net::{Ipv4Addr, TcpListener, UdpSocket};
    use std::sync::atomic::{AtomicU32, Ordering};
    // Candidates from 10000 up to the range, starting where this process's
    // id puts them, so that test processes running at once start apart.
    const LOWEST: u32 = 10000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = ephemeral_ports_start().saturating_sub(LOWEST);
    if span >= 1000 {
        let start = std::process::id().wrapping_mul(7919) % span;
        for _ in 0..span {
            let offset = NEXT.fetch_add(1, Ordering::Relaxed);
            let Ok(port) = u16::try_from(LOWEST + start.wrapping_add(offset) % span) else { break };
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            if TcpListener::bind(addr).is_ok() && UdpSocket::bind(addr).is_ok() {
                return addr;
            }
        }
    }
    // No room below the range (a machine configured so): a port the kernel
    // picks.
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()).expect("a free loopback port")
}

/// The first port of the kernel's ephemeral range, from Linux's
/// `net.ipv4.ip_local_port_range`, or its default where that cannot be read.
fn ephemeral_ports_start() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32768)
        .min(65536)
}

/// A daemon a test started, its output in a log file; killed (by pid) and
/// reaped when stopped or dropped, never looked for by name.
pub struct Process {
    child: Option<std::process::Child>,
    what: &'static str,
    log: PathBuf,
}

impl Process {
    /// Spawns `command` (`what` names it in messages) with no input and
    /// its output in `log`.
    pub fn spawn(what: &'static str, mut command: std::process::Command, log: PathBuf) -> Process {
        let file = std::fs::File::create(&log).expect("the log file is created");
        let child = command
            .stdin(std::process::Stdio::null())
            .stdout(file.try_clone().expect("the log file is shared"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("{what} does not start: {e}"));
        Process { child: Some(child), what, log }
    }

    /// Panics, with its log, if it has exited.
    pub fn assert_running(&mut self) {
        if let Some(Ok(Some(status))) = self.child.as_mut().map(std::process::Child::try_wait) {
            panic!("{} exited with {status}:\n{}", self.what, self.log());
        }
    }

    /// What it logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills it (by pid) and reaps it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The value of the series `labels` of the global registry's family
/// `name` now: 0 when it has no such series yet (a quiet family's untouched
/// series). How a test reads the exporter's own metrics.
pub fn registry_value(name: &str, labels: &[(&str, &str)]) -> f64 {
    let registry = metricate::global().expect("the registry builds");
    registry.series(name, labels).map_or(0.0, |s| s.value().as_f64())
}

/// Polls `done` until it holds, failing the test with `what` after `limit`
/// (a liveness bound, not a timing).
pub fn wait_until(what: &str, limit: std::time::Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The Prometheus Pushgateway, if installed.
pub fn pushgateway() -> Option<PathBuf> {
    find_in_path("prometheus-pushgateway")
        .or_else(|| missing("the Prometheus Pushgateway (Debian package `prometheus-pushgateway`)"))
}

/// Etsy's `statsd` daemon (the npm package), installed under the target
/// directory by `scripts/install-test-deps.sh`, and Node.js to run it.
/// `target_tmpdir` is the test's `env!("CARGO_TARGET_TMPDIR")`, a directory
/// of the target directory (cargo sets it for integration tests only, so
/// the test passes it).
pub fn statsd_daemon(target_tmpdir: &str) -> Option<statsd::Install> {
    let node = find_in_path("node").or_else(|| find_in_path("nodejs"));
    let Some(node) = node else { return missing("Node.js (Debian package `nodejs`)") };
    let target = std::path::Path::new(target_tmpdir);
    let script = target.parent().unwrap_or(target).join("statsd/node_modules/statsd/stats.js");
    if !script.is_file() {
        return missing(&format!("Etsy's StatsD daemon ({}, which npm installs from tests/statsd)", script.display()));
    }
    Some(statsd::Install { node, script })
}

/// The Python of the OTLP receiver's virtual environment (the official
/// OpenTelemetry protobuf definitions), created under the target directory
/// by `scripts/install-test-deps.sh`. `target_tmpdir` is the test's
/// `env!("CARGO_TARGET_TMPDIR")`, as for [`statsd_daemon`].
pub fn otlp_python(target_tmpdir: &str) -> Option<PathBuf> {
    let target = std::path::Path::new(target_tmpdir);
    let python = target.parent().unwrap_or(target).join("otlp-venv/bin/python3");
    if !python.is_file() {
        return missing(&format!(
            "the OTLP receiver's Python environment ({}, which scripts/install-test-deps.sh creates from \
             tests/otlp/requirements.txt)",
            python.display()
        ));
    }
    Some(python)
}

/// Debian's Chromium, if installed.
pub fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if path.is_file() { Some(path) } else { missing("chromium (Debian package `chromium`)") }
}

/// `chromedriver`, if installed.
pub fn chromedriver() -> Option<PathBuf> {
    find_in_path("chromedriver").or_else(|| missing("chromedriver (Debian package `chromium-driver`)"))
}

/// A Python interpreter that can import `prometheus_client`: Debian's
/// `/usr/bin/python3` with `python3-prometheus-client`, or a virtualenv under
/// `target/`.
pub fn python_with_prometheus_client() -> Option<PathBuf> {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates =
        [PathBuf::from("/usr/bin/python3"), workspace.join("target/venv/bin/python3"), PathBuf::from("python3")];
    candidates
        .into_iter()
        .find(|python| {
            Command::new(python)
                .args(["-c", "import prometheus_client"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .or_else(|| missing("Python with prometheus_client (Debian package `python3-prometheus-client`)"))
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// The output of a finished command.
#[derive(Debug)]
pub struct Output {
    /// Whether it exited 0.
    pub success: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `program args` with `input` on standard input.
pub fn run_with_stdin(program: &std::path::Path, args: &[&str], input: &[u8]) -> io::Result<Output> {
    let mut child =
        Command::new(program).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output()?;
    writer.join().expect("stdin writer")?;
    Ok(Output {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// The value of the series written `series` (name and labels, as the
/// exposition spells them) in a text exposition; 0 when it is absent.
pub fn sample_value(exposition: &str, series: &str) -> f64 {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |value| value.parse().expect("a sample value is a number"))
}

/// The `# TYPE` lines of a text exposition, as `(family, type)` pairs.
pub fn declared_types(exposition: &str) -> Vec<(String, String)> {
    exposition
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.split_once(' '))
        .map(|(name, kind)| (name.to_owned(), kind.trim().to_owned()))
        .collect()
}

/// A scratch directory of a test, removed with everything in it when
/// dropped (also when the test fails).
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory named after `name`, this process and a count
    /// (tests of one process run at once).
    pub fn new(name: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("metrics-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the scratch directory is created");
        TempDir(dir)
    }

    /// Its path.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// `path/name`.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `contents` beside `name` and renames it over `name`: how a
    /// secret or certificate should be replaced.
    pub fn replace(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let next = self.0.join(format!(".{name}.next"));
        std::fs::write(&next, contents).expect("the file is written");
        std::fs::rename(&next, self.0.join(name)).expect("the file is renamed into place");
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod free_loopback_addr_tests {
    use std::net::{TcpListener, UdpSocket};

    #[test]
    fn each_address_is_another_free_loopback_port_below_the_ephemeral_range() {
        let (a, b) = (super::free_loopback_addr(), super::free_loopback_addr());
        assert!(a.ip().is_loopback() && b.ip().is_loopback());
        assert_ne!(a.port(), b.port());
        let first = super::ephemeral_ports_start();
        assert!(u32::from(a.port()) < first && u32::from(b.port()) < first, "{a} {b} (the range starts at {first})");
        // Free for both protocols.
        let _tcp = TcpListener::bind(a).unwrap();
        let _udp = UdpSocket::bind(a).unwrap();
        let _tcp = TcpListener::bind(b).unwrap();
    }
}
