//! What the browser tests share: Debian's `chromedriver` on a free loopback
//! port, stopped by its pid; the capabilities of a headless Chromium with a
//! profile of its own; and the directory of their screenshots and logs.

use std::fs::File;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the browser tests leave screenshots and the driver's logs (never
/// in git: `target/` is ignored).
pub fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-artifacts");
    std::fs::create_dir_all(&dir).expect("the artifacts directory can be created");
    dir
}

/// A running `chromedriver`, stopped (by its pid) when dropped, also when
/// the test fails.
pub struct Driver {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Driver {
    /// Starts the driver with `scratch` as the temporary directory of it and
    /// of the browsers it starts (which leave files there), logging to `log`.
    pub fn start(binary: &Path, log: &Path, scratch: &Path) -> Driver {
        let port = crate::free_loopback_addr().port();
        let log = File::create(log).expect("the driver's log can be written");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .env("TMPDIR", scratch)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log file handle can be cloned"))
            .stderr(log)
            .spawn()
            .expect("chromedriver starts");
        let mut driver = Driver { child, addr: SocketAddr::from(([127, 0, 0, 1], port)) };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&driver.addr, Duration::from_millis(200)).is_err() {
            let exited = driver.child.try_wait().expect("the driver's status can be read");
            assert!(exited.is_none(), "chromedriver exited before listening: {exited:?}");
            assert!(Instant::now() < deadline, "chromedriver did not listen on {} within 30 s", driver.addr);
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // `Child::kill` signals this pid only; the tests close their session
        // (which stops the browser) before.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `WebDriver` capabilities of a headless Chromium (`browser`) whose
/// profile lives in `profile`, at 1280×1024, with no background traffic.
pub fn capabilities(browser: &Path, profile: &Path) -> serde_json::Map<String, serde_json::Value> {
    let capabilities = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": browser,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1024",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else { unreachable!("a JSON object literal") };
    capabilities
}
