//! The exposition server (feature `server`): HTTP/1.1 on hyper and tokio.
//!
//! ```
//! use metricate::server::ServerBuilder;
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
//! # async fn run() -> Result<(), metricate::server::ServerError> {
//! use metricate::server::ServerBuilder;
//!
//! let server = ServerBuilder::new().bind().await?;        // 127.0.0.1:9464
//! server.serve_until(async { let _ = tokio::signal::ctrl_c().await; }).await;
//! # Ok(()) }
//! ```
//!
//! | path | methods | answer |
//! |---|---|---|
//! | `/metrics` | `GET`, `HEAD` | the global registry: OpenMetrics 1.0 when `Accept` asks for it, Prometheus text 0.0.4 otherwise (q-values honoured); gzip when `Accept-Encoding` allows it |
//! | `/catalog.json` | `GET`, `HEAD` | every registered metric's descriptor, in the schema of [`metricate_catalog::json`] |
//! | `/health` | `GET`, `HEAD` | `ok`, never behind auth (a liveness probe) |
//! | any of them | others | `405` with `Allow: GET, HEAD` |
//! | anything else | any | `404` |
//!
//! **Safe by default.** It binds `127.0.0.1` unless told otherwise, and
//! refuses to start when the registry's check fails
//! ([`ServerError::Registry`] names both colliding declarations), rather
//! than answer every scrape with an error. With a bearer token (fixed, or
//! from a file re-read when it changes, see
//! [`ServerBuilder::bearer_token_file`]), `/metrics` and `/catalog.json`
//! answer `401` unless the request carries `Authorization: Bearer <token>`
//! (compared in constant time). With the `tls` feature it serves HTTPS
//! ([`ServerBuilder::tls`]), optionally requiring client certificates, and
//! picks up renewed certificate files without a restart.
//!
//! **Hostile clients.** A client gets [`ServerBuilder::header_read_timeout`]
//! to send its request head (and to finish the TLS handshake), at most
//! [`ServerBuilder::max_header_bytes`] of it (`431` beyond), and
//! [`ServerBuilder::send_timeout`] for each write of its response to make
//! progress. At [`ServerBuilder::max_connections`], the connection that has
//! waited longest without a complete request head (or idled longest between
//! requests) is closed to make room for the newcomer, so idle or half-open
//! connections cannot lock scrapers out: a scraper that sends its request at
//! once is always served. A connection waiting for its request head costs
//! about 17 KiB (measured: 1,000 half-open connections add 16.5 MiB of
//! resident memory), so the default limit of 1,024 bounds them near 17 MiB.
//! Garbage gets `400`, and so does an HTTP/1.1 request without exactly one
//! `Host` header (RFC 9112). Each refusal is counted in
//! `metrics_export_rejected_connections_total{reason}`.
//!
//! **Encoding** reads the metrics' atomics and never blocks a recorder; it
//! writes into one buffer per scrape, sized from the previous scrape, and
//! nothing per series. Scrapes are counted in the runtime's own
//! `metrics_export_*` metrics (see the README), which
//! [`ServerBuilder::self_metrics`] leaves out of `/metrics` and
//! `/catalog.json`. [`ServerBuilder::quiet`] serves, of every family with
//! labels, only the series recorded to (see
//! [`encode`](crate::encode#quiet-families)).

mod auth;
mod builder;
mod connections;
mod http;
mod reload;
mod stream;
#[cfg(feature = "tls")]
mod tls;

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};

pub use builder::{DEFAULT_LISTEN, ServerBuilder};

use self::auth::Auth;
use self::connections::{Admission, Connections, FirstRead, SendTimeout, Tracker};
use crate::registry::{Registry, RegistryError};
use crate::self_metrics::{self, Rejection};

/// How long to pause after a failed `accept` (e.g. out of file descriptors
/// with no connection to close).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

