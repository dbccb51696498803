//! The demo binary as a process of its own, so that its resident memory is
//! measured apart from the test's (clients, buffers) own.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `demo` process, killed (by pid) and reaped on drop.
pub struct Demo {
    child: Child,
    /// Where it serves.
    pub addr: SocketAddr,
    /// The lines it prints, read by a thread of their own.
    lines: mpsc::Receiver<String>,
}

impl Demo {
    /// Starts `demo --listen 127.0.0.1:0 <args>` and waits for the address
    /// it prints.
    pub fn start(args: &[&str]) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_demo"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the demo starts");
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        let line = lines.recv_timeout(Duration::from_secs(60)).expect("the demo prints its address");
        let addr = line
            .trim()
            .rsplit("://")
            .next()
            .and_then(|rest| rest.strip_suffix("/metrics"))
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no address in the demo's first line: {line:?}"));
        Demo { child, addr, lines }
    }

    /// The next line it prints, waiting at most `limit`.
    pub fn next_line(&self, limit: Duration) -> Option<String> {
        self.lines.recv_timeout(limit).ok()
    }

    /// `(VmRSS, VmHWM)`: resident memory now and at its peak, in bytes.
    pub fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("/proc is readable");
        let field = |name: &str| -> u64 {
            let kb: u64 = status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().strip_suffix("kB"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc/pid/status"));
            kb * 1024
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// Stops it with SIGTERM (by pid) and returns the lines it printed and
    /// nobody read, once it has exited; panics if it exits with an error.
    pub fn stop(mut self) -> Vec<String> {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).expect("a child's pid is positive");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM is delivered");
        let exit = self.child.wait().expect("the demo is reaped");
        // The reader thread ends at the end of the output.
        let rest: Vec<String> = self.lines.iter().collect();
        assert!(exit.success(), "the demo exited with {exit}:\n{}", rest.join("\n"));
        rest
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        // Already exited when stopped: then both calls fail harmlessly.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Raises this process's limit of open files to at least `n` (up to the hard
/// limit), for tests that hold thousands of connections; children inherit
/// it. Returns the limit in effect.
pub fn raise_open_files_limit(n: u64) -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current < n {
        let wanted = limit.maximum.map_or(n, |max| max.min(n));
        limit.current = Some(wanted);
        setrlimit(Resource::Nofile, limit).expect("the soft limit can be raised up to the hard one");
        return wanted;
    }
    current
}
/// A scrape (or probe) on a fresh connection; the response's status and body.
pub fn get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(30))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: scraper\r\nConnection: close\r\n\r\n").as_bytes())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok((status, text))
}
