//! The exposition server (feature `server`): HTTP/1.1 on hyper and tokio.
//!
//! ```
//! use metrics_runtime::server::ServerBuilder;
//!
//! // A thread of its own, with a small runtime: for programs without async.
//! let server = ServerBuilder::new().listen("127.0.0.1:0".parse()?).spawn()?;
//! let addr = server.local_addr();
//! # use std::io::{Read, Write};
//! # let mut stream = std::net::TcpStream::connect(addr)?;
//! # stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
//! # let mut response = String::new();
//! # stream.read_to_string(&mut response)?;
//! # assert!(response.starts_with("HTTP/1.1 200 OK\r\n") && response.ends_with("\r\n\r\nok"));
//! server.shutdown()?; // in-flight scrapes finish, then the port closes
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! In an async program, bind on the caller's tokio runtime and serve until a
//! future resolves:
//!
//! ```no_run
//! # async fn run() -> Result<(), metrics_runtime::server::ServerError> {
//! use metrics_runtime::server::ServerBuilder;
//!
//! let server = ServerBuilder::new().bind().await?;        // 127.0.0.1:9464
//! server.serve_until(async { let _ = tokio::signal::ctrl_c().await; }).await;
//! # Ok(()) }
//! ```
//!
//! | path | methods | answer |
//! |---|---|---|
//! | `/metrics` | `GET`, `HEAD` | the global registry: OpenMetrics 1.0 when `Accept` asks for it, Prometheus text 0.0.4 otherwise (q-values honoured); gzip when `Accept-Encoding` allows it |
//! | `/catalog.json` | `GET`, `HEAD` | every registered metric's descriptor, in the schema of [`catalog::json`] |
//! | `/health` | `GET`, `HEAD` | `ok`, never behind auth (a liveness probe) |
//! | any of them | others | `405` with `Allow: GET, HEAD` |
//! | anything else | any | `404` |
//!
//! **Safe by default.** It binds `127.0.0.1` unless told otherwise. With a
//! bearer token, `/metrics` and `/catalog.json` answer `401` unless the
//! request carries `Authorization: Bearer <token>` (compared in constant
//! time). A client gets [`ServerBuilder::header_read_timeout`] to send its
//! request head (a slow client is cut off there), at most
//! [`ServerBuilder::max_header_bytes`] of it (`431` beyond), and at most
//! [`ServerBuilder::max_connections`] connections are open at once (later
//! ones are closed at once). Garbage gets `400`. Each refusal is counted in
//! `metrics_export_rejected_connections_total{reason}`. TLS is not built in:
//! put a TLS-terminating proxy in front when scrapes cross an untrusted
//! network.
//!
//! **Encoding** reads the metrics' atomics and never blocks a recorder; it
//! writes into one buffer per scrape, sized from the previous scrape, and
//! nothing per series. Scrapes are counted in the runtime's own
//! `metrics_export_*` metrics (see the README).

mod http;

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

use crate::self_metrics::{self, Rejection};

/// The default address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

/// The smallest header limit hyper can enforce.
const MIN_HEADER_BYTES: usize = 8192;

/// How long to pause after a failed `accept` (e.g. out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The server's settings. [`ServerBuilder::new`] gives safe defaults.
#[derive(Clone)]
pub struct ServerBuilder {
    listen: SocketAddr,
    bearer_token: Option<Arc<[u8]>>,
    max_connections: usize,
    header_read_timeout: Duration,
    max_header_bytes: usize,
    shutdown_timeout: Duration,
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("listen", &self.listen)
            .field("bearer_token", &self.bearer_token.as_ref().map(|_| "<set>"))
            .field("max_connections", &self.max_connections)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_header_bytes", &self.max_header_bytes)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish()
    }
}

impl Default for ServerBuilder {
    fn default() -> ServerBuilder {
        ServerBuilder::new()
    }
}

impl ServerBuilder {
    /// Loopback (`127.0.0.1:9464`), no auth, 64 connections, 5 s to send a
    /// request head of at most 16 KiB, 5 s for scrapes in flight at shutdown.
    pub fn new() -> ServerBuilder {
        ServerBuilder {
            listen: DEFAULT_LISTEN.parse().expect("the default address parses"), // invariant: a literal
            bearer_token: None,
            max_connections: 64,
            header_read_timeout: Duration::from_secs(5),
            max_header_bytes: 16 * 1024,
            shutdown_timeout: Duration::from_secs(5),
        }
    }

    /// The address to listen on; port 0 picks a free port.
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> ServerBuilder {
        self.listen = addr;
        self
    }

    /// Requires `Authorization: Bearer <token>` on `/metrics` and
    /// `/catalog.json`.
    #[must_use]
    pub fn bearer_token(mut self, token: impl AsRef<str>) -> ServerBuilder {
        self.bearer_token = Some(Arc::from(token.as_ref().as_bytes()));
        self
    }

    /// The most connections open at once; later ones are closed at once.
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> ServerBuilder {
        self.max_connections = n;
        self
    }

    /// How long a client may take to send a request head.
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> ServerBuilder {
        self.header_read_timeout = timeout;
        self
    }

    /// The largest request head accepted (at least 8 KiB); larger ones get
    /// `431`.
    #[must_use]
    pub fn max_header_bytes(mut self, bytes: usize) -> ServerBuilder {
        self.max_header_bytes = bytes;
        self
    }

    /// How long shutdown waits for requests in flight before closing their
    /// connections.
    #[must_use]
    pub fn shutdown_timeout(mut self, timeout: Duration) -> ServerBuilder {
        self.shutdown_timeout = timeout;
        self
    }

