//! The StatsD sink: each delivery sends, over UDP, what changed since the
//! last one: counters as deltas (`|c`), gauges as absolute values (`|g`),
//! histograms as the deltas of their count and sum (or, for servers that
//! have them, as distributions, `|d`). Labels are folded into the dotted
//! name or sent as DogStatsD tags. Lines are packed into datagrams of at
//! most [`Statsd::max_packet_bytes`], never split.
//!
//! [`StatsdClient`] is the direct client, for code that sends StatsD lines
//! without declaring metrics.

mod carry;
mod client;
mod line;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use metricate_spec::MetricKind;
use tokio::net::UdpSocket;

pub use self::client::{SampleRate, StatsdClient, Timer};

use self::carry::{Carry, Delta, Total};
use self::line::{Format, LONGEST_NUMBER, Number, is_name_char, weight};
use super::{BoxFuture, Delivered, ExportError, Sink, SinkError};
use crate::snapshot::{OwnedValue, Snapshot};

/// The default datagram size: 1432 bytes, the size the StatsD
/// documentation gives for multi-metric packets on Fast Ethernet, which
/// leaves room for the IP and UDP headers (and some tunnelling) inside a
/// 1500-byte frame.
pub const DEFAULT_MAX_PACKET_BYTES: usize = 1432;

/// The largest UDP payload over IPv4 (65535 less the IP and UDP headers).
const MAX_UDP_PAYLOAD: usize = 65_507;

/// How long the sink waits for a refusal of its probe before it takes the
/// server as listening: a refusal comes back within a round trip, far less
/// on a local network.
const PROBE_WAIT: Duration = Duration::from_millis(50);

/// How the labels of a series reach the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TagStyle {
    /// Folded into the dotted name, `name.label.value` for each label in
    /// order, for any StatsD server (the default). Characters of a value
    /// other than letters, digits, `_` and `-` become `_`.
    #[default]
    Folded,
    /// DogStatsD tags after the type, `name:1|c|#label:value,label:value`:
    /// for the Datadog agent, Telegraf, and Etsy's daemon since 0.9 (which
    /// keys them as `name;label=value`). `,`, `|` and white space in a value
    /// become `_`.
    DogStatsd,
}

/// Sends the registry to a StatsD server over UDP.
///
/// ```
/// use metricate::export::{Statsd, TagStyle};
///
/// let sink = Statsd::new("127.0.0.1:8125")?
///     .prefix("billing")? // billing.trc_invoices_total...
///     .tags(TagStyle::DogStatsd)
///     .max_packet_bytes(8932)?; // jumbo frames
/// # Ok::<(), metricate::export::ExportError>(())
/// ```
///
/// # What is sent
///
/// - A **counter** sends what it counted since the last delivery,
///   `trc_jobs_total:3|c`, and nothing when that is zero.
/// - A **gauge** sends its value at every delivery (once anything has set
///   it), `trc_queue_depth:12|g`. StatsD reads a signed value as a change
///   (`-5|g` lowers the gauge by 5), so a negative value goes as two lines
///   in one datagram: `trc_temperature:0|g` then `trc_temperature:-5|g`.
///   A gauge that is not a finite number is not sent.
/// - A **histogram** sends the deltas of its observation count and sum as
///   two counters, `trc_latency_seconds.count:4|c` and
///   `trc_latency_seconds.sum:0.73|c`. With [`Statsd::distributions`], for
///   servers with DogStatsD distributions, it sends instead each bucket
///   that gained observations as one value, the bucket's upper bound (the
///   largest finite bound for `+Inf`), weighted by a sample rate of
///   `1/n` for `n` observations: `trc_latency_seconds:0.25|d|@0.5`. The
///   server then counts every observation, and its percentiles are those of
///   the buckets; the sum is approximate.
///
/// # Delivery
///
/// StatsD adds up what it receives, so the sink keeps, for every counter
/// and histogram series, the total it last sent, and sends the difference.
/// Only a datagram that was sent advances its series: when a send fails
/// (the server refused it, the network is down), the lines not sent carry
/// into the next delivery, and the exporter's retry takes a fresh snapshot.
/// The totals the server adds up then equal what was recorded.
///
/// UDP is at most once, though: a datagram sent without error may still be
/// lost. The socket is connected, so that a server that is not listening
/// answers with a refusal, but that refusal comes back only after the
/// datagram that caused it has been sent: when the server goes away, the
/// datagrams of one delivery at most are lost before the sink notices.
/// After a refusal, and before its first delivery, the sink sends an empty
/// datagram and waits briefly for a refusal before sending data again, so
/// that an outage costs no more. (StatsD counts the empty datagram as a
/// packet received, and nothing else.)
pub struct Statsd {
    host: String,
    port: u16,
    destination: String,
    format: Format,
    max_packet: usize,
    socket: Option<UdpSocket>,
    /// Whether the server may not be listening: no datagram has been sent
    /// yet, or one was refused. Data waits for a probe.
    suspect: bool,
    carry: Carry<Key>,
    batch: Batch,
}