impl ServerBuilder {
    /// Binds the listening socket on the caller's tokio runtime.
    ///
    /// Refuses to start, with [`ServerError::Registry`], when the global
    /// registry's check fails (two declarations expose the same name): every
    /// scrape would fail otherwise. This builds the global registry, so
    /// groups added with [`crate::register_global`] must be added before.
    pub async fn bind(self) -> Result<Server, ServerError> {
        let shared = Shared::new(self)?;
        let addr = shared.settings.listen;
        let listener = TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?;
        let local_addr = listener.local_addr().map_err(|source| ServerError::Bind { addr, source })?;
        Ok(Server { listener, local_addr, shared: Arc::new(shared) })
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

/// What every connection of a server shares.
struct Shared {
    settings: ServerBuilder,
    /// The metrics served, when not the whole global registry: without the
    /// runtime's own ([`ServerBuilder::self_metrics`]) or the process
    /// metrics ([`ServerBuilder::process_metrics`]).
    registry: Option<Arc<Registry<'static>>>,
    /// `/catalog.json`, built on its first request (the registry never
    /// changes once built).
    catalog: OnceLock<Bytes>,
    /// `/catalog`, likewise.
    catalog_page: OnceLock<Bytes>,
    auth: Auth,
    connections: Connections,
    /// `/stream`'s hub, made by its first subscriber.
    hub: OnceLock<Result<crate::stream::Hub, String>>,
    /// `/stream` subscribers connected now.
    subscribers: AtomicUsize,
    /// Set when the server stops: subscribers' streams end.
    stopping: watch::Sender<bool>,
    #[cfg(feature = "tls")]
    tls: Option<tls::Tls>,
}

impl Shared {
    /// Checks the settings and the registry, and loads the files.
    fn new(settings: ServerBuilder) -> Result<Shared, ServerError> {
        settings.check()?;
        let global = crate::global().map_err(ServerError::Registry)?;
        let (own, process, created) = (settings.self_metrics, settings.process_metrics, settings.created_samples);
        let registry = (!own || !process || created).then(|| {
            let registry = global.subset(|d| {
                (own || !crate::is_runtime_metric(d)) && (process || !crate::process::is_process_metric(d))
            });
            Arc::new(registry.with_created_samples(created))
        });
        let auth = Auth::new(settings.bearer_token.as_deref(), settings.bearer_token_file.as_deref())?;
        #[cfg(feature = "tls")]
        let tls = match &settings.tls_cert {
            Some((cert, key)) => {
                let files =
                    tls::TlsFiles { cert: cert.clone(), key: key.clone(), client_ca: settings.tls_client_ca.clone() };
                Some(tls::Tls::load(files).map_err(ServerError::Tls)?)
            }
            None => None,
        };
        Ok(Shared {
            connections: Connections::new(settings.max_connections),
            settings,
            registry,
            catalog: OnceLock::new(),
            catalog_page: OnceLock::new(),
            auth,
            hub: OnceLock::new(),
            subscribers: AtomicUsize::new(0),
            stopping: watch::channel(false).0,
            #[cfg(feature = "tls")]
            tls,
        })
    }
}

impl Shared {
    /// The metrics this server serves.
    fn registry(&self) -> Result<&Registry<'static>, &'static RegistryError> {
        match &self.registry {
            Some(registry) => Ok(registry),
            None => crate::global(),
        }
    }

    /// `/stream`'s hub over the served metrics, made on first use.
    fn hub(&self) -> Result<&crate::stream::Hub, &str> {
        let (tick, buffer) = (self.settings.stream_tick, self.settings.stream_buffer_bytes);
        let hub = self.hub.get_or_init(|| {
            match &self.registry {
                Some(registry) => crate::stream::Hub::owned(Arc::clone(registry), tick, buffer),
                None => crate::stream::Hub::global_with(tick, buffer),
            }
            .map_err(|e| e.to_string())
        });
        hub.as_ref().map_err(String::as_str)
    }
}

/// A bound server; [`Server::serve_until`] runs it.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    shared: Arc<Shared>,
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
        let Server { listener, shared, .. } = self;
        let graceful = GracefulShutdown::new();
        let (stopping, stop_seen) = watch::channel(false);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => accepted,
            };
            let stream = match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    // A connection reset before it was accepted, or no file
                    // descriptors left: not fatal to the listener. Out of
                    // descriptors, closing a waiting connection frees one.
                    self_metrics::rejected_connection(Rejection::AcceptFailed);
                    if out_of_descriptors(&error) && shared.connections.evict_one() {
                        self_metrics::rejected_connection(Rejection::Evicted);
                        tokio::task::yield_now().await;
                    } else {
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                    continue;
                }
            };
            let tracker = match shared.connections.admit() {
                Admission::Admitted { tracker, evicted } => {
                    if evicted {
                        self_metrics::rejected_connection(Rejection::Evicted);
                    }
                    tracker
                }
                Admission::Full => {
                    self_metrics::rejected_connection(Rejection::ConnectionLimit);
                    drop(stream);
                    continue;
                }
            };
            let shared = Arc::clone(&shared);
            let watcher = graceful.watcher();
            let stop_seen = stop_seen.clone();
            tokio::spawn(async move {
                let outcome = tokio::select! {
                    outcome = connection(&shared, stream, &tracker, watcher, stop_seen) => outcome,
                    // Closed to make room: counted where it was chosen.
                    () = tracker.evicted() => Ok(()),
                };
                match outcome {
                    // A subscriber that stopped reading: dropped, and
                    // counted as such (it can reconnect and replay).
                    Err(Rejection::SendTimeout) if tracker.is_streaming() => {
                        self_metrics::stream_slow_client_dropped();
                    }
                    Err(reason) => self_metrics::rejected_connection(reason),
                    Ok(()) => {}
                }
                shared.connections.release(&tracker);
            });
        }
        drop(listener);
        let _ = stopping.send(true);
        shared.stopping.send_replace(true);
        // Requests in flight finish; connections left after the timeout are
        // dropped with the runtime's tasks.
        let _ = tokio::time::timeout(shared.settings.shutdown_timeout, graceful.shutdown()).await;
    }
}

