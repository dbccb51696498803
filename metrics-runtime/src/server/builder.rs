//! The server's settings and their checks.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::ServerError;

/// The default address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

/// The smallest header limit hyper can enforce.
const MIN_HEADER_BYTES: usize = 8192;

/// The largest header limit accepted: request heads of scrapers are a few
/// hundred bytes, and every connection may buffer this much.
const MAX_HEADER_BYTES: usize = 1024 * 1024;

/// The longest timeout accepted: a longer one is a mistake, and some would
/// overflow the clock.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The server's settings. [`ServerBuilder::new`] gives safe defaults.
///
/// ```
/// use std::io::{Read, Write};
/// use std::time::Duration;
///
/// use metricate::server::ServerBuilder;
///
/// // On a thread of its own; `bind().await` serves on the caller's tokio runtime.
/// let server = ServerBuilder::new()
///     .listen("127.0.0.1:0".parse()?) // port 0: the system picks one
///     .max_connections(256)
///     .header_read_timeout(Duration::from_secs(5))
///     .spawn()?;
///
/// let mut stream = std::net::TcpStream::connect(server.local_addr())?;
/// stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
/// let mut response = String::new();
/// stream.read_to_string(&mut response)?;
/// assert!(response.starts_with("HTTP/1.1 200 OK"));
///
/// server.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
// Independent switches of what is served, one per builder method.
#[allow(clippy::struct_excessive_bools)]
pub struct ServerBuilder {
    pub(super) listen: SocketAddr,
    pub(super) bearer_token: Option<Box<[u8]>>,
    pub(super) bearer_token_file: Option<PathBuf>,
    pub(super) max_connections: usize,
    pub(super) header_read_timeout: Duration,
    pub(super) max_header_bytes: usize,
    pub(super) send_timeout: Duration,
    pub(super) shutdown_timeout: Duration,
    pub(super) tls_cert: Option<(PathBuf, PathBuf)>,
    pub(super) tls_client_ca: Option<PathBuf>,
    pub(super) quiet: bool,
    pub(super) self_metrics: bool,
    pub(super) process_metrics: bool,
    pub(super) created_samples: bool,
    pub(super) max_subscribers: usize,
    pub(super) stream_tick: Duration,
    pub(super) stream_buffer_bytes: usize,
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("listen", &self.listen)
            .field("bearer_token", &self.bearer_token.as_ref().map(|_| "<set>"))
            .field("bearer_token_file", &self.bearer_token_file)
            .field("max_connections", &self.max_connections)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_header_bytes", &self.max_header_bytes)
            .field("send_timeout", &self.send_timeout)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("tls_cert", &self.tls_cert)
            .field("tls_client_ca", &self.tls_client_ca)
            .field("quiet", &self.quiet)
            .field("self_metrics", &self.self_metrics)
            .field("process_metrics", &self.process_metrics)
            .field("created_samples", &self.created_samples)
            .field("max_subscribers", &self.max_subscribers)
            .field("stream_tick", &self.stream_tick)
            .field("stream_buffer_bytes", &self.stream_buffer_bytes)
            .finish()
    }
}

impl Default for ServerBuilder {
    fn default() -> ServerBuilder {
        ServerBuilder::new()
    }
}

