//! A real Prometheus Pushgateway for the tests: a free loopback port, no
//! persistence, stopped (by pid) on drop and restartable on the same port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::{Process, TempDir};

/// A Pushgateway process, killed (by pid) and reaped when stopped or
/// dropped.
pub struct Pushgateway {
    binary: PathBuf,
    process: Option<Process>,
    addr: SocketAddr,
    dir: TempDir,
}

impl Pushgateway {
    /// Starts `binary` on a free loopback port and waits until it is ready.
    pub fn start(binary: &Path) -> Pushgateway {
        let addr = crate::free_loopback_addr();
        let mut gateway =
            Pushgateway { binary: binary.to_path_buf(), process: None, addr, dir: TempDir::new("pushgateway") };
        gateway.restart();
        gateway
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops it (by pid), as an outage would.
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts it again on the same port (empty: it keeps nothing) and waits
    /// until it is ready.
    pub fn restart(&mut self) {
        self.stop();
        let mut command = Command::new(&self.binary);
        command.arg(format!("--web.listen-address={}", self.addr));
        let process = self.process.insert(Process::spawn("the pushgateway", command, self.dir.join("pushgateway.log")));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            process.assert_running();
            if crate::http_get(self.addr, "/-/ready", &[]).is_ok_and(|r| r.status == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "the pushgateway is not ready after a minute:\n{}", process.log());
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// What it logged.
    pub fn log(&self) -> String {
        self.process.as_ref().map(Process::log).unwrap_or_default()
    }

    /// Its `/metrics`: every pushed group, and its own metrics.
    pub fn metrics(&self) -> String {
        let response = crate::http_get(self.addr, "/metrics", &[]).expect("the pushgateway answers");
        assert_eq!(response.status, 200);
        response.text()
    }
}
