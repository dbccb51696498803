//! Etsy's StatsD daemon for the tests: free loopback ports, its
//! configuration in a scratch directory, stopped (by pid) on drop and
//! restartable on the same ports.
//!
//! What it received is read back two ways: its management interface (TCP)
//! answers with the totals it holds (`counters`, `gauges`, `timers`; the
//! flush interval is an hour, so nothing is flushed away during a test),
//! and its repeater backend forwards every datagram it receives, as
//! received, to a socket of the helper, which a thread reads as they come.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::{Process, TempDir};

/// Where the daemon is installed, and what runs it.
#[derive(Clone, Debug)]
pub struct Install {
    /// Node.js.
    pub node: PathBuf,
    /// The daemon's `stats.js`.
    pub script: PathBuf,
}

/// A StatsD daemon process, killed (by pid) and reaped on drop.
pub struct Daemon {
    install: Install,
    process: Option<Process>,
    addr: SocketAddr,
    admin: SocketAddr,
    /// What the repeater backend forwarded.
    repeated: Repeated,
    dir: TempDir,
}

/// The datagrams the repeater backend forwards, read by a thread of their
/// own so that none is dropped while a test looks elsewhere.
struct Repeated {
    port: u16,
    /// The non-empty datagrams not yet taken.
    datagrams: Arc<Mutex<Vec<Vec<u8>>>>,
    /// The empty datagrams seen (probes).
    empty: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
}

impl Repeated {
    fn start() -> Repeated {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let port = socket.local_addr().unwrap().port();
        let datagrams = Arc::new(Mutex::new(Vec::new()));
        let empty = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (datagrams, empty, stop) = (Arc::clone(&datagrams), Arc::clone(&empty), Arc::clone(&stop));
            thread::spawn(move || {
                let mut buffer = vec![0u8; 65_536];
                while !stop.load(Ordering::Relaxed) {
                    match socket.recv(&mut buffer) {
                        Ok(0) => {
                            empty.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(n) => datagrams.lock().unwrap_or_else(PoisonError::into_inner).push(buffer[..n].to_vec()),
                        Err(_) => {}
                    }
                }
            })
        };
        Repeated { port, datagrams, empty, stop, reader: Some(reader) }
    }
}

impl Drop for Repeated {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Daemon {
    /// Starts the daemon on free loopback ports and waits until it takes
    /// datagrams.
    pub fn start(install: &Install) -> Daemon {
        let (addr, admin) = (crate::free_loopback_addr(), crate::free_loopback_addr());
        let repeated = Repeated::start();
        let dir = TempDir::new("statsd");
        let config = format!(
            "{{\n  \"address\": \"127.0.0.1\",\n  \"port\": {},\n  \"mgmt_address\": \"127.0.0.1\",\n  \
             \"mgmt_port\": {},\n  \"flushInterval\": 3600000,\n  \"backends\": [\"./backends/repeater\"],\n  \
             \"repeaterProtocol\": \"udp4\",\n  \"repeater\": [{{ \"host\": \"127.0.0.1\", \"port\": {} }}]\n}}\n",
            addr.port(),
            admin.port(),
            repeated.port
        );
        std::fs::write(dir.join("config.js"), config).unwrap();
        let mut daemon = Daemon { install: install.clone(), process: None, addr, admin, repeated, dir };
        daemon.restart();
        daemon
    }