impl ServerBuilder {
    /// Loopback (`127.0.0.1:9464`), plain HTTP, no auth, 1,024 connections,
    /// 5 s to send a request head of at most 16 KiB, 10 s for a response to
    /// make progress, 5 s for scrapes in flight at shutdown; `/stream` with
    /// 256 subscribers at most, a 100 ms tick and a 16 MiB replay ring.
    pub fn new() -> ServerBuilder {
        ServerBuilder {
            listen: DEFAULT_LISTEN.parse().expect("the default address parses"), // invariant: a literal
            bearer_token: None,
            bearer_token_file: None,
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(5),
            max_header_bytes: 16 * 1024,
            send_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(5),
            tls_cert: None,
            tls_client_ca: None,
            quiet: false,
            self_metrics: true,
            process_metrics: true,
            created_samples: false,
            max_subscribers: 256,
            stream_tick: Duration::from_millis(100),
            stream_buffer_bytes: crate::stream::DEFAULT_BUFFER_BYTES,
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
        self.bearer_token = Some(token.as_ref().as_bytes().into());
        self
    }

    /// Requires `Authorization: Bearer <token>` on `/metrics` and
    /// `/catalog.json`, with any token of this file: one per non-empty line,
    /// surrounding whitespace ignored.
    ///
    /// The file is checked on every request and re-read when it changed, so a
    /// token is rotated without a restart: write the new file beside the old
    /// one and rename it over it (list both tokens for a while to switch
    /// scrapers without a failed scrape). Unreadable or empty at start, the
    /// server does not start; broken later, every request is refused until
    /// it is fixed, and `metrics_export_config_reloads_total` counts it.
    #[must_use]
    pub fn bearer_token_file(mut self, path: impl Into<PathBuf>) -> ServerBuilder {
        self.bearer_token_file = Some(path.into());
        self
    }

    /// The most connections open at once (default 1,024). At the limit, the
    /// connection that has waited longest for its request head (or idled
    /// longest between requests) is closed to make room; only when every
    /// connection is busy answering is a newcomer refused.
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> ServerBuilder {
        self.max_connections = n;
        self
    }

    /// How long a client may take to send a request head (and, with TLS, to
    /// complete the handshake), and how long a keep-alive connection may
    /// idle between requests.
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> ServerBuilder {
        self.header_read_timeout = timeout;
        self
    }

    /// The largest request head accepted (8 KiB to 1 MiB); larger ones get
    /// `431`.
    #[must_use]
    pub fn max_header_bytes(mut self, bytes: usize) -> ServerBuilder {
        self.max_header_bytes = bytes;
        self
    }

    /// How long a response may make no progress (a client that stopped
    /// reading) before its connection is closed.
    #[must_use]
    pub fn send_timeout(mut self, timeout: Duration) -> ServerBuilder {
        self.send_timeout = timeout;
        self
    }

    /// How long shutdown waits for requests in flight before closing their
    /// connections.
    #[must_use]
    pub fn shutdown_timeout(mut self, timeout: Duration) -> ServerBuilder {
        self.shutdown_timeout = timeout;
        self
    }

    /// Serves HTTPS (feature `tls`) with the certificate chain and private key
    /// in these PEM files. Both are checked at every new connection and
    /// re-read when they changed, so a renewed certificate is used without a
    /// restart; a change that does not load (a half-written file, a key that
    /// does not match) keeps the previous pair and is counted in
    /// `metrics_export_config_reloads_total{source="tls",result="error"}`.
    #[must_use]
    pub fn tls(mut self, cert_chain: impl Into<PathBuf>, private_key: impl Into<PathBuf>) -> ServerBuilder {
        self.tls_cert = Some((cert_chain.into(), private_key.into()));
        self
    }

    /// Requires a client certificate signed by a CA of this PEM file (mutual
    /// TLS; needs [`ServerBuilder::tls`]). Re-read when it changes, like the
    /// certificate.
    #[must_use]
    pub fn tls_client_ca(mut self, ca: impl Into<PathBuf>) -> ServerBuilder {
        self.tls_client_ca = Some(ca.into());
        self
    }

    /// Makes every family with labels quiet on `/metrics` (default `false`):
    /// only its series that have been recorded to are served, as for a
    /// metric declared `#[metric(quiet)]`, instead of every combination of
    /// its label values from the first scrape. For programs whose large
    /// families would otherwise serve many series that never move. A metric
    /// without labels always serves its one series.
    ///
    /// ```
    /// use metricate::server::ServerBuilder;
    ///
    /// let server = ServerBuilder::new().listen("127.0.0.1:0".parse()?).quiet(true).spawn()?;
    /// server.shutdown()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn quiet(mut self, quiet: bool) -> ServerBuilder {
        self.quiet = quiet;
        self
    }