impl std::fmt::Debug for Statsd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statsd")
            .field("destination", &self.destination)
            .field("prefix", &self.format.prefix.trim_end_matches('.'))
            .field("tags", &self.format.tags)
            .field("distributions", &self.format.distributions)
            .field("max_packet_bytes", &self.max_packet)
            .finish_non_exhaustive()
    }
}

impl Statsd {
    /// A sink sending to the StatsD server at `address`, `host:port` (an
    /// IPv6 address in brackets, `[::1]:8125`). A host name is resolved
    /// when the sink opens its socket, preferring IPv4 (where StatsD
    /// daemons listen by default). Refuses an address without a port, or
    /// with port 0. A server that is not listening is not an error here.
    pub fn new(address: &str) -> Result<Statsd, ExportError> {
        let (host, port) = parse_address(address)?;
        let destination = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        Ok(Statsd {
            host,
            port,
            destination,
            format: Format { prefix: String::new(), tags: TagStyle::Folded, distributions: false },
            max_packet: DEFAULT_MAX_PACKET_BYTES,
            socket: None,
            suspect: true,
            carry: Carry::new(),
            batch: Batch::default(),
        })
    }

    /// Puts `prefix.` before every name. Refuses a prefix that is not
    /// dot-separated parts of letters, digits, `_` and `-`, and one that
    /// makes a line of the registered metrics longer than a datagram (see
    /// [`Statsd::max_packet_bytes`]).
    pub fn prefix(mut self, prefix: &str) -> Result<Statsd, ExportError> {
        let valid = prefix.split('.').all(|part| !part.is_empty() && part.chars().all(is_name_char));
        if !valid {
            return Err(ExportError::Config(format!(
                "`{prefix}` is not a StatsD prefix: dot-separated parts of letters, digits, `_` and `-`"
            )));
        }
        self.format.prefix = format!("{prefix}.");
        self.check_fits()?;
        Ok(self)
    }

    /// How labels are sent: folded into the name (the default) or as
    /// DogStatsD tags.
    #[must_use]
    pub fn tags(mut self, style: TagStyle) -> Statsd {
        self.format.tags = style;
        self
    }

    /// Whether histograms go as DogStatsD distributions (`|d`) rather than
    /// as count and sum counters (off by default). Only for servers that
    /// have them: Etsy's daemon would add the values up as a counter.
    #[must_use]
    pub fn distributions(mut self, on: bool) -> Statsd {
        self.format.distributions = on;
        self
    }

    /// The largest datagram sent, in bytes ([`DEFAULT_MAX_PACKET_BYTES`] by
    /// default): lines are packed into datagrams up to this size, and a
    /// line is never split. Refuses a size above 65507 (the largest UDP
    /// payload), and one that cannot hold the longest lines a series of the
    /// global registry could need (with this prefix, either tag style,
    /// distributions or not, and the longest number), naming the metric.
    /// Like [`Statsd::prefix`], it reads the global registry, which builds
    /// it: call [`register_global`](crate::register_global) before, if at
    /// all.
    pub fn max_packet_bytes(mut self, bytes: usize) -> Result<Statsd, ExportError> {
        if bytes > MAX_UDP_PAYLOAD {
            return Err(ExportError::Config(format!(
                "a StatsD packet of {bytes} bytes is larger than a UDP datagram can be ({MAX_UDP_PAYLOAD} bytes)"
            )));
        }
        self.max_packet = bytes;
        self.check_fits()?;
        Ok(self)
    }