    fn check(&self) -> Result<(), ServerError> {
        let invalid = |message: String| Err(ServerError::Config(message));
        if self.max_connections == 0 {
            return invalid("`max_connections` must be at least 1".to_owned());
        }
        if self.max_header_bytes < MIN_HEADER_BYTES {
            return invalid(format!(
                "`max_header_bytes` must be at least {MIN_HEADER_BYTES}, got {}",
                self.max_header_bytes
            ));
        }
        if self.header_read_timeout.is_zero() {
            return invalid("`header_read_timeout` must be more than zero".to_owned());
        }
        if self.bearer_token.as_ref().is_some_and(|t| t.is_empty() || !t.iter().all(u8::is_ascii_graphic)) {
            return invalid("the bearer token must be non-empty printable ASCII without spaces".to_owned());
        }
        Ok(())
    }

    /// Binds the listening socket on the caller's tokio runtime.
    pub async fn bind(self) -> Result<Server, ServerError> {
        self.check()?;
        let listener =
            TcpListener::bind(self.listen).await.map_err(|source| ServerError::Bind { addr: self.listen, source })?;
        let local_addr = listener.local_addr().map_err(|source| ServerError::Bind { addr: self.listen, source })?;
        Ok(Server { listener, local_addr, config: Arc::new(self) })
    }

    /// Runs the server on a thread of its own, with a single-threaded tokio
    /// runtime: for programs without async. Returns once the socket is bound.
    pub fn spawn(self) -> Result<BackgroundServer, ServerError> {
        self.check()?;
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(ServerError::Runtime)?;
        let server = runtime.block_on(self.bind())?;
        let local_addr = server.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("metrics-server".to_owned())
            .spawn(move || {
                runtime.block_on(server.serve_until(async {
                    // A dropped sender stops the server too.
                    let _ = stopped.await;
                }));
            })
            .map_err(ServerError::Runtime)?;
        Ok(BackgroundServer { local_addr, stop: Some(stop), thread: Some(thread) })
    }
}

/// A bound server; [`Server::serve_until`] runs it.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    config: Arc<ServerBuilder>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server").field("local_addr", &self.local_addr).finish_non_exhaustive()
    }
}

impl Server {
    /// The address it listens on (with the port the system picked for port
    /// 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` resolves; then stops accepting, lets requests
    /// in flight finish (closing idle connections at once, and the rest after
    /// the shutdown timeout), and returns with the port closed.
    pub async fn serve_until(self, shutdown: impl Future<Output = ()>) {
        let Server { listener, config, .. } = self;
        let slots = Arc::new(Semaphore::new(config.max_connections));
        let graceful = GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => accepted,
            };
            let Ok((stream, _peer)) = accepted else {
                // A connection reset before it was accepted, or no file
                // descriptors left: not fatal to the listener.
                self_metrics::rejected_connection(Rejection::AcceptFailed);
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            };
            let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                self_metrics::rejected_connection(Rejection::ConnectionLimit);
                drop(stream);
                continue;
            };
            let handler = http::Handler::new(Arc::clone(&config));
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(config.header_read_timeout)
                .max_buf_size(config.max_header_bytes)
                .serve_connection(TokioIo::new(stream), handler);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    let reason = if error.is_timeout() {
                        Rejection::HeaderTimeout
                    } else if error.is_parse_too_large() {
                        Rejection::HeaderTooLarge
                    } else if error.is_parse() {
                        Rejection::BadRequest
                    } else {
                        Rejection::ConnectionError
                    };
                    self_metrics::rejected_connection(reason);
                }
                drop(slot);
            });
        }
        drop(listener);
        // Requests in flight finish; connections left after the timeout are
        // dropped with the runtime's tasks.
        let _ = tokio::time::timeout(config.shutdown_timeout, graceful.shutdown()).await;
    }
}

/// A server running on a thread of its own ([`ServerBuilder::spawn`]).
/// Dropping it stops it too; [`BackgroundServer::shutdown`] reports errors.
pub struct BackgroundServer {
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for BackgroundServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackgroundServer").field("local_addr", &self.local_addr).finish_non_exhaustive()
    }
}

impl BackgroundServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops gracefully (requests in flight finish, then the port closes) and
    /// joins the thread.
    pub fn shutdown(mut self) -> Result<(), ServerError> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|_| ServerError::Panicked),
            None => Ok(()),
        }
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}

/// Why the server could not start or stop.
#[derive(Debug)]
pub enum ServerError {
    /// A setting is out of range.
    Config(String),
    /// The address could not be bound (in use, not local, no permission).
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: io::Error,
    },
    /// The runtime or the thread could not be created.
    Runtime(io::Error),
    /// The server thread panicked.
    Panicked,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Config(message) => write!(f, "invalid server setting: {message}"),
            ServerError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ServerError::Runtime(source) => write!(f, "cannot start the server's runtime: {source}"),
            ServerError::Panicked => f.write_str("the metrics server thread panicked"),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Bind { source, .. } | ServerError::Runtime(source) => Some(source),
            ServerError::Config(_) | ServerError::Panicked => None,
        }
    }
}

impl From<ServerError> for io::Error {
    fn from(error: ServerError) -> io::Error {
        let kind = match &error {
            ServerError::Bind { source, .. } | ServerError::Runtime(source) => source.kind(),
            ServerError::Config(_) => io::ErrorKind::InvalidInput,
            ServerError::Panicked => io::ErrorKind::Other,
        };
        io::Error::new(kind, error)
    }
}
