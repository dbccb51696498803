//! A real Prometheus Pushgateway for the tests: a free loopback port, no
//! persistence, stopped (by pid) on drop and restartable on the same port.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::TempDir;

/// A Pushgateway process, killed (by pid) and reaped on drop.
pub struct Pushgateway {
    binary: PathBuf,
    child: Option<Child>,
    addr: SocketAddr,
    dir: TempDir,
}

impl Pushgateway {
    /// Starts `binary` on a free loopback port and waits until it is ready.
    pub fn start(binary: &Path) -> Pushgateway {
        // A free loopback port: bind, read it, release it.
        let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let mut gateway =
            Pushgateway { binary: binary.to_path_buf(), child: None, addr, dir: TempDir::new("pushgateway") };
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
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port (empty: it keeps nothing) and waits
    /// until it is ready.
    pub fn restart(&mut self) {
        self.stop();
        let log = std::fs::File::create(self.dir.join("pushgateway.log")).unwrap();
        let child = Command::new(&self.binary)
            .arg(format!("--web.listen-address={}", self.addr))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the pushgateway starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("the pushgateway exited with {status}:\n{}", self.log());
            }
            if crate::http_get(self.addr, "/-/ready", &[]).is_ok_and(|r| r.status == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "the pushgateway is not ready after a minute:\n{}", self.log());
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// What it logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pushgateway.log")).unwrap_or_default()
    }

    /// Its `/metrics`: every pushed group, and its own metrics.
    pub fn metrics(&self) -> String {
        let response = crate::http_get(self.addr, "/metrics", &[]).expect("the pushgateway answers");
        assert_eq!(response.status, 200);
        response.text()
    }
}

impl Drop for Pushgateway {
    fn drop(&mut self) {
        self.stop();
    }
}
