//! `reason = E` with an error enum that carries data: one derive, one value
//! per variant, the fields ignored; through a `Result` alias, in an async
//! function and in a method. Variants with fields are label values anywhere.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use metricate::{Counter, Family, LabelSet, LabelValue, Metrics, instrument_metric};

/// Why a fetch failed; each variant carries what happened.
#[derive(Debug, LabelValue)]
enum FetchError {
    Timeout { after_ms: u64 },
    Status(u16),
    #[label(rename = "tls")]
    Handshake(String),
    Closed,
}

type FetchResult<T> = Result<T, FetchError>;

fn outcome(code: u16) -> FetchResult<usize> {
    match code {
        200 => Ok(3),
        0 => Err(FetchError::Timeout { after_ms: 30 }),
        1 => Err(FetchError::Handshake("expired".to_owned())),
        2 => Err(FetchError::Closed),
        other => Err(FetchError::Status(other)),
    }
}

/// Fetches, its error written out.
#[instrument_metric(subsystem = "ui", reason = FetchError)]
fn fetch(code: u16) -> Result<usize, FetchError> {
    outcome(code)
}

/// Fetches, its error through an alias.
#[instrument_metric(subsystem = "ui", reason = FetchError)]
fn fetch_aliased(code: u16) -> FetchResult<usize> {
    outcome(code)
}

/// Fetches asynchronously, with `?`.
#[instrument_metric(subsystem = "ui", reason = FetchError)]
async fn fetch_async(code: u16) -> FetchResult<usize> {
    let n = outcome(code)?;
    Ok(n + 1)
}

struct Client;

impl Client {
    /// Fetches through a client.
    #[instrument_metric(subsystem = "ui", reason = FetchError)]
    fn get(&self, code: u16) -> FetchResult<usize> {
        outcome(code)
    }
}

#[derive(Clone, Copy, LabelSet)]
struct ByProtocol {
    protocol: Protocol,
}

/// A label whose variants carry data: the value is the variant.
#[derive(Clone, Copy, LabelValue)]
enum Protocol {
    Http(u8),
    Tcp { port: u16 },
    Udp,
}

/// Connections.
#[derive(Metrics)]
#[metrics(subsystem = "ui_reason")]
struct Net {
    /// Connections opened, by protocol.
    connections_total: Family<ByProtocol, Counter>,
}

fn errors(name: &str, reason: &str) -> f64 {
    let registry = metricate::global().expect("the global registry builds");
    let snapshot = registry.snapshot(|d| d.name == name);
    let family = snapshot.family(name).unwrap_or_else(|| panic!("{name} is registered"));
    family.find(&[("reason", reason)]).map_or(0.0, |s| s.value().as_f64())
}

fn main() {
    for code in [200, 0, 1, 2, 404, 503] {
        let _ = fetch(code);
        let _ = fetch_aliased(code);
        let _ = Client.get(code);
        let mut future = pin!(fetch_async(code));
        assert!(matches!(future.as_mut().poll(&mut Context::from_waker(Waker::noop())), Poll::Ready(_)));
    }
    for function in ["fetch", "fetch_aliased", "get", "fetch_async"] {
        let name = format!("trc_ui_{function}_errors_total");
        assert_eq!(errors(&name, "timeout"), 1.0, "{name}");
        assert_eq!(errors(&name, "status"), 2.0, "{name}");
        assert_eq!(errors(&name, "tls"), 1.0, "{name}");
        assert_eq!(errors(&name, "closed"), 1.0, "{name}");
    }
    assert_eq!(<FetchError as LabelValue>::VALUES, ["timeout", "status", "tls", "closed"]);

    let net = Net::global();
    net.connections_total.with(ByProtocol { protocol: Protocol::Http(2) }).inc();
    net.connections_total.with(ByProtocol { protocol: Protocol::Http(3) }).inc();
    net.connections_total.with(ByProtocol { protocol: Protocol::Tcp { port: 22 } }).inc();
    assert_eq!(net.connections_total.with(ByProtocol { protocol: Protocol::Http(1) }).get(), 2);
    assert_eq!(net.connections_total.with(ByProtocol { protocol: Protocol::Udp }).get(), 0);
    assert_eq!(Protocol::Tcp { port: 80 }.as_str(), "tcp");
}