    /// Refuses a packet size that the registered metrics' lines cannot fit
    /// in. A registry that fails its check is the exporter's to refuse.
    fn check_fits(&self) -> Result<(), ExportError> {
        let Ok(registry) = crate::global() else { return Ok(()) };
        match self.format.longest(crate::process_constant_labels(), registry.iter().map(|r| r.descriptor)) {
            Some((name, need)) if need > self.max_packet => Err(ExportError::Config(format!(
                "a StatsD packet of {} bytes cannot hold the lines of `{name}`, which may need {need} bytes \
                 (its longest label values, a number of {LONGEST_NUMBER} characters, and a second line for a \
                 negative gauge or a histogram's sum): use at least {need}",
                self.max_packet
            ))),
            _ => Ok(()),
        }
    }

    /// Lays the snapshot's lines out in datagrams, in `self.batch`.
    fn lay_out(&mut self, snapshot: &Snapshot) {
        let Statsd { format, carry, batch, max_packet, .. } = self;
        batch.clear();
        for family in snapshot.families() {
            let descriptor = family.descriptor();
            for series in family.series() {
                let line = |unit: &mut Vec<u8>, suffix: &str, number: Number, kind: &str, rate: Option<f64>| {
                    format.line(unit, snapshot.constant_labels(), descriptor, series, suffix, number, kind, rate);
                };
                let key = Key { family: descriptor.name, series: series.index(), bucket: None };
                match (descriptor.kind, series.value()) {
                    (
                        MetricKind::Histogram | MetricKind::Summary,
                        OwnedValue::Histogram { count, sum, .. } | OwnedValue::Summary { count, sum, .. },
                    ) => {
                        // A summary's quantiles are over its own window and do
                        // not add up across hosts: it sends its count and sum
                        // (or, as distributions, their mean), as a histogram
                        // without buckets does.
                        if let OwnedValue::Histogram { buckets, .. } = series.value()
                            && format.distributions
                            && !descriptor.buckets.is_empty()
                        {
                            for (bucket, &n) in buckets.iter().enumerate() {
                                let key = Key { bucket: Some(bucket), ..key };
                                let total = Total::Count(n);
                                let Some(Delta::Count(new)) = carry.delta(&key, total) else { continue };
                                // The bucket's upper bound; `+Inf` at the largest finite one.
                                let bound = descriptor.buckets.get(bucket).or(descriptor.buckets.last());
                                let value = bound.copied().unwrap_or_default();
                                batch.unit.clear();
                                line(&mut batch.unit, "", Number::Float(value), "d", weight(new));
                                batch.push(*max_packet, descriptor.name, Some((key, total)));
                            }
                            continue;
                        }
                        let total = Total::Histogram { count: *count, sum: *sum };
                        let Some(Delta::Histogram { count, sum }) = carry.delta(&key, total) else { continue };
                        batch.unit.clear();
                        if format.distributions {
                            // No finite bound: every observation at their mean.
                            line(&mut batch.unit, "", Number::Float(sum / count as f64), "d", weight(count));
                        } else {
                            line(&mut batch.unit, ".count", Number::Unsigned(count), "c", None);
                            batch.unit.push(b'\n');
                            line(&mut batch.unit, ".sum", Number::Float(sum), "c", None);
                        }
                        batch.push(*max_packet, descriptor.name, Some((key, total)));
                    }
                    (MetricKind::Gauge | MetricKind::Info | MetricKind::StateSet, value) => {
                        let number = match *value {
                            _ if !series.touched() => continue,
                            OwnedValue::Signed(v) => Number::Signed(v),
                            OwnedValue::Unsigned(v) => Number::Unsigned(v),
                            OwnedValue::Float(v) if v.is_finite() => Number::Float(v),
                            OwnedValue::Float(_) | OwnedValue::Histogram { .. } | OwnedValue::Summary { .. } => {
                                continue;
                            }
                        };
                        batch.unit.clear();
                        if number.is_negative() {
                            // `-5|g` alone would lower the gauge by 5.
                            line(&mut batch.unit, "", Number::Unsigned(0), "g", None);
                            batch.unit.push(b'\n');
                        }
                        line(&mut batch.unit, "", number, "g", None);
                        batch.push(*max_packet, descriptor.name, None);
                    }
                    (_, value) => {
                        let total = match *value {
                            OwnedValue::Unsigned(v) => Total::Count(v),
                            ref other => Total::Float(other.as_f64()),
                        };
                        let number = match carry.delta(&key, total) {
                            Some(Delta::Count(n)) => Number::Unsigned(n),
                            Some(Delta::Float(v)) => Number::Float(v),
                            Some(Delta::Histogram { .. }) | None => continue,
                        };
                        batch.unit.clear();
                        line(&mut batch.unit, "", number, "c", None);
                        batch.push(*max_packet, descriptor.name, Some((key, total)));
                    }
                }
            }
        }
        batch.close();
    }