fn out_of_descriptors(error: &io::Error) -> bool {
    // EMFILE and ENFILE on Linux and the BSDs.
    matches!(error.raw_os_error(), Some(23 | 24))
}

/// One connection, from the TLS handshake (if any) to its end.
async fn connection(
    shared: &Arc<Shared>,
    stream: TcpStream,
    tracker: &Arc<Tracker>,
    watcher: Watcher,
    #[cfg_attr(not(feature = "tls"), allow(unused_mut, unused_variables))] mut stop_seen: watch::Receiver<bool>,
) -> Result<(), Rejection> {
    let stream = FirstRead::new(stream, tracker);
    #[cfg(feature = "tls")]
    if let Some(tls) = &shared.tls {
        let handshake = tokio::time::timeout(shared.settings.header_read_timeout, tls.acceptor().accept(stream));
        let stream = tokio::select! {
            done = handshake => match done {
                Ok(Ok(stream)) => stream,
                Ok(Err(_)) => return Err(Rejection::TlsHandshake),
                Err(_) => return Err(Rejection::HeaderTimeout),
            },
            // Shutting down: a handshake is not a request in flight.
            _ = stop_seen.wait_for(|stopping| *stopping) => return Ok(()),
        };
        return http(shared, stream, Some(tracker), watcher).await;
    }
    http(shared, stream, Some(tracker), watcher).await
}

/// Serves HTTP/1.1 on one connection until it ends.
async fn http<I>(shared: &Arc<Shared>, io: I, tracker: Option<&Arc<Tracker>>, watcher: Watcher) -> Result<(), Rejection>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let settings = &shared.settings;
    let handler = http::Handler::new(Arc::clone(shared), tracker.cloned());
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout)
        .max_buf_size(settings.max_header_bytes)
        .serve_connection(TokioIo::new(SendTimeout::new(io, settings.send_timeout)), handler);
    watcher.watch(connection).await.map_err(|error| {
        if error.is_timeout() {
            Rejection::HeaderTimeout
        } else if error.is_parse_too_large() {
            Rejection::HeaderTooLarge
        } else if error.is_parse() {
            Rejection::BadRequest
        } else if io_error_kind(&error) == Some(io::ErrorKind::TimedOut) {
            Rejection::SendTimeout
        } else {
            Rejection::ConnectionError
        }
    })
}

fn io_error_kind(error: &(dyn std::error::Error + 'static)) -> Option<io::ErrorKind> {
    let mut source = Some(error);
    while let Some(error) = source {
        if let Some(io) = error.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        source = error.source();
    }
    None
}

/// Answers one raw byte stream as a server connection with these settings
/// would, without a socket: the request bytes are sent and the write side
/// closed, and everything the server wrote comes back. For fuzzing and
/// tests of the request parser; not a stable API.
#[doc(hidden)]
pub fn __answer_bytes(settings: ServerBuilder, request: &[u8]) -> Result<Vec<u8>, ServerError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let shared = Arc::new(Shared::new(settings)?);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(ServerError::Runtime)?;
    Ok(runtime.block_on(async {
        let (mut client, server) = tokio::io::duplex(64 * 1024);
        let graceful = GracefulShutdown::new();
        let serving = tokio::spawn({
            let shared = Arc::clone(&shared);
            let watcher = graceful.watcher();
            async move { http(&shared, server, None, watcher).await }
        });
        let (mut reader, mut writer) = tokio::io::split(&mut client);
        let mut response = Vec::new();
        let send = async {
            // The server may close before reading it all.
            let _ = writer.write_all(request).await;
            let _ = writer.shutdown().await;
        };
        let _ = tokio::join!(send, reader.read_to_end(&mut response));
        let _ = serving.await;
        response
    }))
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
    /// The global registry failed its check: two declarations expose the
    /// same name. The error names both.
    Registry(&'static RegistryError),
    /// The TLS files could not be loaded (feature `tls`).
    Tls(String),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Config(message) => write!(f, "invalid server setting: {message}"),
            ServerError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ServerError::Runtime(source) => write!(f, "cannot start the server's runtime: {source}"),
            ServerError::Panicked => f.write_str("the metrics server thread panicked"),
            ServerError::Registry(error) => write!(f, "refusing to serve metrics: {error}"),
            ServerError::Tls(message) => write!(f, "cannot serve HTTPS: {message}"),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Bind { source, .. } | ServerError::Runtime(source) => Some(source),
            ServerError::Registry(error) => Some(*error),
            ServerError::Config(_) | ServerError::Panicked | ServerError::Tls(_) => None,
        }
    }
}

impl From<ServerError> for io::Error {
    fn from(error: ServerError) -> io::Error {
        let kind = match &error {
            ServerError::Bind { source, .. } | ServerError::Runtime(source) => source.kind(),
            ServerError::Config(_) | ServerError::Tls(_) => io::ErrorKind::InvalidInput,
            ServerError::Registry(_) => io::ErrorKind::InvalidData,
            ServerError::Panicked => io::ErrorKind::Other,
        };
        io::Error::new(kind, error)
    }
}