    /// Whether `/metrics` and `/catalog.json` include the runtime's own
    /// metrics, `metrics_export_*` (default `true`): scrapes, encoding time,
    /// connections, rejected samples. With `false` they are left out of both
    /// (they are still counted, at the cost of an atomic add each).
    ///
    /// ```
    /// use metricate::server::ServerBuilder;
    ///
    /// let server = ServerBuilder::new().listen("127.0.0.1:0".parse()?).self_metrics(false).spawn()?;
    /// server.shutdown()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn self_metrics(mut self, include: bool) -> ServerBuilder {
        self.self_metrics = include;
        self
    }

    /// Whether `/metrics`, `/catalog.json` and `/stream` include the
    /// standard process metrics (`process_cpu_seconds_total`,
    /// `process_resident_memory_bytes` and the others, read from `/proc` on
    /// Linux; default `true`).
    #[must_use]
    pub fn process_metrics(mut self, include: bool) -> ServerBuilder {
        self.process_metrics = include;
        self
    }

    /// Whether OpenMetrics scrapes carry the `_created` sample of every
    /// counter, histogram and summary series (default `false`: only those
    /// declared `#[metric(created)]`). See
    /// [`Registry::with_created_samples`](crate::Registry::with_created_samples).
    #[must_use]
    pub fn created_samples(mut self, on: bool) -> ServerBuilder {
        self.created_samples = on;
        self
    }

    /// The most `/stream` subscribers at once (default 256). They do not
    /// take connection slots ([`ServerBuilder::max_connections`]); one more
    /// is answered `503` with `Retry-After`.
    #[must_use]
    pub fn max_subscribers(mut self, n: usize) -> ServerBuilder {
        self.max_subscribers = n;
        self
    }

    /// The tick of `/stream` (default 100 ms, 10 ms at least): how often
    /// the registry is read for subscribers, and the shortest cadence one
    /// can ask for. Ticks are aligned to the clock.
    #[must_use]
    pub fn stream_tick(mut self, tick: Duration) -> ServerBuilder {
        self.stream_tick = tick;
        self
    }

    /// The bound of the ring of frames `/stream` replays from after a
    /// reconnect (default 16 MiB; at least 64 KiB).
    #[must_use]
    pub fn stream_buffer_bytes(mut self, bytes: usize) -> ServerBuilder {
        self.stream_buffer_bytes = bytes;
        self
    }

    pub(super) fn check(&self) -> Result<(), ServerError> {
        let invalid = |message: String| Err(ServerError::Config(message));
        if self.max_connections == 0 {
            return invalid("`max_connections` must be at least 1".to_owned());
        }
        if !(MIN_HEADER_BYTES..=MAX_HEADER_BYTES).contains(&self.max_header_bytes) {
            return invalid(format!(
                "`max_header_bytes` must be from {MIN_HEADER_BYTES} to {MAX_HEADER_BYTES}, got {}",
                self.max_header_bytes
            ));
        }
        for (name, timeout, zero_allowed) in [
            ("header_read_timeout", self.header_read_timeout, false),
            ("send_timeout", self.send_timeout, false),
            ("shutdown_timeout", self.shutdown_timeout, true),
        ] {
            if timeout.is_zero() && !zero_allowed {
                return invalid(format!("`{name}` must be more than zero"));
            }
            if timeout > MAX_TIMEOUT {
                return invalid(format!("`{name}` must be at most 24 hours, got {timeout:?}"));
            }
        }
        if self.max_subscribers == 0 {
            return invalid("`max_subscribers` must be at least 1".to_owned());
        }
        if !crate::stream::tick_in_range(self.stream_tick) {
            return invalid(format!("`stream_tick` must be from 10 ms to 1 hour, got {:?}", self.stream_tick));
        }
        if self.stream_buffer_bytes < 64 * 1024 {
            return invalid(format!("`stream_buffer_bytes` must be at least 64 KiB, got {}", self.stream_buffer_bytes));
        }
        if self.tls_client_ca.is_some() && self.tls_cert.is_none() {
            return invalid("`tls_client_ca` needs `tls` (a certificate and key to serve)".to_owned());
        }
        if self.tls_cert.is_some() && cfg!(not(feature = "tls")) {
            return invalid("`tls` needs the `tls` feature of metricate".to_owned());
        }
        Ok(())
    }
}