    /// Opens the socket if need be, and probes a server that may not be
    /// listening.
    async fn ready(&mut self) -> Result<(), SinkError> {
        let socket = match &mut self.socket {
            Some(socket) => socket,
            empty => {
                let socket = connect(&self.host, self.port).await.map_err(|e| {
                    SinkError::retryable(format!("cannot open a UDP socket to {}: {e}", self.destination))
                })?;
                self.suspect = true;
                empty.insert(socket)
            }
        };
        // A refusal of a datagram of the last delivery: the server went
        // away since (and that datagram is lost).
        if matches!(socket.take_error(), Ok(Some(_)) | Err(_)) {
            self.suspect = true;
        }
        if self.suspect {
            probe(socket).await.map_err(|e| {
                SinkError::retryable(format!(
                    "the StatsD server at {} does not listen: {e}; what was not sent carries to the next delivery",
                    self.destination
                ))
            })?;
            self.suspect = false;
        }
        Ok(())
    }
}

impl Sink for Statsd {
    fn kind(&self) -> &'static str {
        "statsd"
    }

    fn destination(&self) -> String {
        format!("udp://{}", self.destination)
    }

    fn deliver<'a>(&'a mut self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<Delivered, SinkError>> {
        Box::pin(async move {
            self.lay_out(snapshot);
            self.ready().await?;
            let Statsd { socket: Some(socket), batch, carry, suspect, destination, .. } = self else {
                return Err(SinkError::retryable("the StatsD socket is not open"));
            };
            let (mut from, mut committed, mut bytes) = (0, 0, 0u64);
            // Lines that did not fit a packet are refused for good; a failed
            // send carries its lines to the next delivery (nothing dropped).
            for &(end, totals) in &batch.packets {
                if let Err(e) = socket.send(&batch.bytes[from..end]).await {
                    *suspect = true;
                    return Err(SinkError::retryable(format!(
                        "sending to the StatsD server at {destination} failed: {e}; \
                         what was not sent carries to the next delivery"
                    ))
                    .with_samples(committed as u64, 0));
                }
                // Sent: exactly this datagram's series advance.
                for &(key, total) in &batch.totals[committed..totals] {
                    carry.sent(key, total);
                }
                bytes += (end - from) as u64;
                (from, committed) = (end, totals);
            }
            if let Some(&(name, need)) = batch.oversize.first() {
                return Err(SinkError::permanent(format!(
                    "a line of `{name}` needs {need} bytes, more than the StatsD packet size of {}: \
                     raise max_packet_bytes (the rest was sent)",
                    self.max_packet
                ))
                .with_samples(committed as u64, batch.oversize.len() as u64));
            }
            Ok(Delivered::new(bytes, committed as u64))
        })
    }
}

/// One series, or one bucket of a histogram series sent as a distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    family: &'static str,
    series: usize,
    bucket: Option<usize>,
}

