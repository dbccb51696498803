//! The direct StatsD client: counters, gauges and timings by name, one
//! datagram per call, for code that wants StatsD without declaring metrics.

use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::line::{Number, is_name_char, push_clean};
use super::{local_for, parse_address, preferred};
use crate::export::ExportError;

/// The server when `STATSD_HOST` is not set.
const DEFAULT_HOST: &str = "localhost";

/// The port when `STATSD_PORT` is not set.
const DEFAULT_PORT: u16 = 8125;

/// The fraction of calls that send: a call with a rate below 1 sends with
/// that probability, and says so (`|@0.1`), so that the server scales it
/// back up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleRate(f64);

impl SampleRate {
    /// Every call sends.
    pub const ALWAYS: SampleRate = SampleRate(1.0);

    /// A rate above 0 and at most 1. Refuses anything else (NaN included).
    pub fn new(rate: f64) -> Result<SampleRate, ExportError> {
        if rate > 0.0 && rate <= 1.0 {
            Ok(SampleRate(rate))
        } else {
            Err(ExportError::Config(format!("a sample rate is above 0 and at most 1, not {rate}")))
        }
    }

    /// The rate.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for SampleRate {
    fn default() -> SampleRate {
        SampleRate::ALWAYS
    }
}

/// Sends StatsD lines straight away, one datagram per call:
/// `incr` (`|c`), `gauge` (`|g`), `timing` and [`Timer`] (`|ms`).
///
/// ```no_run
/// use std::time::Duration;
/// use metricate::export::{SampleRate, StatsdClient};
///
/// // STATSD_HOST and STATSD_PORT, or localhost:8125.
/// let statsd = StatsdClient::from_env()?.prefix("billing")?;
/// statsd.incr("invoices", 1, SampleRate::ALWAYS); // billing.invoices:1|c
/// statsd.gauge("queue", -3.0, SampleRate::ALWAYS); // billing.queue:0|g, billing.queue:-3|g
/// statsd.timing("render", Duration::from_millis(12), SampleRate::new(0.1)?); // billing.render:12|ms|@0.1
/// {
///     let _timer = statsd.timer("close", SampleRate::ALWAYS);
///     // ... timed work: sent as billing.close:<ms>|ms when the timer drops
/// }
/// # Ok::<(), metricate::export::ExportError>(())
/// ```
///
/// Sending never blocks: the socket is non-blocking, and a datagram the
/// system cannot take at once is dropped and counted
/// ([`StatsdClient::dropped`]), as is one refused because the server is not
/// listening (the socket is connected, so a refusal shows on the next
/// send). A missing server is not an error at construction. In a name,
/// characters that would break a line (`:`, `|`, `@`, `#`, white space)
/// become `_`; a call with an empty name, or a gauge or timing that is not
/// a finite number, sends nothing and counts as dropped.
#[derive(Debug)]
pub struct StatsdClient {
    socket: UdpSocket,
    peer: SocketAddr,
    /// With its dot, or empty.
    prefix: String,
    dropped: AtomicU64,
}

impl StatsdClient {
    /// A client sending to `address`, `host:port` (an IPv6 address in
    /// brackets), resolved now, preferring IPv4. Refuses an address without
    /// a port, with port 0, or whose host does not resolve.
    pub fn new(address: &str) -> Result<StatsdClient, ExportError> {
        let (host, port) = parse_address(address)?;
        StatsdClient::connect(&host, port)
    }

    /// A client sending to `STATSD_HOST` (`localhost` when unset or empty)
    /// and `STATSD_PORT` (8125 when unset or empty). Refuses a port that is
    /// not a number from 1 to 65535.
    pub fn from_env() -> Result<StatsdClient, ExportError> {
        let (host, port) =
            env_address(std::env::var("STATSD_HOST").ok().as_deref(), std::env::var("STATSD_PORT").ok().as_deref())?;
        StatsdClient::connect(&host, port)
    }

    fn connect(host: &str, port: u16) -> Result<StatsdClient, ExportError> {
        let config = |why: String| ExportError::Config(format!("cannot send StatsD to `{host}` port {port}: {why}"));
        let addresses = (host, port).to_socket_addrs().map_err(|e| config(format!("it does not resolve: {e}")))?;
        let peer = preferred(addresses).ok_or_else(|| config("it resolves to no address".into()))?;
        let socket = UdpSocket::bind(local_for(peer))
            .and_then(|socket| {
                socket.connect(peer)?;
                socket.set_nonblocking(true)?;
                Ok(socket)
            })
            .map_err(|e| config(format!("cannot open a UDP socket: {e}")))?;
        Ok(StatsdClient { socket, peer, prefix: String::new(), dropped: AtomicU64::new(0) })
    }