    /// Where it takes datagrams.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops it (by pid), as an outage would: what it held is gone.
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts it again on the same ports, empty, and waits until it takes
    /// datagrams.
    pub fn restart(&mut self) {
        self.stop();
        let mut command = Command::new(&self.install.node);
        command.arg(&self.install.script).arg(self.dir.join("config.js")).current_dir(self.dir.path());
        self.process = Some(Process::spawn("the StatsD daemon", command, self.dir.join("statsd.log")));
        // Ready when an (empty) datagram sent to it comes back through the
        // repeater: the daemon, its UDP server and the backend are up.
        let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
        let empty = self.repeated.empty.load(Ordering::Relaxed);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(process) = self.process.as_mut() {
                process.assert_running();
            }
            let _ = probe.send_to(&[], self.addr);
            thread::sleep(Duration::from_millis(50));
            if self.repeated.empty.load(Ordering::Relaxed) > empty {
                break;
            }
            assert!(Instant::now() < deadline, "the StatsD daemon is not ready after a minute:\n{}", self.log());
        }
        // The management interface too.
        while self.try_admin("health").is_none_or(|answer| !answer.contains("health: up")) {
            assert!(Instant::now() < deadline, "the StatsD management interface is not up:\n{}", self.log());
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// What it logged.
    pub fn log(&self) -> String {
        self.process.as_ref().map(Process::log).unwrap_or_default()
    }

    /// The counters it holds, by key (a DogStatsD-tagged line's key is
    /// `name;tag=value`), its own `statsd.*` counters included.
    pub fn counters(&self) -> BTreeMap<String, f64> {
        self.numbers("counters")
    }

    /// The gauges it holds, by key.
    pub fn gauges(&self) -> BTreeMap<String, f64> {
        self.numbers("gauges")
    }

    /// The timings it holds, by key, in the order received.
    pub fn timers(&self) -> BTreeMap<String, Vec<f64>> {
        parse_inspected(&self.admin_command("timers"))
    }

    /// The datagrams it received since the last call (the empty ones the
    /// tests and sinks send as probes left out), as it received them. Call
    /// it once the daemon shows what it received: what it forwarded in the
    /// last 100 ms may come with the next call.
    pub fn datagrams(&self) -> Vec<Vec<u8>> {
        thread::sleep(Duration::from_millis(100));
        std::mem::take(&mut *self.repeated.datagrams.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn numbers(&self, command: &str) -> BTreeMap<String, f64> {
        parse_inspected(&self.admin_command(command))
            .into_iter()
            .map(|(key, values)| {
                assert_eq!(values.len(), 1, "{command} `{key}`: {values:?}");
                (key, values[0])
            })
            .collect()
    }

    fn admin_command(&self, command: &str) -> String {
        self.try_admin(command).unwrap_or_else(|| panic!("the StatsD management interface answers `{command}`"))
    }

    /// Sends one management command and reads its answer, up to `END`
    /// (`health` has none: one line).
    fn try_admin(&self, command: &str) -> Option<String> {
        let mut stream = TcpStream::connect_timeout(&self.admin, Duration::from_secs(5)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        stream.write_all(format!("{command}\n").as_bytes()).ok()?;
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        let end: &[u8] = if command == "health" { b"\n" } else { b"END\n\n" };
        while !answer.ends_with(end) {
            let n = stream.read(&mut buffer).ok()?;
            if n == 0 {
                return None;
            }
            answer.extend_from_slice(&buffer[..n]);
        }
        let _ = stream.write_all(b"quit\n");
        let answer = String::from_utf8(answer).ok()?;
        Some(answer.strip_suffix("END\n\n").map_or(answer.clone(), str::to_owned))
    }
}

/// The entries of an object as Node's `util.inspect` prints it, with
/// numbers or arrays of numbers as values: `{ 'a.b': 5, c: [ 1.5, 2 ] }`.
fn parse_inspected(text: &str) -> BTreeMap<String, Vec<f64>> {
    let body = text.trim();
    let body =
        body.strip_prefix('{').and_then(|b| b.strip_suffix('}')).unwrap_or_else(|| panic!("not an object: {text}"));
    let mut entries = BTreeMap::new();
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        let (key, after) = match rest.chars().next() {
            Some(quote @ ('\'' | '"')) => {
                let close = rest[1..].find(quote).unwrap_or_else(|| panic!("an unclosed key in {text}")) + 1;
                (rest[1..close].to_owned(), &rest[close + 1..])
            }
            _ => {
                let colon = rest.find(':').unwrap_or_else(|| panic!("a key without a value in {text}"));
                (rest[..colon].to_owned(), &rest[colon..])
            }
        };
        let after = after.trim_start().strip_prefix(':').unwrap_or_else(|| panic!("no `:` after `{key}` in {text}"));
        let after = after.trim_start();
        let (values, after) = if let Some(list) = after.strip_prefix('[') {
            let close = list.find(']').unwrap_or_else(|| panic!("an unclosed list in {text}"));
            let values = list[..close]
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| v.parse().unwrap_or_else(|_| panic!("`{v}` is not a number in {text}")))
                .collect();
            (values, &list[close + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            let value = after[..end].trim();
            (vec![value.parse().unwrap_or_else(|_| panic!("`{value}` is not a number in {text}"))], &after[end..])
        };
        entries.insert(key, values);
        rest = after.trim_start().trim_start_matches(',').trim_start();
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspected_objects_parse() {
        let text = "{\n  'statsd.bad_lines_seen': 0,\n  f: 0.30000000000000004,\n  'a;k=v': -5,\n  big: 1e+21,\n  \
                    t: [ 1.5, 2 ],\n  e: []\n}\n";
        let parsed = parse_inspected(text);
        assert_eq!(parsed["statsd.bad_lines_seen"], [0.0]);
        assert_eq!(parsed["f"], [0.300_000_000_000_000_04]);
        assert_eq!(parsed["a;k=v"], [-5.0]);
        assert_eq!(parsed["big"], [1e21]);
        assert_eq!(parsed["t"], [1.5, 2.0]);
        assert_eq!(parsed["e"], Vec::<f64>::new());
        assert_eq!(parsed.len(), 6);
        assert!(parse_inspected("{}\n").is_empty());
    }
}