/// The lines of one delivery, in datagrams.
#[derive(Debug, Default)]
struct Batch {
    /// The datagrams, back to back.
    bytes: Vec<u8>,
    /// Where each datagram ends in `bytes`, and where its totals end in
    /// `totals`.
    packets: Vec<(usize, usize)>,
    /// The totals the deltas were computed from, in line order: a sent
    /// datagram advances its own.
    totals: Vec<(Key, Total)>,
    /// Where the datagram being filled starts in `bytes`.
    start: usize,
    /// The lines of one series, written before they are placed: they go in
    /// one datagram, whole.
    unit: Vec<u8>,
    /// Series whose lines cannot fit a datagram, and the bytes they need.
    oversize: Vec<(&'static str, usize)>,
}

impl Batch {
    fn clear(&mut self) {
        self.bytes.clear();
        self.packets.clear();
        self.totals.clear();
        self.start = 0;
        self.oversize.clear();
    }

    /// Places `unit` in the datagram being filled, or in a new one when it
    /// would not fit. Lines that cannot fit any datagram are left out, their
    /// delta kept.
    fn push(&mut self, max: usize, name: &'static str, total: Option<(Key, Total)>) {
        let need = self.unit.len();
        if need > max {
            self.oversize.push((name, need));
            return;
        }
        let filled = self.bytes.len() - self.start;
        if filled > 0 && filled + 1 + need > max {
            self.close();
        }
        if self.bytes.len() > self.start {
            self.bytes.push(b'\n');
        }
        self.bytes.extend_from_slice(&self.unit);
        self.totals.extend(total);
    }

    /// Ends the datagram being filled, if it holds anything.
    fn close(&mut self) {
        if self.bytes.len() > self.start {
            self.packets.push((self.bytes.len(), self.totals.len()));
            self.start = self.bytes.len();
        }
    }
}

/// `host:port` or `[v6]:port`, checked: the host and the port.
fn parse_address(address: &str) -> Result<(String, u16), ExportError> {
    let error = |why: &str| Err(ExportError::Config(format!("`{address}` is not a StatsD address: {why}")));
    let Some((host, port)) = address.rsplit_once(':') else {
        return error("expected `host:port`, e.g. `127.0.0.1:8125`");
    };
    let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) if v6.parse::<Ipv6Addr>().is_ok() => v6,
        Some(_) => return error("the part in brackets is not an IPv6 address"),
        None if host.contains(':') => return error("an IPv6 address goes in brackets, e.g. `[::1]:8125`"),
        None => host,
    };
    if host.is_empty() {
        return error("the host is empty");
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => error("the port is not a number from 1 to 65535"),
        Ok(port) => Ok((host.to_owned(), port)),
    }
}

/// The address to send to among those a name resolved to: the first IPv4
/// one (StatsD daemons listen on IPv4 by default, while `localhost` often
/// resolves to `::1` first), else the first.
fn preferred(addresses: impl Iterator<Item = SocketAddr>) -> Option<SocketAddr> {
    let mut first = None;
    for address in addresses {
        if address.is_ipv4() {
            return Some(address);
        }
        first = first.or(Some(address));
    }
    first
}

/// The local address to bind for sending to `to`: loopback for a loopback
/// server, any address of the same family otherwise.
fn local_for(to: SocketAddr) -> SocketAddr {
    let ip = match to.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(ip) if ip.is_loopback() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    SocketAddr::new(ip, 0)
}

/// A UDP socket connected to the server, so that the server's refusals
/// come back as errors.
async fn connect(host: &str, port: u16) -> io::Result<UdpSocket> {
    let to = preferred(tokio::net::lookup_host((host, port)).await?)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("`{host}` resolves to no address")))?;
    let socket = UdpSocket::bind(local_for(to)).await?;
    socket.connect(to).await?;
    Ok(socket)
}

/// Sends an empty datagram and waits [`PROBE_WAIT`] for its refusal: an
/// error when the server is not listening. Nothing coming back is taken
/// as listening (a firewall that drops refusals hides an outage, and the
/// next datagram is lost).
async fn probe(socket: &UdpSocket) -> io::Result<()> {
    let _ = socket.take_error();
    socket.send(&[]).await?;
    let mut byte = [0u8; 1];
    match tokio::time::timeout(PROBE_WAIT, socket.recv(&mut byte)).await {
        Ok(Err(error)) => Err(error),
        Ok(Ok(_)) | Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests;