    /// Puts `prefix.` before every name. Refuses a prefix that is not
    /// dot-separated parts of letters, digits, `_` and `-`.
    pub fn prefix(mut self, prefix: &str) -> Result<StatsdClient, ExportError> {
        let valid = prefix.split('.').all(|part| !part.is_empty() && part.chars().all(is_name_char));
        if !valid {
            return Err(ExportError::Config(format!(
                "`{prefix}` is not a StatsD prefix: dot-separated parts of letters, digits, `_` and `-`"
            )));
        }
        self.prefix = format!("{prefix}.");
        Ok(self)
    }

    /// Where it sends.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Datagrams not sent: the system could not take them at once, the
    /// server refused, or the call's input could not make a line.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Adds `count` (negative to subtract) to the counter `name`:
    /// `name:count|c`.
    pub fn incr(&self, name: &str, count: i64, rate: SampleRate) {
        self.send(name, Number::Signed(count), "c", rate);
    }

    /// Sets the gauge `name` to `value`: `name:value|g`. A negative value is
    /// sent as `name:0|g` and `name:value|g` in one datagram, since StatsD
    /// reads a lone signed value as a change.
    pub fn gauge(&self, name: &str, value: f64, rate: SampleRate) {
        self.send(name, Number::Float(value), "g", rate);
    }

    /// Records that `name` took `elapsed`: `name:milliseconds|ms`.
    pub fn timing(&self, name: &str, elapsed: Duration, rate: SampleRate) {
        self.send(name, Number::Float(elapsed.as_secs_f64() * 1000.0), "ms", rate);
    }

    /// A timer that sends the time from now until it is dropped as a
    /// timing of `name`.
    pub fn timer<'a>(&'a self, name: &'a str, rate: SampleRate) -> Timer<'a> {
        Timer { client: self, name, rate, start: Instant::now() }
    }

    fn send(&self, name: &str, number: Number, kind: &str, rate: SampleRate) {
        let sampled = rate.0 < 1.0;
        if sampled && fastrand::f64() >= rate.0 {
            return;
        }
        let finite = match number {
            Number::Float(v) => v.is_finite(),
            Number::Unsigned(_) | Number::Signed(_) => true,
        };
        if name.is_empty() || !finite {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut datagram = Vec::with_capacity(self.prefix.len() + name.len() + 32);
        let line = |out: &mut Vec<u8>, number: Number| {
            out.extend_from_slice(self.prefix.as_bytes());
            push_clean(out, name, is_key_char);
            out.push(b':');
            number.write(out);
            out.push(b'|');
            out.extend_from_slice(kind.as_bytes());
            if sampled {
                out.extend_from_slice(b"|@");
                Number::Float(rate.0).write(out);
            }
        };
        if kind == "g" && number.is_negative() {
            line(&mut datagram, Number::Unsigned(0));
            datagram.push(b'\n');
        }
        line(&mut datagram, number);
        if self.socket.send(&datagram).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What a name sent by the client keeps as it is: anything but what would
/// break the line (`:`, `|`, `@`, `#`, white space).
fn is_key_char(c: char) -> bool {
    !matches!(c, ':' | '|' | '@' | '#') && !c.is_whitespace() && !c.is_control()
}

/// The host and port from the values of `STATSD_HOST` and `STATSD_PORT`.
fn env_address(host: Option<&str>, port: Option<&str>) -> Result<(String, u16), ExportError> {
    let host = host.filter(|h| !h.is_empty()).unwrap_or(DEFAULT_HOST);
    let port = match port.filter(|p| !p.is_empty()) {
        None => DEFAULT_PORT,
        Some(port) => match port.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => {
                return Err(ExportError::Config(format!("STATSD_PORT is `{port}`, not a port number from 1 to 65535")));
            }
        },
    };
    Ok((host.trim_start_matches('[').trim_end_matches(']').to_owned(), port))
}

/// Times a block: sends the time from [`StatsdClient::timer`] until it is
/// dropped, as a timing.
#[must_use = "a timer sends when it is dropped: bind it (`let _timer = ..`), or it sends at once"]
#[derive(Debug)]
pub struct Timer<'a> {
    client: &'a StatsdClient,
    name: &'a str,
    rate: SampleRate,
    start: Instant,
}

impl Timer<'_> {
    /// The time since the timer started.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

impl Drop for Timer<'_> {
    fn drop(&mut self) {
        self.client.timing(self.name, self.start.elapsed(), self.rate);
    }
}

#[cfg(test)]
mod tests {
    use std::net::UdpSocket;
    use std::time::{Duration, Instant};

    use super::*;

    /// A server socket on a free loopback port, and a client sending to it.
    fn pair() -> (UdpSocket, StatsdClient) {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let client = StatsdClient::new(&server.local_addr().unwrap().to_string()).unwrap();
        (server, client)
    }

    fn receive(server: &UdpSocket) -> String {
        let mut buffer = [0u8; 2048];
        let n = server.recv(&mut buffer).expect("a datagram arrives");
        String::from_utf8(buffer[..n].to_vec()).unwrap()
    }

