//! The demo binary as a process of its own, so that its resident memory is
//! measured apart from the test's (clients, buffers) own.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, Stdio};

/// A running `demo` process, killed (by pid) and reaped on drop.
pub struct Demo {
    child: Child,
    /// Where it serves.
    pub addr: SocketAddr,
    stdout: BufReader<ChildStdout>,
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
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the demo prints its address");
        let addr = line
            .trim()
            .rsplit("://")
            .next()
            .and_then(|rest| rest.strip_suffix("/metrics"))
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no address in the demo's first line: {line:?}"));
        Demo { child, addr, stdout }
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

    /// Stops it with SIGTERM (by pid) and returns what it printed after its
    /// address, once it has exited; panics if it exits with an error.
    pub fn stop(mut self) -> String {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).expect("a child's pid is positive");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM is delivered");
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).expect("the demo's output");
        let exit = self.child.wait().expect("the demo is reaped");
        assert!(exit.success(), "the demo exited with {exit}:\n{rest}");
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
