//! A demo of typed, compile-time-checked metrics: the platform's whole
//! metric catalogue declared as types ([`metrics`]), a simulated workload
//! that drives it, and an HTTP server that exposes it on `/metrics` in
//! Prometheus text 0.0.4 or `OpenMetrics` 1.0, as the scraper's `Accept`
//! header asks.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//!
//! let running = demo::start(demo::Options::new("127.0.0.1:0".parse()?))?;
//!
//! let mut stream = TcpStream::connect(running.local_addr())?;
//! stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n")?;
//! let mut response = String::new();
//! stream.read_to_string(&mut response)?;
//! assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(response.contains("content-type: text/plain; version=0.0.4; charset=utf-8\r\n"));
//! assert!(response.contains("# TYPE trc_http_requests_total counter\n"));
//!
//! running.shutdown()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every series carries the constant label `service="demo"`, which
//! [`start`] sets for the whole process (see [`SERVICE`]).
//!
//! The binary `demo` does the same until it gets SIGINT or SIGTERM:
//! `cargo run --release -p demo -- --listen 127.0.0.1:9464`.

pub mod load;
pub mod metrics;
mod workload;

use std::io;
use std::net::SocketAddr;
use std::sync::OnceLock;

use metricate::server::{BackgroundServer, ServerBuilder};

use crate::workload::Workload;

/// The value of the constant label `service` that [`start`] gives every
/// series of the process.
pub const SERVICE: &str = "demo";

/// What [`start`] runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The metrics server's settings: the address (port 0 picks a free
    /// port, see [`Running::local_addr`]), auth, TLS, limits.
    pub server: ServerBuilder,
    /// Whether to run the simulated workload that drives the metrics.
    pub workload: bool,
}

impl Options {
    /// The server's defaults on `listen`, with the workload running.
    pub fn new(listen: SocketAddr) -> Options {
        Options { server: ServerBuilder::new().listen(listen), workload: true }
    }
}

/// The running demo: the metrics server on a thread of its own (with its own
/// tokio runtime), and the workload threads. Dropping it stops them too,
/// ignoring errors; call [`Running::shutdown`] to see them.
pub struct Running {
    server: Option<BackgroundServer>,
    workload: Option<Workload>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("local_addr", &self.local_addr())
            .field("workload", &self.workload.is_some())
            .finish_non_exhaustive()
    }
}

impl Running {
    /// The address the server listens on (with the port the system picked
    /// if [`Options::server`] asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.server.as_ref().map_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)), BackgroundServer::local_addr)
    }

    /// Stops the workload and the server gracefully and joins the threads:
    /// the server stops accepting, finishes the requests in flight (waiting
    /// at most a few seconds), and closes idle connections.
    ///
    /// Fails if a thread panicked.
    pub fn shutdown(mut self) -> io::Result<()> {
        let workload = self.workload.take().map_or(Ok(()), Workload::stop);
        let server = self.stop_server();
        workload.and(server)
    }

    fn stop_server(&mut self) -> io::Result<()> {
        match self.server.take() {
            Some(server) => server.shutdown().map_err(io::Error::from),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        drop(self.workload.take());
        let _ = self.stop_server();
    }
}

/// Binds (a bind failure is returned as an error, never a panic), then starts
/// the runtime's metrics server ([`metricate::server`]) on a background
/// thread and, if [`Options::workload`], the workload threads.
///
/// The server answers `GET /metrics` with every metric of the process's
/// global registry, `GET /catalog.json` with their descriptors and
/// `GET /health` with `ok`.
///
/// The first call sets the process's constant labels to
/// `service="demo"` ([`SERVICE`]); later calls (a test may start the demo
/// many times) find them set. It fails if the process set other constant
/// labels, or if a metric of the process has a label named `service`.
pub fn start(options: Options) -> io::Result<Running> {
    set_constant_labels()?;
    // `trc_build_info` is always 1: linking its declaration in is enough.
    let _ = metrics::service::Service::global();
    workload::register_callbacks();
    // The server refuses to start on a registry whose metrics collide; its
    // error names both declarations.
    let server = options.server.spawn()?;
    let mut running = Running { server: Some(server), workload: None };
    if options.workload {
        // On an error, dropping `running` stops the server.
        running.workload = Some(Workload::start()?);
    }
    Ok(running)
}

/// Sets `service="demo"` as the process's constant labels, once: the
/// outcome of the first call is every call's.
fn set_constant_labels() -> io::Result<()> {
    static SET: OnceLock<Result<(), String>> = OnceLock::new();
    let outcome = SET.get_or_init(|| {
        let labels = metricate::constant_labels!(service = SERVICE).map_err(|e| e.message)?;
        match metricate::set_constant_labels(labels.clone()) {
            Ok(()) => Ok(()),
            // Set already, to the same labels (by the program before it
            // started the demo): nothing to do.
            Err(_) if *metricate::process_constant_labels() == labels => Ok(()),
            Err(error) => Err(format!("the constant label service=\"{SERVICE}\" cannot be set: {}", error.message)),
        }
    });
    outcome.clone().map_err(io::Error::other)
}