    #[test]
    fn each_call_sends_its_line() {
        let (server, client) = pair();
        let client = client.prefix("app.web-1").unwrap();
        client.incr("jobs", 3, SampleRate::ALWAYS);
        assert_eq!(receive(&server), "app.web-1.jobs:3|c");
        client.incr("jobs", -2, SampleRate::ALWAYS);
        assert_eq!(receive(&server), "app.web-1.jobs:-2|c");
        client.gauge("queue", 12.0, SampleRate::ALWAYS);
        assert_eq!(receive(&server), "app.web-1.queue:12|g");
        client.gauge("temperature", -4.5, SampleRate::ALWAYS);
        assert_eq!(receive(&server), "app.web-1.temperature:0|g\napp.web-1.temperature:-4.5|g");
        client.timing("render", Duration::from_micros(12_500), SampleRate::ALWAYS);
        assert_eq!(receive(&server), "app.web-1.render:12.5|ms");
        client.incr("odd name:with|bits@#", 1, SampleRate::ALWAYS);
        assert_eq!(receive(&server), "app.web-1.odd_name_with_bits__:1|c");
        assert_eq!(client.dropped(), 0);
    }

    #[test]
    fn a_timer_sends_on_drop() {
        let (server, client) = pair();
        let started = Instant::now();
        {
            let timer = client.timer("block", SampleRate::ALWAYS);
            std::thread::sleep(Duration::from_millis(20));
            assert!(timer.elapsed() >= Duration::from_millis(20));
        }
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        let line = receive(&server);
        let ms: f64 = line.strip_prefix("block:").and_then(|l| l.strip_suffix("|ms")).unwrap().parse().unwrap();
        assert!((20.0..=elapsed).contains(&ms), "{line} after {elapsed} ms");
    }

    #[test]
    fn a_sampled_call_sends_sometimes_and_says_its_rate() {
        let (server, client) = pair();
        server.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        let half = SampleRate::new(0.5).unwrap();
        for _ in 0..200 {
            client.incr("sampled", 1, half);
        }
        let mut lines = Vec::new();
        let mut buffer = [0u8; 64];
        while let Ok(n) = server.recv(&mut buffer) {
            lines.push(String::from_utf8(buffer[..n].to_vec()).unwrap());
        }
        // 200 draws at one half: none or all of them has a chance of 2^-199.
        assert!(!lines.is_empty() && lines.len() < 200, "{} of 200", lines.len());
        assert!(lines.iter().all(|l| l == "sampled:1|c|@0.5"), "{lines:?}");
    }

    #[test]
    fn bad_input_is_refused_at_construction_or_counted() {
        let error = |result: Result<SampleRate, ExportError>| result.unwrap_err().to_string();
        for rate in [0.0, -0.1, 1.5, f64::NAN] {
            assert!(error(SampleRate::new(rate)).contains("above 0 and at most 1"), "{rate}");
        }
        assert_eq!(SampleRate::new(1.0).unwrap(), SampleRate::ALWAYS);
        let client_error = |address: &str| StatsdClient::new(address).unwrap_err().to_string();
        assert!(client_error("localhost").contains("expected `host:port`"));
        assert!(client_error("localhost:0").contains("port"));
        assert!(client_error("::1:8125").contains("brackets"));
        let (_server, client) = pair();
        assert!(client.prefix("a..b").unwrap_err().to_string().contains("not a StatsD prefix"));
        let (_server, client) = pair();
        client.gauge("nan", f64::NAN, SampleRate::ALWAYS);
        client.incr("", 1, SampleRate::ALWAYS);
        assert_eq!(client.dropped(), 2);
    }

    #[test]
    fn the_environment_names_the_server() {
        assert_eq!(env_address(None, None).unwrap(), ("localhost".to_owned(), 8125));
        assert_eq!(env_address(Some(""), Some("")).unwrap(), ("localhost".to_owned(), 8125));
        assert_eq!(env_address(Some("statsd.local"), Some("9125")).unwrap(), ("statsd.local".to_owned(), 9125));
        assert_eq!(env_address(Some("[::1]"), None).unwrap(), ("::1".to_owned(), 8125));
        for port in ["0", "70000", "http"] {
            assert!(env_address(None, Some(port)).unwrap_err().to_string().contains("STATSD_PORT"), "{port}");
        }
        // `localhost` is sent to over IPv4, where StatsD listens by default.
        let client = StatsdClient::new("localhost:8125").unwrap();
        assert_eq!(client.peer(), "127.0.0.1:8125".parse().unwrap());
    }

    #[test]
    fn a_missing_server_is_no_error_and_sending_does_not_block() {
        // A port nobody listens on: bound, read, released.
        let port = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let client = StatsdClient::new(&format!("127.0.0.1:{port}")).unwrap();
        let started = Instant::now();
        for _ in 0..10 {
            client.incr("nobody", 1, SampleRate::ALWAYS);
        }
        // A liveness bound: 10 non-blocking sends take microseconds.
        assert!(started.elapsed() < Duration::from_secs(10));
        // The refusals of loopback come back at once: every other send
        // reports the refusal of the one before.
        assert!(client.dropped() > 0, "no refusal counted");
    }
}
